/** The two roles of the partner-team surface. */
export const partnerRoles = ['partner_admin', 'partner_user'] as const;

/** `partner_admin` manages the team; `partner_user` reads the roster and their own assigned clients. */
export type PartnerRole = (typeof partnerRoles)[number];

/** True when `value` is one of {@link partnerRoles}. */
export function isPartnerRole(value: unknown): value is PartnerRole {
  return value === 'partner_admin' || value === 'partner_user';
}
