import type { AssignedClient, DirectoryUser, Logger, OrganisationState, PersistencePorts } from '@partner-team/core';
import { PartnerOrganisation } from '@partner-team/core';
import { MongoClient, type Db, type MongoClientOptions } from 'mongodb';
import { collections, ensureIndexes, type Collections } from './collections.js';
import { CommitLog } from './commit-log.js';
import { stateFromDoc } from './documents.js';
import { MembershipClaims } from './membership-claims.js';
import { MongoOrganisationRepository } from './mongo-organisation-repository.js';
import { MongoAuditLog } from './mongo-audit-log.js';
import { MongoClientAssignments } from './mongo-client-assignments.js';
import { MongoMemberRoster } from './mongo-member-roster.js';
import { MongoMembershipLookup } from './mongo-membership-lookup.js';
import { MongoUserDirectory } from './mongo-user-directory.js';
import { RosterProjection } from './roster-projection.js';
import { guarded } from './store-errors.js';

export interface MongoPersistenceOptions {
  readonly uri: string;
  readonly logger: Logger;
  /** Database name; default: the URI's, else `partner_team`. */
  readonly databaseName?: string;
  /** Prefix of every collection name (to share a database). */
  readonly collectionPrefix?: string;
  /** Re-derive the roster of organisations changed within the last `repairWindowMs`, every `repairIntervalMs`. 0 disables. */
  readonly repairIntervalMs?: number;
  readonly repairWindowMs?: number;
  /** Extra driver options (command monitoring, pool size…). */
  readonly clientOptions?: MongoClientOptions;
}

/**
 * Every persistence port of Partner Team on MongoDB (or FerretDB), plus directory and client
 * maintenance for provisioning. Open it with {@link MongoPersistence.open}; design and indexes in
 * docs/adr/0006-mongodb-persistence.md.
 */
export class MongoPersistence implements PersistencePorts {
  readonly kind = 'mongodb' as const;
  readonly organisations: MongoOrganisationRepository;
  readonly memberships: MongoMembershipLookup;
  readonly roster: MongoMemberRoster;
  readonly auditLog: MongoAuditLog;
  readonly users: MongoUserDirectory;
  readonly clients: MongoClientAssignments;
  /** @internal The roster read model, for repair and tests. */
  readonly projection: RosterProjection;
  private readonly commitLog: CommitLog;
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    readonly client: MongoClient,
    readonly db: Db,
    readonly collections: Collections,
    private readonly logger: Logger,
  ) {
    const log = new CommitLog(collections);
    const claims = new MembershipClaims(collections, log);
    this.projection = new RosterProjection(collections, log, logger);
    this.organisations = new MongoOrganisationRepository(collections, log, claims, this.projection, logger);
    this.memberships = new MongoMembershipLookup(claims, log);
    this.roster = new MongoMemberRoster(collections, log);
    this.auditLog = new MongoAuditLog(collections);
    this.users = new MongoUserDirectory(collections);
    this.clients = new MongoClientAssignments(collections, this.organisations);
    this.commitLog = log;
  }

  /**
   * Connects with bounded timeouts, creates the indexes, repairs any roster projection left behind
   * by a crash, and starts the periodic repair.
   */
  static async open(options: MongoPersistenceOptions): Promise<MongoPersistence> {
    const client = new MongoClient(options.uri, {
      appName: 'partner-team',
      serverSelectionTimeoutMS: 3000,
      connectTimeoutMS: 3000,
      socketTimeoutMS: 15_000,
      maxPoolSize: 20,
      // Decisions are read and written with majority concerns: on a replica set, a commit answered
      // 2xx survives a failover, and no decision is taken on a write that could still roll back.
      writeConcern: { w: 'majority', journal: true },
      readConcern: { level: 'majority' },
      ...options.clientOptions,
    });
    try {
      await guarded(() => client.connect());
      const db = client.db(options.databaseName ?? (databaseFromUri(options.uri) || 'partner_team'));
      const store = new MongoPersistence(client, db, collections(db, options.collectionPrefix ?? ''), options.logger);
      await guarded(() => ensureIndexes(store.collections));
      await store.repairAll();
      const interval = options.repairIntervalMs ?? 5000;
      if (interval > 0) store.startRepair(interval, options.repairWindowMs ?? 60_000);
      return store;
    } catch (error: unknown) {
      await client.close().catch(() => undefined);
      throw error;
    }
  }

  async ready(): Promise<boolean> {
    try {
      // Bounded by the client's server selection timeout when the server is gone.
      await this.db.command({ ping: 1 });
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.client.close();
  }

  /** Adds or replaces a directory user (and their roster rows' profile). */
  putUser(user: DirectoryUser): Promise<void> {
    return this.users.putUser(user);
  }

  putClient(client: AssignedClient): Promise<void> {
    return this.clients.putClient(client);
  }

  /**
   * Assigns a client with no check and no audit event: for legacy imports and tests that plant a
   * broken assignment only (support assigns through the operations).
   */
  assignClient(organisationId: string, userId: string, clientId: string): Promise<void> {
    return this.clients.assign(organisationId, userId, clientId);
  }

  /** Creates an organisation unless it exists; false when it already did (fixture loading is idempotent). */
  async createOrganisation(state: OrganisationState): Promise<boolean> {
    if ((await this.organisations.load(state.id)) !== undefined) return false;
    const change = PartnerOrganisation.create(state).pullChange();
    if (change !== undefined) await this.organisations.save(change, 0);
    return true;
  }

  /** The whole current state of an organisation (every membership and kept invitation) and its version, for export and inspection. */
  async exportOrganisation(organisationId: string): Promise<{ readonly state: OrganisationState; readonly version: number } | undefined> {
    const head = await this.commitLog.head(organisationId);
    return head === undefined ? undefined : { state: stateFromDoc(organisationId, head.state), version: head.seq };
  }

  /** Re-derives the roster of every organisation whose projection is behind its head. */
  async repairAll(): Promise<void> {
    for (const organisationId of await this.commitLog.allOrganisations()) {
      // Only the sequence number is compared here; `reconcile` reads the full head itself.
      const head = await this.commitLog.headMembers(organisationId, []);
      if (head !== undefined && (await this.projection.markedSeq(organisationId)) < head.seq) await this.projection.reconcile(organisationId);
    }
  }

  /** Re-derives the roster of organisations changed within the window. */
  async repairRecent(windowMs: number): Promise<void> {
    for (const organisationId of await this.commitLog.organisationsChangedSince(new Date(Date.now() - windowMs))) {
      await this.projection.reconcile(organisationId);
    }
  }

  private startRepair(intervalMs: number, windowMs: number): void {
    let running = false;
    this.timer = setInterval(() => {
      if (running) return;
      running = true;
      this.repairRecent(windowMs)
        .catch((error: unknown) => {
          this.logger.warn('roster repair failed; will retry', { error: error instanceof Error ? error.name : 'unknown' });
        })
        .finally(() => {
          running = false;
        });
    }, intervalMs);
    this.timer.unref();
  }
}

function databaseFromUri(uri: string): string {
  const match = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]*)/.exec(uri);
  return decodeURIComponent(match?.[1] ?? '');
}
