import type { PartnerRole } from './partner-role.js';

/** A user's membership of a partner organisation, as persisted. */
export interface Membership {
  readonly userId: string;
  readonly role: PartnerRole;
  readonly joinedAt: Date;
}
