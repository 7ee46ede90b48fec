import {
  ConcurrencyConflictError,
  MemberOfAnotherOrganisationError,
  compareText,
  maxAuditEventsPerSave,
  type AssignedClient,
  type AuditEvent,
  type AuditLog,
  type ClientAssignments,
  type DirectoryUser,
  type LoggedAuditEvent,
  type MemberContext,
  type Membership,
  type MemberRoster,
  type MembershipLookup,
  type OrganisationRepository,
  type OrganisationState,
  type RosterEntry,
  type RosterPage,
  type RosterQuery,
  type UserDirectory,
  type VersionedOrganisation,
} from '@partner-team/core';
import { RosterIndex } from './roster-index.js';

interface StoredOrganisation {
  readonly state: OrganisationState;
  readonly version: number;
}

/** Everything the store holds, as deep copies: for "nothing changed" assertions. */
export interface InMemoryStoreDump {
  readonly organisations: Record<string, StoredOrganisation>;
  readonly auditEvents: Record<string, readonly AuditEvent[]>;
  readonly users: readonly DirectoryUser[];
}

export interface InMemoryStoreOptions {
  /**
   * Yield to the event loop (a macrotask) at the start of every port call, so that concurrent use
   * cases interleave between their load and their save as they would on a real database.
   */
  readonly interleave?: boolean;
}

const copy = <T>(value: T): T => structuredClone(value);
const copyDate = (d: Date): Date => new Date(d.getTime());

/** A deep copy of a state; hand-written because it runs on every load and save. */
function copyState(state: OrganisationState): OrganisationState {
  return {
    id: state.id,
    name: state.name,
    status: state.status,
    bootstrapped: state.bootstrapped,
    invitationsEnabled: state.invitationsEnabled,
    memberships: state.memberships.map((m) => ({ userId: m.userId, role: m.role, joinedAt: copyDate(m.joinedAt) })),
    invitations: state.invitations.map((i) => ({
      ...i,
      createdAt: copyDate(i.createdAt),
      expiresAt: copyDate(i.expiresAt),
      closedAt: i.closedAt === null ? null : copyDate(i.closedAt),
    })),
  };
}

const copyEntry = (e: RosterEntry): RosterEntry => ({
  userId: e.userId,
  name: e.name,
  email: e.email,
  role: e.role,
  mfaEnabled: e.mfaEnabled,
  lastActiveAt: e.lastActiveAt === null ? null : copyDate(e.lastActiveAt),
});

/**
 * One in-process store backing every persistence port. It keeps copies (never the objects it was
 * given or hands out), applies the same version check and cross-organisation membership check as
 * the MongoDB adapter, and keeps a sorted roster index per organisation. Single-threaded JavaScript
 * makes each `save` atomic: the check and all writes happen without an intervening await.
 */
export class InMemoryPartnerTeamStore {
  private readonly organisationsById = new Map<string, StoredOrganisation>();
  private readonly organisationOfUser = new Map<string, string>();
  private readonly organisationOfTokenHash = new Map<string, string>();
  private readonly auditByOrganisation = new Map<string, LoggedAuditEvent[]>();
  private readonly usersById = new Map<string, DirectoryUser>();
  private readonly userIdByEmail = new Map<string, string>();
  private readonly rosters = new Map<string, RosterIndex>();
  private readonly membersByOrganisation = new Map<string, Map<string, Membership>>();
  private readonly clientNames = new Map<string, string>();
  private readonly assignments = new Map<string, Set<string>>();

  readonly organisations: OrganisationRepository;
  readonly memberships: MembershipLookup;
  readonly roster: MemberRoster;
  readonly auditLog: AuditLog;
  readonly users: UserDirectory;
  readonly clients: ClientAssignments;

  constructor(private readonly options: InMemoryStoreOptions = {}) {
    const call = <T>(work: () => T): Promise<T> => this.call(work);
    this.organisations = {
      load: (id) => call(() => this.load(id)),
      save: (state, expectedVersion, events) => call(() => { this.save(state, expectedVersion, events); }),
      findByInvitationTokenHash: (hash) => call(() => this.organisationOfTokenHash.get(hash)),
    };
    this.memberships = {
      findByUser: (userId) => call(() => this.memberContext(userId)),
      findOrganisationId: (userId) => call(() => this.organisationOfUser.get(userId)),
      findWithTeammate: (userId, teammateId) =>
        call(() => {
          const context = this.memberContext(userId);
          return context === undefined ? undefined : { ...context, teammateIsMember: this.membershipIn(context.organisation.id, teammateId) !== undefined };
        }),
    };
    this.roster = { page: (organisationId, query) => call(() => this.rosterPage(organisationId, query)) };
    this.auditLog = {
      page: (organisationId, query) =>
        call(() => {
          const log = this.auditByOrganisation.get(organisationId) ?? [];
          const end = query.beforePosition === null ? log.length : Math.min(log.length, query.beforePosition - 1);
          const start = Math.max(0, end - query.limit);
          return { items: copy(log.slice(start, end).reverse()), hasMore: start > 0 };
        }),
    };
    this.users = {
      findById: (id) =>
        call(() => {
          const user = this.usersById.get(id);
          return user === undefined ? undefined : copy(user);
        }),
      findByEmail: (email) =>
        call(() => {
          const id = this.userIdByEmail.get(email);
          const user = id === undefined ? undefined : this.usersById.get(id);
          return user === undefined ? undefined : copy(user);
        }),
    };
    this.clients = { assignedTo: (organisationId, userId) => call(() => this.assignedClients(organisationId, userId)) };
  }

  /** Adds or replaces a directory user (and refreshes their roster row). */
  putUser(user: DirectoryUser): void {
    const previous = this.usersById.get(user.id);
    if (previous !== undefined && this.userIdByEmail.get(previous.email) === user.id) this.userIdByEmail.delete(previous.email);
    const stored = copy(user);
    this.usersById.set(user.id, stored);
    this.userIdByEmail.set(stored.email, stored.id);
    const organisationId = this.organisationOfUser.get(user.id);
    const membership = organisationId === undefined ? undefined : this.membershipIn(organisationId, user.id);
    if (organisationId !== undefined && membership !== undefined) {
      this.rosterOf(organisationId).upsert(this.rosterEntry(user.id, membership.role));
    }
  }

  /** Adds or renames a client. */
  putClient(client: AssignedClient): void {
    this.clientNames.set(client.clientId, client.name);
  }

  /** Lets `userId` support `clientId` within `organisationId`. */
  assignClient(organisationId: string, userId: string, clientId: string): void {
    const key = `${organisationId}\u0000${userId}`;
    const set = this.assignments.get(key) ?? new Set<string>();
    set.add(clientId);
    this.assignments.set(key, set);
  }

  /** A deep copy of the whole store. */
  dump(): InMemoryStoreDump {
    return {
      organisations: Object.fromEntries([...this.organisationsById].map(([id, stored]) => [id, copy(stored)])),
      auditEvents: Object.fromEntries([...this.auditByOrganisation].map(([id, log]) => [id, log.map((l) => copy(l.event))])),
      users: [...this.usersById.values()].map(copy),
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

  private load(organisationId: string): VersionedOrganisation | undefined {
    const stored = this.organisationsById.get(organisationId);
    return stored === undefined ? undefined : { state: copyState(stored.state), version: stored.version };
  }

  private save(state: OrganisationState, expectedVersion: number, events: readonly AuditEvent[]): void {
    const previous = this.organisationsById.get(state.id);
    if ((previous?.version ?? 0) !== expectedVersion) throw new ConcurrencyConflictError(state.id);
    if (events.length > maxAuditEventsPerSave || events.some((e) => e.organisationId !== state.id)) {
      throw new RangeError('audit events must belong to the saved organisation (at most 16 per save)');
    }
    for (const m of state.memberships) {
      const other = this.organisationOfUser.get(m.userId);
      if (other !== undefined && other !== state.id) throw new MemberOfAnotherOrganisationError();
    }
    const stored: StoredOrganisation = { state: copyState(state), version: expectedVersion + 1 };
    this.reindex(previous?.state, stored.state);
    this.organisationsById.set(state.id, stored);
    const log = this.auditByOrganisation.get(state.id) ?? [];
    for (const event of events) log.push({ event: copy(event), position: log.length + 1 });
    this.auditByOrganisation.set(state.id, log);
  }

  private reindex(before: OrganisationState | undefined, after: OrganisationState): void {
    const roster = this.rosterOf(after.id);
    const previous = this.membersByOrganisation.get(after.id) ?? new Map<string, Membership>();
    const current = new Map(after.memberships.map((m) => [m.userId, m]));
    // The roster holds exactly the previous members: empty means this is the first save.
    const initial = previous.size === 0;
    for (const userId of previous.keys()) {
      if (current.has(userId)) continue;
      this.organisationOfUser.delete(userId);
      roster.remove(userId);
    }
    for (const [userId, membership] of current) {
      const old = previous.get(userId);
      if (old === undefined) this.organisationOfUser.set(userId, after.id);
      if (!initial && old?.role !== membership.role) roster.upsert(this.rosterEntry(userId, membership.role));
    }
    if (initial) roster.load([...current.values()].map((m) => this.rosterEntry(m.userId, m.role)));
    this.membersByOrganisation.set(after.id, current);
    for (const invitation of before?.invitations ?? []) this.organisationOfTokenHash.delete(invitation.tokenHash);
    for (const invitation of after.invitations) this.organisationOfTokenHash.set(invitation.tokenHash, after.id);
  }

  private rosterOf(organisationId: string): RosterIndex {
    let roster = this.rosters.get(organisationId);
    if (roster === undefined) {
      roster = new RosterIndex();
      this.rosters.set(organisationId, roster);
    }
    return roster;
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

  private membershipIn(organisationId: string, userId: string): Membership | undefined {
    return this.membersByOrganisation.get(organisationId)?.get(userId);
  }

  private memberContext(userId: string): MemberContext | undefined {
    const organisationId = this.organisationOfUser.get(userId);
    const stored = organisationId === undefined ? undefined : this.organisationsById.get(organisationId);
    const membership = organisationId === undefined ? undefined : this.membershipIn(organisationId, userId);
    if (stored === undefined || membership === undefined) return undefined;
    const { id, name, status, bootstrapped, invitationsEnabled } = stored.state;
    return {
      organisation: { id, name, status, bootstrapped, invitationsEnabled },
      membership: { userId: membership.userId, role: membership.role, joinedAt: copyDate(membership.joinedAt) },
      memberCount: this.membersByOrganisation.get(id)?.size ?? 0,
    };
  }

  private rosterPage(organisationId: string, query: RosterQuery): RosterPage {
    const page = this.rosters.get(organisationId)?.page(query) ?? { items: [], total: 0, hasMore: false };
    return { ...page, items: page.items.map(copyEntry) };
  }

  private assignedClients(organisationId: string, userId: string): AssignedClient[] {
    const ids = this.assignments.get(`${organisationId}\u0000${userId}`) ?? new Set<string>();
    return [...ids]
      .map((clientId) => ({ clientId, name: this.clientNames.get(clientId) ?? clientId }))
      .sort((a, b) => compareText(a.name, b.name) || compareText(a.clientId, b.clientId));
  }
}
