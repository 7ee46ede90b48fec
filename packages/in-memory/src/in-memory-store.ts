import {
  ConcurrencyConflictError,
  EmailInUseError,
  managesTeam,
  PartnerOrganisation,
  MemberOfAnotherOrganisationError,
  type AssignedClient,
  type AuditEvent,
  type AuditLog,
  type AuditSearchQuery,
  type ClientAssignment,
  type ClientAssignments,
  type DirectoryUser,
  type DirectoryUserUpdate,
  type Invitation,
  type LoggedAuditEvent,
  type MemberContext,
  type MemberRoster,
  type Membership,
  type MembershipLookup,
  type OrganisationChange,
  type OrganisationProfile,
  type OrganisationRecord,
  type OrganisationRepository,
  type OrganisationState,
  type RosterEntry,
  type RosterPage,
  type RosterQuery,
  type SearchedAuditEvent,
  type UserDirectory,
} from '@partner-team/core';
import { compareText, RosterIndex } from '@partner-team/core/roster';


/** One organisation as the store holds it: everything, indexed for the questions the ports ask. */
interface StoredOrganisation {
  profile: OrganisationProfile;
  version: number;
  readonly members: Map<string, Membership>;
  admins: number;
  readonly invitations: Map<string, Invitation>;
  /** Client assignments: user id → client id → client name (versioned with the organisation). */
  readonly assignments: Map<string, Map<string, string>>;
  readonly roster: RosterIndex;
}

/** Everything the store holds, as deep copies: for "nothing changed" assertions and exports. */
export interface InMemoryStoreDump {
  readonly organisations: Record<string, { readonly state: OrganisationState; readonly version: number; readonly assignments: readonly ClientAssignment[] }>;
  readonly auditEvents: Record<string, readonly AuditEvent[]>;
  /** Events that belong to no organisation, oldest first. */
  readonly unscopedAuditEvents: readonly AuditEvent[];
  readonly users: readonly DirectoryUser[];
}

export interface InMemoryStoreOptions {
  /**
   * Yield to the event loop (a macrotask) at the start of every port call, so that concurrent use
   * cases interleave between their load and their save as they would on a real database.
   */
  readonly interleave?: boolean;
}

const copyDate = (d: Date): Date => new Date(d.getTime());
const byCodePoints = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const copyMembership = (m: Membership): Membership => ({ userId: m.userId, role: m.role, joinedAt: copyDate(m.joinedAt) });
const copyInvitation = (i: Invitation): Invitation => ({
  ...i,
  createdAt: copyDate(i.createdAt),
  expiresAt: copyDate(i.expiresAt),
  closedAt: i.closedAt === null ? null : copyDate(i.closedAt),
});
const copyUser = (u: DirectoryUser): DirectoryUser => ({ ...u, lastActiveAt: u.lastActiveAt === null ? null : copyDate(u.lastActiveAt) });
const copyEntry = (e: RosterEntry): RosterEntry => ({
  userId: e.userId,
  name: e.name,
  email: e.email,
  role: e.role,
  mfaEnabled: e.mfaEnabled,
  lastActiveAt: e.lastActiveAt === null ? null : copyDate(e.lastActiveAt),
});

/**
 * Every persistence port in one process. It keeps copies (never the objects it was given or hands
 * out), applies the same version check and cross-organisation membership check as the MongoDB
 * adapter, and keeps a sorted, searchable roster index per organisation. Single-threaded JavaScript
 * makes each `save` atomic: the checks and all writes happen without an intervening await. Data lives
 * as long as the process.
 */
export class InMemoryPartnerTeamStore {
  private readonly organisationsById = new Map<string, StoredOrganisation>();
  private readonly organisationOfUser = new Map<string, string>();
  private readonly organisationOfTokenHash = new Map<string, string>();
  private readonly auditByOrganisation = new Map<string, LoggedAuditEvent[]>();
  /** The one log of every event (organisations' and unscoped), in the order stored: what support searches. */
  private readonly allEvents: { readonly event: AuditEvent; readonly order: number }[] = [];
  private readonly usersById = new Map<string, DirectoryUser>();
  private readonly userIdByEmail = new Map<string, string>();
  private readonly clientNames = new Map<string, string>();

  readonly organisations: OrganisationRepository;
  readonly memberships: MembershipLookup;
  readonly roster: MemberRoster;
  readonly auditLog: AuditLog;
  readonly users: UserDirectory;
  readonly clients: ClientAssignments;

  constructor(private readonly options: InMemoryStoreOptions = {}) {
    const call = <T>(work: () => T): Promise<T> => this.call(work);
    this.organisations = {
      loadForMember: (userId, teammates = []) =>
        call(() => {
          const organisationId = this.organisationOfUser.get(userId);
          return organisationId === undefined ? undefined : this.record(organisationId, [userId, ...teammates]);
        }),
      load: (organisationId, users = []) => call(() => this.record(organisationId, users)),
      save: (change, expectedVersion) =>
        call(() => {
          this.save(change, expectedVersion);
        }),
      findByInvitationTokenHash: (hash) => call(() => this.organisationOfTokenHash.get(hash)),
    };
    this.memberships = { findByUser: (userId) => call(() => this.memberContext(userId)) };
    this.roster = { page: (organisationId, query) => call(() => this.rosterPage(organisationId, query)) };
    this.auditLog = {
      page: (organisationId, query) =>
        call(() => {
          const log = this.auditByOrganisation.get(organisationId) ?? [];
          const end = query.beforePosition === null ? log.length : Math.min(log.length, query.beforePosition - 1);
          const start = Math.max(0, end - query.limit);
          return { items: structuredClone(log.slice(start, end).reverse()), hasMore: start > 0 };
        }),
      record: (event) =>
        call(() => {
          if (event.organisationId !== null) throw new RangeError('an organisation’s events are saved with its change');
          this.allEvents.push({ event: structuredClone(event), order: this.allEvents.length + 1 });
        }),
      search: (query) => call(() => this.search(query)),
    };
    this.users = {
      findById: (id) =>
        call(() => {
          const user = this.usersById.get(id);
          return user === undefined ? undefined : copyUser(user);
        }),
      findByIds: (ids) =>
        call(() =>
          [...new Set(ids)].flatMap((id) => {
            const user = this.usersById.get(id);
            return user === undefined ? [] : [copyUser(user)];
          }),
        ),
      findByEmail: (email) =>
        call(() => {
          const id = this.userIdByEmail.get(email);
          const user = id === undefined ? undefined : this.usersById.get(id);
          return user === undefined ? undefined : copyUser(user);
        }),
      upsert: (updates) =>
        call(() => {
          this.upsertUsers(updates);
        }),
      recordActivity: (activity) =>
        call(() => {
          for (const { userId, at } of activity) {
            const user = this.usersById.get(userId);
            if (user !== undefined && (user.lastActiveAt === null || user.lastActiveAt.getTime() < at.getTime())) this.putUser({ ...user, lastActiveAt: at });
          }
        }),
    };
    this.clients = {
      assignedTo: (organisationId, userId) => call(() => this.assignedClients(organisationId, userId)),
      listForOrganisation: (organisationId) => call(() => this.assignmentsOf(organisationId)),
    };
  }

  /** Adds or replaces a directory user (and refreshes their roster row); no email check (seeding). */
  putUser(user: DirectoryUser): void {
    const previous = this.usersById.get(user.id);
    if (previous !== undefined && this.userIdByEmail.get(previous.email) === user.id) this.userIdByEmail.delete(previous.email);
    const stored = copyUser(user);
    this.usersById.set(user.id, stored);
    this.userIdByEmail.set(stored.email, stored.id);
    const organisation = this.organisationOf(user.id);
    const membership = organisation?.members.get(user.id);
    if (organisation !== undefined && membership !== undefined) organisation.roster.upsert(this.rosterEntry(user.id, membership.role));
  }

  /**
   * Creates an organisation holding the whole `state` (checked by the aggregate's rules) unless one
   * with its id exists; false when it did.
   *
   * @throws `InvalidOrganisationStateError` for a state that breaks a rule;
   *   `MemberOfAnotherOrganisationError` when a member belongs to another organisation.
   */
  async createOrganisation(state: OrganisationState): Promise<boolean> {
    if (this.organisationsById.has(state.id)) return false;
    const creation = PartnerOrganisation.create(state).pullChange();
    if (creation !== undefined) await this.organisations.save(creation, 0);
    return true;
  }

  private upsertUsers(updates: readonly DirectoryUserUpdate[]): void {
    // After the batch, no address may belong to two users: a later update of one id wins, and a
    // holder outside the batch keeps its address.
    const finalEmail = new Map(updates.map((u) => [u.id, u.email]));
    const owner = new Map<string, string>();
    for (const [id, email] of finalEmail) {
      const other = owner.get(email);
      const holder = this.userIdByEmail.get(email);
      if ((other !== undefined && other !== id) || (holder !== undefined && holder !== id && !finalEmail.has(holder))) throw new EmailInUseError(email);
      owner.set(email, id);
    }
    // One final update per id (a later update of an id in the batch replaces an earlier one).
    const finalUpdates = new Map(updates.map((u) => [u.id, u]));
    for (const update of finalUpdates.values()) {
      const existing = this.usersById.get(update.id);
      this.putUser({
        id: update.id,
        name: update.name,
        email: update.email,
        mfaEnabled: update.mfaEnabled,
        lastActiveAt: update.lastActiveAt === undefined ? (existing?.lastActiveAt ?? null) : update.lastActiveAt,
      });
    }
  }

  /** Adds or renames a client. */
  putClient(client: AssignedClient): void {
    this.clientNames.set(client.clientId, client.name);
  }

  /**
   * Lets `userId` support `clientId` within `organisationId` (named as `putClient` named it), with
   * no check at all and no audit event: kept for legacy imports and for tests that plant an
   * assignment breaking the rules. Everything else assigns through the support operations.
   */
  assignClient(organisationId: string, userId: string, clientId: string): void {
    const stored = this.organisationsById.get(organisationId);
    if (stored === undefined) throw new RangeError(`no organisation ${organisationId}`);
    const name = this.clientNames.get(clientId) ?? clientId;
    this.save(
      { organisationId, profile: null, upsertedMembers: [], removedMembers: [], upsertedInvitations: [], removedInvitations: [], addedAssignments: [{ userId, clientId, name }], events: [] },
      stored.version,
    );
  }

  /** A deep copy of the whole store. */
  dump(): InMemoryStoreDump {
    return {
      organisations: Object.fromEntries(
        [...this.organisationsById].map(([id, stored]) => [
          id,
          {
            version: stored.version,
            state: {
              ...stored.profile,
              memberships: [...stored.members.values()].map(copyMembership),
              invitations: [...stored.invitations.values()].map(copyInvitation),
            },
            assignments: this.assignmentsOf(id),
          },
        ]),
      ),
      auditEvents: Object.fromEntries([...this.auditByOrganisation].map(([id, log]) => [id, log.map((l) => structuredClone(l.event))])),
      unscopedAuditEvents: this.allEvents.filter((e) => e.event.organisationId === null).map((e) => structuredClone(e.event)),
      users: [...this.usersById.values()].map(copyUser),
    };
  }

  /**
   * Runs one port call. By default the work happens at call time (as a database applies a request
   * on arrival), which keeps the window between a use case's load and save as small as a real
   * store's; with `interleave`, the work waits for the next turn of the event loop instead, so that
   * concurrent use cases interleave as much as possible.
   */
  private call<T>(work: () => T): Promise<T> {
    // A throw inside `work` becomes the promise's rejection either way.
    if (this.options.interleave !== true) {
      return new Promise<T>((resolve) => {
        resolve(work());
      });
    }
    return new Promise<void>((resolve) => {
      setImmediate(resolve);
    }).then(work);
  }

  private organisationOf(userId: string): StoredOrganisation | undefined {
    const organisationId = this.organisationOfUser.get(userId);
    return organisationId === undefined ? undefined : this.organisationsById.get(organisationId);
  }

  private record(organisationId: string, users: readonly string[]): OrganisationRecord | undefined {
    const stored = this.organisationsById.get(organisationId);
    if (stored === undefined) return undefined;
    const members = new Map<string, Membership | null>();
    const assignments = new Map<string, AssignedClient[]>();
    for (const userId of users) {
      const membership = stored.members.get(userId);
      members.set(userId, membership === undefined ? null : copyMembership(membership));
      assignments.set(userId, [...(stored.assignments.get(userId) ?? [])].map(([clientId, name]) => ({ clientId, name })));
    }
    return {
      profile: { ...stored.profile },
      version: stored.version,
      adminCount: stored.admins,
      members,
      assignments,
      invitations: [...stored.invitations.values()].map(copyInvitation),
    };
  }

  private save(change: OrganisationChange, expectedVersion: number): void {
    const existing = this.organisationsById.get(change.organisationId);
    if ((existing?.version ?? 0) !== expectedVersion) throw new ConcurrencyConflictError(change.organisationId);
    if (change.events.some((e) => e.organisationId !== change.organisationId)) throw new RangeError('audit events must belong to the saved organisation');
    if (existing === undefined && change.profile === null) throw new RangeError('creating an organisation needs its profile');
    for (const m of change.upsertedMembers) {
      const other = this.organisationOfUser.get(m.userId);
      if (other !== undefined && other !== change.organisationId) throw new MemberOfAnotherOrganisationError();
    }
    // Checks passed: apply everything, with no await in between.
    const stored: StoredOrganisation = existing ?? {
      profile: { ...(change.profile as OrganisationProfile) },
      version: 0,
      members: new Map(),
      admins: 0,
      invitations: new Map(),
      assignments: new Map(),
      roster: new RosterIndex(),
    };
    if (change.profile !== null) stored.profile = { ...change.profile };
    stored.version = expectedVersion + 1;
    const initial = stored.members.size === 0;
    for (const userId of change.removedMembers) {
      const before = stored.members.get(userId);
      if (before === undefined) continue;
      if (managesTeam(before.role)) stored.admins -= 1;
      stored.members.delete(userId);
      this.organisationOfUser.delete(userId);
      stored.roster.remove(userId);
    }
    // A member's assignments end with their membership.
    for (const userId of change.removedMembers) stored.assignments.delete(userId);
    for (const a of change.removedAssignments ?? []) {
      const clients = stored.assignments.get(a.userId);
      clients?.delete(a.clientId);
      if (clients?.size === 0) stored.assignments.delete(a.userId);
    }
    for (const a of change.addedAssignments ?? []) {
      const clients = stored.assignments.get(a.userId) ?? new Map<string, string>();
      clients.set(a.clientId, a.name);
      stored.assignments.set(a.userId, clients);
    }
    for (const m of change.upsertedMembers) {
      const before = stored.members.get(m.userId);
      if (before !== undefined && managesTeam(before.role)) stored.admins -= 1;
      if (managesTeam(m.role)) stored.admins += 1;
      stored.members.set(m.userId, copyMembership(m));
      this.organisationOfUser.set(m.userId, change.organisationId);
      if (!initial && before?.role !== m.role) stored.roster.upsert(this.rosterEntry(m.userId, m.role));
    }
    // A first fill sorts once instead of inserting member by member.
    if (initial) stored.roster.load([...stored.members.values()].map((m) => this.rosterEntry(m.userId, m.role)));
    for (const id of change.removedInvitations) {
      const before = stored.invitations.get(id);
      if (before !== undefined) this.organisationOfTokenHash.delete(before.tokenHash);
      stored.invitations.delete(id);
    }
    for (const invitation of change.upsertedInvitations) {
      const before = stored.invitations.get(invitation.id);
      if (before !== undefined && before.tokenHash !== invitation.tokenHash) this.organisationOfTokenHash.delete(before.tokenHash);
      stored.invitations.set(invitation.id, copyInvitation(invitation));
      this.organisationOfTokenHash.set(invitation.tokenHash, change.organisationId);
    }
    this.organisationsById.set(change.organisationId, stored);
    const log = this.auditByOrganisation.get(change.organisationId) ?? [];
    for (const event of change.events) {
      log.push({ event: structuredClone(event), position: log.length + 1 });
      this.allEvents.push({ event: structuredClone(event), order: this.allEvents.length + 1 });
    }
    this.auditByOrganisation.set(change.organisationId, log);
  }

  /** Support's search: a scan of the whole log, newest first (acceptable for this support-only read). */
  private search(query: AuditSearchQuery): { items: SearchedAuditEvent[]; hasMore: boolean } {
    const items: SearchedAuditEvent[] = [];
    const start = query.after === null ? this.allEvents.length - 1 : Math.min(this.allEvents.length, query.after.order - 1) - 1;
    for (let n = start; n >= 0; n -= 1) {
      const { event, order } = this.allEvents[n] as { event: AuditEvent; order: number };
      if (query.organisationId !== undefined && event.organisationId !== query.organisationId) continue;
      if (query.actorUserId !== undefined && event.actorUserId !== query.actorUserId) continue;
      if (query.targetUserId !== undefined && event.targetUserId !== query.targetUserId) continue;
      if (query.action !== undefined && event.action !== query.action) continue;
      if (query.from !== undefined && event.at.getTime() < query.from.getTime()) continue;
      if (query.to !== undefined && event.at.getTime() >= query.to.getTime()) continue;
      if (items.length === query.limit) return { items, hasMore: true };
      items.push({ event: structuredClone(event), position: { order, key: '' } });
    }
    return { items, hasMore: false };
  }

  private rosterEntry(userId: string, role: RosterEntry['role']): RosterEntry {
    const user = this.usersById.get(userId);
    return {
      userId,
      role,
      name: user?.name ?? '',
      email: user?.email ?? '',
      mfaEnabled: user?.mfaEnabled ?? false,
      lastActiveAt: user?.lastActiveAt ?? null,
    };
  }

  private memberContext(userId: string): MemberContext | undefined {
    const organisation = this.organisationOf(userId);
    const membership = organisation?.members.get(userId);
    if (organisation === undefined || membership === undefined) return undefined;
    return { organisation: { ...organisation.profile }, membership: copyMembership(membership) };
  }

  private rosterPage(organisationId: string, query: RosterQuery): RosterPage {
    const page = this.organisationsById.get(organisationId)?.roster.page(query) ?? { items: [], total: 0, hasMore: false };
    return { ...page, items: page.items.map(copyEntry) };
  }

  private assignedClients(organisationId: string, userId: string): AssignedClient[] {
    const clients = this.organisationsById.get(organisationId)?.assignments.get(userId) ?? new Map<string, string>();
    return [...clients]
      .map(([clientId, name]) => ({ clientId, name }))
      .sort((a, b) => compareText(a.name, b.name) || compareText(a.clientId, b.clientId));
  }

  private assignmentsOf(organisationId: string): ClientAssignment[] {
    const assignments = this.organisationsById.get(organisationId)?.assignments ?? new Map<string, Map<string, string>>();
    return [...assignments]
      .flatMap(([userId, clients]) => [...clients].map(([clientId, name]) => ({ userId, clientId, name })))
      .sort((a, b) => byCodePoints(a.userId, b.userId) || byCodePoints(a.clientId, b.clientId));
  }
}
