/** Lifecycle states of a partner organisation; only AiDial changes them. */
export const organisationStatuses = ['active', 'suspended', 'archived'] as const;

/** `active` allows management actions; `suspended` and `archived` allow reads only. */
export type OrganisationStatus = (typeof organisationStatuses)[number];

/** True when `value` is one of {@link organisationStatuses}. */
export function isOrganisationStatus(value: unknown): value is OrganisationStatus {
  return value === 'active' || value === 'suspended' || value === 'archived';
}

/** What every member may know about their organisation. */
export interface OrganisationProfile {
  readonly id: string;
  readonly name: string;
  readonly status: OrganisationStatus;
  /** False until AiDial completes partner bootstrap; until then the team surface refuses reads and actions. */
  readonly bootstrapped: boolean;
  readonly invitationsEnabled: boolean;
}
