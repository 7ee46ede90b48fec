import type {
  DirectoryUser,
  Invitation,
  Membership,
  OrganisationState,
  OrganisationStatus,
  PartnerRole,
} from '@partner-team/core';

type Who = string | DirectoryUser;
const idOf = (who: Who): string => (typeof who === 'string' ? who : who.id);

const defaultJoinedAt = new Date('2025-06-01T08:00:00.000Z');

/** Builds an organisation state with deterministic defaults: active, bootstrapped, invitations on. */
export class OrganisationBuilder {
  private name: string;
  private status: OrganisationStatus = 'active';
  private bootstrapped = true;
  private invitationsEnabled = true;
  private readonly memberships: Membership[] = [];
  private readonly invitations: Invitation[] = [];

  constructor(private readonly id: string) {
    this.name = id.charAt(0).toUpperCase() + id.slice(1);
  }

  named(name: string): this {
    this.name = name;
    return this;
  }

  withStatus(status: OrganisationStatus): this {
    this.status = status;
    return this;
  }

  suspended(): this {
    return this.withStatus('suspended');
  }

  archived(): this {
    return this.withStatus('archived');
  }

  bootstrapPending(): this {
    this.bootstrapped = false;
    return this;
  }

  invitationsDisabled(): this {
    return this.withInvitationsEnabled(false);
  }

  withInvitationsEnabled(enabled: boolean): this {
    this.invitationsEnabled = enabled;
    return this;
  }

  withMember(who: Who, role: PartnerRole, joinedAt: Date = defaultJoinedAt): this {
    this.memberships.push({ userId: idOf(who), role, joinedAt });
    return this;
  }

  withAdmins(...who: Who[]): this {
    for (const w of who) this.withMember(w, 'partner_admin');
    return this;
  }

  withUsers(...who: Who[]): this {
    for (const w of who) this.withMember(w, 'partner_user');
    return this;
  }

  /** Adds an invitation; defaults: pending partner_user invitation by the first member, 7 days left. */
  withInvitation(invitation: Partial<Invitation> & Pick<Invitation, 'id' | 'email' | 'tokenHash'>): this {
    this.invitations.push({
      role: 'partner_user',
      status: 'pending',
      invitedBy: this.memberships[0]?.userId ?? 'system',
      createdAt: new Date('2026-01-14T09:00:00.000Z'),
      expiresAt: new Date('2026-01-21T09:00:00.000Z'),
      closedAt: null,
      acceptedBy: null,
      ...invitation,
    });
    return this;
  }

  build(): OrganisationState {
    return {
      id: this.id,
      name: this.name,
      status: this.status,
      bootstrapped: this.bootstrapped,
      invitationsEnabled: this.invitationsEnabled,
      memberships: this.memberships.map((m) => ({ ...m })),
      invitations: this.invitations.map((i) => ({ ...i })),
    };
  }
}

/** `anOrganisation('acme').withAdmins(ada, bob).withUsers(cy).build()` */
export function anOrganisation(id: string): OrganisationBuilder {
  return new OrganisationBuilder(id);
}
