import { PartnerOrganisation, type MutationContext } from '../domain/organisation/partner-organisation.js';
import { NotAPartnerMemberError } from '../domain/shared/errors.js';
import { parseIdentifier } from '../domain/shared/identifier.js';
import { retryOnConflict, type RetryPolicy } from './conflict-retry.js';
import type { Actor, PartnerTeamPorts } from './partner-team-ports.js';
import type { VersionedOrganisation } from './ports/organisation-repository.js';

type MutationPorts = Pick<PartnerTeamPorts, 'organisations' | 'memberships' | 'clock' | 'ids'>;

/**
 * Loads the organisation the actor belongs to. The membership lookup's organisation id is a hint
 * (stores may answer it from a cache); when the loaded organisation does not list the actor, the
 * authoritative lookup decides.
 *
 * @throws `NotAPartnerMemberError` when the actor belongs to no organisation.
 */
export async function loadActorOrganisation(
  ports: Pick<PartnerTeamPorts, 'organisations' | 'memberships'>,
  actorUserId: string,
): Promise<VersionedOrganisation> {
  const hinted = await ports.memberships.findOrganisationId(actorUserId);
  if (hinted !== undefined) {
    const loaded = await ports.organisations.load(hinted);
    if (loaded?.state.memberships.some((m) => m.userId === actorUserId) === true) return loaded;
  }
  const member = await ports.memberships.findByUser(actorUserId);
  if (member === undefined || member.organisation.id === hinted) throw new NotAPartnerMemberError();
  const loaded = await ports.organisations.load(member.organisation.id);
  if (loaded === undefined) throw new NotAPartnerMemberError();
  return loaded;
}

/**
 * Runs a decision against the actor's own organisation: finds it from the actor's membership,
 * loads it, lets the aggregate decide, and saves the new state with its audit events at the loaded
 * version. On a concurrency conflict everything is repeated from the lookup, so the decision is
 * always made on fresh state. A decision that records no event saves nothing.
 */
export async function mutateActorOrganisation<T>(
  ports: MutationPorts,
  retry: RetryPolicy,
  actor: Actor,
  decide: (organisation: PartnerOrganisation, context: MutationContext) => T,
): Promise<T> {
  const actorUserId = parseIdentifier(actor.actorUserId, 'actorUserId');
  return retryOnConflict(retry, async () => decideOn(ports, await loadActorOrganisation(ports, actorUserId), actor, decide));
}

/** One load–decide–save round on a known organisation (no retry). */
export async function decideAndSave<T>(
  ports: MutationPorts,
  organisationId: string,
  actor: Actor,
  decide: (organisation: PartnerOrganisation, context: MutationContext) => T,
  whenMissing: () => Error = () => new NotAPartnerMemberError(),
): Promise<T> {
  const loaded = await ports.organisations.load(organisationId);
  if (loaded === undefined) throw whenMissing();
  return decideOn(ports, loaded, actor, decide);
}

async function decideOn<T>(
  ports: MutationPorts,
  loaded: VersionedOrganisation,
  actor: Actor,
  decide: (organisation: PartnerOrganisation, context: MutationContext) => T,
): Promise<T> {
  const organisation = PartnerOrganisation.fromState(loaded.state);
  const context: MutationContext = {
    actorUserId: actor.actorUserId,
    at: ports.clock.now(),
    eventId: ports.ids.next('event'),
    requestId: actor.requestId ?? null,
  };
  const result = decide(organisation, context);
  const events = organisation.pullAuditEvents();
  if (events.length > 0) await ports.organisations.save(organisation.toState(), loaded.version, events);
  return result;
}
