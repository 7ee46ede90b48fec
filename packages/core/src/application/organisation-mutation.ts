import type { OrganisationRecord } from '../domain/organisation/organisation-record.js';
import { PartnerOrganisation, type MutationContext } from '../domain/organisation/partner-organisation.js';
import { NotAPartnerMemberError } from '../domain/shared/errors.js';
import { parseIdentifier } from '../domain/shared/identifier.js';
import { retryOnConflict, type RetryPolicy } from './conflict-retry.js';
import type { Actor, PartnerTeamPorts } from './partner-team-ports.js';

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
  const organisation = PartnerOrganisation.fromRecord(record);
  const context: MutationContext = {
    actorUserId: actor.actorUserId,
    at: ports.clock.now(),
    eventId: ports.ids.next('event'),
    requestId: actor.requestId ?? null,
  };
  const result = decide(organisation, context);
  const change = organisation.pullChange();
  if (change !== undefined) {
    if (change.events.length === 0) throw new Error('a change must record its audit event');
    await ports.organisations.save(change, record.version);
  }
  return result;
}
