import type { PartnerRole } from '../membership/partner-role.js';
import type { OrganisationProfile } from './organisation-status.js';

/** What a member may do on the partner-team surface right now. */
export const permissions = [
  'members.view',
  'members.view_activity',
  'clients.view_own',
  'clients.view_any',
  'invitations.view',
  'invitations.create',
  'invitations.revoke',
  'members.change_role',
  'members.remove',
  'audit.view',
] as const;

/** See {@link permissions}. */
export type Permission = (typeof permissions)[number];

/**
 * The permissions of a member with `role` in `organisation`: none while bootstrap is pending; reads
 * for everyone; the admin-only reads for partner_admins; management actions only for partner_admins
 * of an active organisation, and invitation creation only where invitations are enabled.
 */
export function permissionsFor(role: PartnerRole, organisation: OrganisationProfile): Permission[] {
  if (!organisation.bootstrapped) return [];
  const granted: Permission[] = ['members.view', 'clients.view_own'];
  if (role !== 'partner_admin') return granted;
  granted.push('members.view_activity', 'clients.view_any', 'invitations.view', 'audit.view');
  if (organisation.status !== 'active') return granted;
  if (organisation.invitationsEnabled) granted.push('invitations.create');
  granted.push('invitations.revoke', 'members.change_role', 'members.remove');
  return granted;
}
