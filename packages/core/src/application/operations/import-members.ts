import type { PartnerRole } from '../../domain/membership/partner-role.js';
import type { ImportedInvitation } from '../../domain/organisation/partner-organisation.js';
import { maxPendingInvitations } from '../../domain/organisation/partner-organisation.js';
import { normaliseEmail } from '../../domain/shared/email-address.js';
import { UserNotFoundError } from '../../domain/shared/errors.js';
import { parseIdentifier } from '../../domain/shared/identifier.js';
import type { RetryPolicy } from '../conflict-retry.js';
import { mutateOrganisation } from '../organisation-mutation.js';
import type { PartnerTeamPorts } from '../partner-team-ports.js';
import { deliverInvitation, invitationMessage } from '../ports/invitation-notifier.js';
import { defaultInvitationTtlMs } from '../use-cases/invite-user.js';
import { viewInvitation, type InvitationView } from '../use-cases/invitation-view.js';
import { checkSupportActor, type SupportActor } from './support-actor.js';
import { invalid, maxBulkSize, parseEntry, parseInstant, parseList, parseRole, requireDistinct } from './support-input.js';

type Ports = Pick<PartnerTeamPorts, 'organisations' | 'users' | 'clock' | 'ids' | 'tokens' | 'notifier' | 'logger'>;

/** A member to add, by directory user id. */
export interface ImportedMember {
  readonly userId: string;
  readonly role: PartnerRole;
}

/** A pending invitation to create on behalf of a partner_admin of the organisation. */
export interface InvitationToImport {
  readonly email: string;
  readonly role: PartnerRole;
  readonly invitedBy: string;
  /** Default: the invitation lifetime (7 days) from now. */
  readonly expiresAt?: Date | undefined;
}

/**
 * AiDial support adds many members (and pending invitations) to an organisation in one operation
 * and one `members.imported` event: the bulk restore, and how fixtures and migrations load teams of
 * thousands. Every member must be a directory user and belong to no organisation; invitations come
 * from partner_admins of the organisation as it is after the import, their tokens are issued here
 * and go to the notifier only.
 *
 * @throws `ValidationError` (an empty import, a user listed twice, malformed entries);
 *   `OrganisationNotFoundError`; `UserNotFoundError`; `OrganisationArchivedError`;
 *   `AlreadyMemberError`; `MemberOfAnotherOrganisationError`; `ForbiddenError` for an inviter who
 *   is not a partner_admin; `InvitationPendingError`; `TooManyPendingInvitationsError`.
 */
export class ImportMembers {
  constructor(
    private readonly ports: Ports,
    private readonly retry: RetryPolicy,
    private readonly ttlMs: number = defaultInvitationTtlMs,
  ) {}

  async execute(
    input: SupportActor & { readonly organisationId: string; readonly members: readonly ImportedMember[]; readonly invitations?: readonly InvitationToImport[] },
  ): Promise<{ members: number; invitations: InvitationView[] }> {
    const operator = checkSupportActor(input);
    const organisationId = parseIdentifier(input.organisationId, 'organisationId');
    const members = parseList(
      input.members,
      'members',
      (entry, path) => {
        const m = parseEntry(entry, path);
        return { userId: parseIdentifier(m.userId, `${path}.userId`), role: parseRole(m.role, `${path}.role`) };
      },
      maxBulkSize,
      0,
    );
    requireDistinct(members, (m) => m.userId, 'members', 'a user');
    const requested = parseList(
      input.invitations ?? [],
      'invitations',
      (entry, path) => {
        const i = parseEntry(entry, path);
        return {
          email: normaliseEmail(i.email, `${path}.email`),
          role: parseRole(i.role, `${path}.role`),
          invitedBy: parseIdentifier(i.invitedBy, `${path}.invitedBy`),
          expiresAt: i.expiresAt === undefined ? undefined : parseInstant(i.expiresAt, `${path}.expiresAt`),
        };
      },
      maxPendingInvitations,
      0,
    );
    if (members.length === 0 && requested.length === 0) throw invalid('members', 'an import needs members or invitations');
    if (members.length > 0) {
      const known = new Set((await this.ports.users.findByIds(members.map((m) => m.userId))).map((u) => u.id));
      const unknown = members.find((m) => !known.has(m.userId));
      if (unknown !== undefined) throw new UserNotFoundError(unknown.userId);
    }
    const invitees = await Promise.all(requested.map((i) => this.ports.users.findByEmail(i.email)));
    const issued = requested.map((i, n) => ({ ...i, ...this.ports.tokens.issue(), invitationId: this.ports.ids.next('invitation'), inviteeUserId: invitees[n]?.id ?? null }));
    const users = [...new Set([...members.map((m) => m.userId), ...issued.map((i) => i.invitedBy), ...issued.flatMap((i) => (i.inviteeUserId === null ? [] : [i.inviteeUserId]))])];
    const { profile, invitations } = await mutateOrganisation(this.ports, this.retry, operator, organisationId, users, (organisation, context) => {
      const imported: ImportedInvitation[] = issued.map((i) => ({
        invitationId: i.invitationId,
        email: i.email,
        role: i.role,
        tokenHash: i.hash,
        expiresAt: i.expiresAt ?? new Date(context.at.getTime() + this.ttlMs),
        inviteeUserId: i.inviteeUserId,
        invitedBy: i.invitedBy,
      }));
      organisation.importMembers(context, members, imported);
      return { profile: organisation.getProfile(), invitations: imported.map((i) => organisation.invitation(i.invitationId)).filter((i) => i !== undefined) };
    });
    const inviters = invitations.length === 0 ? [] : await this.ports.users.findByIds([...new Set(invitations.map((i) => i.invitedBy))]);
    for (const invitation of invitations) {
      const token = issued.find((i) => i.invitationId === invitation.id)?.token ?? '';
      const inviterName = inviters.find((u) => u.id === invitation.invitedBy)?.name ?? null;
      await deliverInvitation(this.ports.notifier, this.ports.logger, invitationMessage(profile, invitation, token, inviterName));
    }
    return { members: members.length, invitations: invitations.map(viewInvitation) };
  }
}
