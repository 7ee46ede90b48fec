/** The shapes the Partner Team HTTP API answers with (see the OpenAPI document at /api/partner-team/openapi.json). */

export type Role = 'partner_admin' | 'partner_user';
export type OrganisationStatus = 'active' | 'suspended' | 'archived';

export type Permission =
  | 'members.view'
  | 'members.view_activity'
  | 'clients.view_own'
  | 'clients.view_any'
  | 'invitations.view'
  | 'invitations.create'
  | 'invitations.revoke'
  | 'members.change_role'
  | 'members.remove'
  | 'audit.view';

export interface Me {
  readonly user: { readonly id: string; readonly name: string; readonly email: string };
  readonly organisation: {
    readonly id: string;
    readonly name: string;
    readonly status: OrganisationStatus;
    readonly bootstrapped: boolean;
    readonly invitationsEnabled: boolean;
  };
  readonly role: Role;
  readonly permissions: readonly Permission[];
  readonly csrfToken: string;
}

export interface Member {
  readonly userId: string;
  readonly name: string;
  readonly email: string;
  readonly role: Role;
  /** Present for partner_admins only. */
  readonly mfaEnabled?: boolean;
  /** Present for partner_admins only; null when unknown. */
  readonly lastActiveAt?: string | null;
}

export type MemberSort = 'name' | 'email' | 'role' | 'lastActiveAt';
export type SortOrder = 'asc' | 'desc';

export interface MemberPage {
  readonly items: readonly Member[];
  readonly nextCursor: string | null;
  readonly total: number;
}

export interface AssignedClient {
  readonly clientId: string;
  readonly name: string;
}

export interface Invitation {
  readonly id: string;
  readonly email: string;
  readonly role: Role;
  readonly invitedBy: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/** An invitation just issued or reissued, with what became of its email. */
export interface IssuedInvitation extends Invitation {
  /** `sent`: a mail server took it; `queued`: written for later delivery; `failed`: not delivered (resend it). */
  readonly delivery: 'sent' | 'queued' | 'failed';
}

/** The identity provider the server signs people in with (GET /auth/provider). */
export interface SignInProvider {
  readonly name: string;
  readonly loginUrl: string;
}

export interface AcceptedInvitation {
  readonly organisation: { readonly id: string; readonly name: string };
  readonly role: Role;
}

export interface DemoUser {
  readonly userId: string;
  readonly name: string;
  readonly email: string;
  readonly organisation: { readonly id: string; readonly name: string; readonly status: OrganisationStatus; readonly bootstrapped: boolean } | null;
  readonly role: Role | null;
}
