import { maxBulkSize, type OrganisationRepository, type SupportActor, type SupportOperations } from '@partner-team/core';
import type { Fixture } from './fixture.js';

/** What loading a fixture did. */
export interface FixtureLoadReport {
  /** Directory users added or changed (0 when the directory already held them as given). */
  readonly usersChanged: number;
  readonly organisationsCreated: readonly string[];
  /** Organisations that already existed: left exactly as they are. */
  readonly organisationsKept: readonly string[];
  /** Client assignments made in the organisations created. */
  readonly assignments: number;
}

/**
 * Loads a validated fixture through the support operations, as an operator would: one directory
 * upsert of every user, then for each organisation that does not exist yet — provision it, import
 * its members and pending invitations in one operation (one per 20,000 members), complete its bootstrap with its first
 * partner_admin, set its status, assign its clients. Each step records its audit event (naming
 * `operator` and its reason), and invitations are delivered through the operations' notifier. An
 * organisation that exists is left exactly as it is, so a second load changes nothing.
 */
export async function loadFixture(
  operations: SupportOperations,
  organisations: Pick<OrganisationRepository, 'load'>,
  fixture: Fixture,
  operator: SupportActor,
): Promise<FixtureLoadReport> {
  let usersChanged = 0;
  for (const users of chunks(fixture.users)) usersChanged += (await operations.upsertDirectoryUsers.execute({ ...operator, users })).changed.length;
  const clientNames = new Map(fixture.clients.map((c) => [c.clientId, c.name]));
  const created: string[] = [];
  const kept: string[] = [];
  let assignments = 0;
  for (const state of fixture.organisations) {
    const organisationId = state.id;
    if ((await organisations.load(organisationId)) !== undefined) {
      kept.push(organisationId);
      continue;
    }
    await operations.provisionOrganisation.execute({ ...operator, organisationId, name: state.name, invitationsEnabled: state.invitationsEnabled });
    const invitations = fixture.invitations.filter((i) => i.organisationId === organisationId);
    // One import per bulk-sized chunk of members; the invitations go with the last (their inviters are in by then).
    const memberChunks = chunks(state.memberships.map((m) => ({ userId: m.userId, role: m.role })));
    for (const [n, members] of memberChunks.entries()) {
      const last = n === memberChunks.length - 1;
      await operations.importMembers.execute({
        ...operator,
        organisationId,
        members,
        ...(last ? { invitations: invitations.map((i) => ({ email: i.email, role: i.role, invitedBy: i.invitedBy, expiresAt: i.expiresAt })) } : {}),
      });
    }
    if (memberChunks.length === 0 && invitations.length > 0) {
      await operations.importMembers.execute({ ...operator, organisationId, members: [], invitations: invitations.map((i) => ({ email: i.email, role: i.role, invitedBy: i.invitedBy, expiresAt: i.expiresAt })) });
    }
    const firstAdmin = state.memberships.find((m) => m.role === 'partner_admin');
    if (state.bootstrapped && firstAdmin !== undefined) await operations.completeBootstrap.execute({ ...operator, organisationId, userId: firstAdmin.userId });
    const assigned = fixture.assignments.filter((a) => a.organisationId === organisationId);
    for (const chunk of chunks(assigned)) {
      await operations.assignClients.execute({
        ...operator,
        organisationId,
        assignments: chunk.map((a) => ({ userId: a.userId, clientId: a.clientId, name: clientNames.get(a.clientId) ?? a.clientId })),
      });
      assignments += chunk.length;
    }
    if (state.status !== 'active') await operations.changeOrganisationStatus.execute({ ...operator, organisationId, status: state.status });
    created.push(organisationId);
  }
  return { usersChanged, organisationsCreated: created, organisationsKept: kept, assignments };
}

/** `list` in slices of at most one bulk operation's size. */
function chunks<T>(list: readonly T[]): T[][] {
  const slices: T[][] = [];
  for (let start = 0; start < list.length; start += maxBulkSize) slices.push(list.slice(start, start + maxBulkSize));
  return slices;
}
