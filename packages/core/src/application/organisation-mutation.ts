import type { OrganisationRecord } from '../domain/organisation/organisation-record.js';
import { PartnerOrganisation, type MutationContext, type SupportContext } from '../domain/organisation/partner-organisation.js';
import { NotAPartnerMemberError, OrganisationNotFoundError } from '../domain/shared/errors.js';
import { parseIdentifier } from '../domain/shared/identifier.js';
import { retryOnConflict, type RetryPolicy } from './conflict-retry.js';
import type { Actor, PartnerTeamPorts } from './partner-team-ports.js';
import { supportContext, type CheckedSupportActor } from './operations/support-actor.js';

type MutationPorts = Pick<PartnerTeamPorts, 'organisations' | 'clock' | 'ids'>;

/** What a decision runs on: the aggregate and the context of the audit event it records. */
type Decision<T> = (organisation: PartnerOrganisation, context: MutationContext) => T;

/**
 * Runs a decision against the actor's own organisation: loads the organisation the actor belongs
 * to (with the memberships of `teammates`), lets the aggregate decide, and saves what changed with
 * its audit events at the loaded version. The actor's membership is read once, on that load. On a
 * concurrency conflict everything is repeated from the load, so the decision is always made on fresh
 * state.
 *
 * @throws `NotAPartnerMemberError` when the actor belongs to no organisation, and whatever the
 *   decision throws.
 */
export async function mutateActorOrganisation<T>(
  ports: MutationPorts,
  retry: RetryPolicy,
  actor: Actor,
  teammates: readonly string[],
  decide: Decision<T>,
): Promise<T> {
  const actorUserId = parseIdentifier(actor.actorUserId, 'actorUserId');
  return retryOnConflict(retry, async () => {
    const record = await ports.organisations.loadForMember(actorUserId, teammates);
    if (record === undefined) throw new NotAPartnerMemberError();
    return decideAndSave(ports, record, actor, decide);
  });
}

/**
 * One decide–save round on a loaded record (no retry). A decision that changes nothing saves
 * nothing; one that changes something must have recorded its audit event.
 */
export async function decideAndSave<T>(ports: MutationPorts, record: OrganisationRecord, actor: Actor, decide: Decision<T>): Promise<T> {
  const context: MutationContext = {
    actorUserId: actor.actorUserId,
    at: ports.clock.now(),
    eventId: ports.ids.next('event'),
    requestId: actor.requestId ?? null,
  };
  return saveDecision(ports, PartnerOrganisation.fromRecord(record), record.version, (organisation) => decide(organisation, context));
}

/**
 * Runs a support operator's decision against the organisation `organisationId` (loaded with the
 * memberships and assignments of `users`) and saves what changed with its audit event, through the
 * same versioned save and conflict retry as the partner surface: a support action racing a partner
 * admin is decided on fresh state, so neither can break an invariant.
 *
 * @throws `OrganisationNotFoundError` when there is no such organisation, and whatever the decision throws.
 */
export async function mutateOrganisation<T>(
  ports: MutationPorts,
  retry: RetryPolicy,
  operator: CheckedSupportActor,
  organisationId: string,
  users: readonly string[],
  decide: (organisation: PartnerOrganisation, context: SupportContext) => T,
): Promise<T> {
  return retryOnConflict(retry, async () => {
    const record = await ports.organisations.load(organisationId, users);
    if (record === undefined) throw new OrganisationNotFoundError(organisationId);
    const context = supportContext(ports, operator);
    return saveDecision(ports, PartnerOrganisation.fromRecord(record), record.version, (organisation) => decide(organisation, context));
  });
}

/**
 * Lets `decide` change `organisation` and saves the change at `version`. A decision that changes
 * nothing saves nothing; one that changes something must have recorded its audit event.
 */
export async function saveDecision<T>(ports: MutationPorts, organisation: PartnerOrganisation, version: number, decide: (organisation: PartnerOrganisation) => T): Promise<T> {
  const result = decide(organisation);
  const change = organisation.pullChange();
  if (change !== undefined) {
    if (change.events.length === 0) throw new Error('a change must record its audit event');
    await ports.organisations.save(change, version);
  }
  return result;
}
