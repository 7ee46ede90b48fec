import type { PartnerRole } from '../membership/partner-role.js';
import type { OrganisationProfile } from './organisation-status.js';

/** What a member may do on the partner-team surface right now. */
export const permissions = [
  'members.view',
  'clients.view_own',
  'members.view_activity',
  'clients.view_any',
  'invitations.view',
  'audit.view',
  'invitations.create',
  'invitations.revoke',
  'members.change_role',
  'members.remove',
] as const;

/** See {@link permissions}. */
export type Permission = (typeof permissions)[number];

/** Permissions that change the team: granted only in an active organisation. */
const management: ReadonlySet<Permission> = new Set(['invitations.create', 'invitations.revoke', 'members.change_role', 'members.remove']);

const userGrants: readonly Permission[] = ['members.view', 'clients.view_own'];
const adminGrants: readonly Permission[] = [...permissions];

/**
 * Everything `role` may ever do, whatever the organisation's state: reads for every member, the
 * admin-only reads and the management actions for partner_admins. The one place that tells the two
 * roles apart.
 */
function roleGrants(role: PartnerRole): readonly Permission[] {
  return role === 'partner_admin' ? adminGrants : userGrants;
}

/** True when `role` grants `permission` in some organisation state (used once the state checks passed). */
export function roleAllows(role: PartnerRole, permission: Permission): boolean {
  return roleGrants(role).includes(permission);
}

/**
 * Whether `role` manages the team: the role an organisation must always keep one member in (the
 * last-admin rule), and whose holder's invitations lapse when they lose it.
 */
export function managesTeam(role: PartnerRole): boolean {
  return roleAllows(role, 'members.change_role');
}

/**
 * The permissions of a member with `role` in `organisation` right now: none while bootstrap is
 * pending; the role's reads always; the role's management actions only in an active organisation,
 * and invitation creation only where invitations are enabled.
 */
export function permissionsFor(role: PartnerRole, organisation: OrganisationProfile): Permission[] {
  if (!organisation.bootstrapped) return [];
  return roleGrants(role).filter(
    (p) => !management.has(p) || (organisation.status === 'active' && (p !== 'invitations.create' || organisation.invitationsEnabled)),
  );
}
