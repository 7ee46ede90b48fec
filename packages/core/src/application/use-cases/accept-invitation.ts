import type { PartnerRole } from '../../domain/membership/partner-role.js';
import { InvitationEmailMismatchError, InvitationNotFoundError, ValidationError } from '../../domain/shared/errors.js';
import { parseIdentifier } from '../../domain/shared/identifier.js';
import { retryOnConflict, type RetryPolicy } from '../conflict-retry.js';
import { decideAndSave } from '../organisation-mutation.js';
import type { Actor, PartnerTeamPorts } from '../partner-team-ports.js';

/** Tokens are base64url; at least 22 characters carry the 128 bits the rule asks for. */
const tokenPattern = /^[A-Za-z0-9_-]{22,256}$/;

/**
 * The signed-in user accepts an invitation by its token and joins the inviting organisation with
 * the invited role. The user's email (from the directory) must equal the invitation's. A user
 * belongs to at most one partner organisation: the repository refuses, atomically, a save that
 * would add them to a second one.
 *
 * Refusals, in this order: `ValidationError` for a malformed token; `InvitationNotFoundError` when
 * no organisation ever issued that token (whoever asks); `InvitationEmailMismatchError` when the user
 * is unknown to the directory; every refusal of `PartnerOrganisation.acceptInvitation` in its order;
 * last, `MemberOfAnotherOrganisationError` when they belong to another organisation (the repository's
 * atomic check at save).
 */
export class AcceptInvitation {
  constructor(
    private readonly ports: Pick<PartnerTeamPorts, 'organisations' | 'users' | 'clock' | 'ids' | 'tokens'>,
    private readonly retry: RetryPolicy,
  ) {}

  async execute(input: Actor & { readonly token: string }): Promise<{ organisation: { id: string; name: string }; role: PartnerRole }> {
    const userId = parseIdentifier(input.actorUserId, 'actorUserId');
    if (typeof input.token !== 'string' || !tokenPattern.test(input.token)) {
      throw new ValidationError('token is malformed', [{ path: 'token', message: 'expected an invitation token' }]);
    }
    const tokenHash = this.ports.tokens.hash(input.token);
    const [user, organisationId] = await Promise.all([
      this.ports.users.findById(userId),
      this.ports.organisations.findByInvitationTokenHash(tokenHash),
    ]);
    if (organisationId === undefined) throw new InvitationNotFoundError();
    if (user === undefined) throw new InvitationEmailMismatchError();
    return retryOnConflict(this.retry, async () => {
      const record = await this.ports.organisations.load(organisationId, [userId]);
      if (record === undefined) throw new InvitationNotFoundError();
      return decideAndSave(this.ports, record, input, (organisation, context) => {
        const membership = organisation.acceptInvitation(context, { tokenHash, email: user.email });
        const profile = organisation.getProfile();
        return { organisation: { id: profile.id, name: profile.name }, role: membership.role };
      });
    });
  }
}
