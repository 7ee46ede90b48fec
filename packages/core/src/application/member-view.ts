import type { PartnerRole } from '../domain/membership/partner-role.js';
import { roleAllows } from '../domain/organisation/permissions.js';
import type { RosterEntry } from '../domain/roster/roster-query.js';

/** What every member may see of a teammate. */
export interface MemberSummary {
  readonly userId: string;
  readonly name: string;
  readonly email: string;
  readonly role: PartnerRole;
}

/** What a partner_admin sees: the summary plus MFA status and last activity. */
export interface MemberDetails extends MemberSummary {
  readonly mfaEnabled: boolean;
  readonly lastActiveAt: Date | null;
}

/** A member as shown to a viewer: least privilege decides which fields are present. */
export type MemberView = MemberSummary | MemberDetails;

/**
 * Projects a roster entry (a copy the caller owns) for a viewer with `viewerRole`: MFA status and
 * last activity only for viewers granted `members.view_activity`.
 */
export function viewMember(entry: RosterEntry, viewerRole: PartnerRole): MemberView {
  if (!roleAllows(viewerRole, 'members.view_activity')) return { userId: entry.userId, name: entry.name, email: entry.email, role: entry.role };
  return entry;
}
