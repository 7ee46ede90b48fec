import { PartnerOrganisation, type AssignedClient, type DirectoryUser, type Logger, type OrganisationState, type PersistencePorts } from '@partner-team/core';
import { MongoClient, type Db, type MongoClientOptions } from 'mongodb';
import { collections, type Collections } from './collections.js';
import { MembershipClaims } from './membership-claims.js';
import { MongoAuditLog } from './mongo-audit-log.js';
import { MongoClientAssignments } from './mongo-client-assignments.js';
import { MongoMemberRoster } from './mongo-member-roster.js';
import { MongoMembershipLookup } from './mongo-membership-lookup.js';
import { MongoOrganisationRepository } from './mongo-organisation-repository.js';
import { MongoUserDirectory } from './mongo-user-directory.js';
import { OrganisationLog, type OrganisationLogOptions } from './organisation-log.js';
import { RecentUserDocs } from './user-docs.js';
import { guarded } from './store-errors.js';

export interface MongoPersistenceOptions extends OrganisationLogOptions {
  readonly uri: string;
  readonly logger: Logger;
  /** Database name; default: the URI's, else `partner_team`. */
  readonly databaseName?: string;
  /** Prefix of every collection name (to share a database). */
  readonly collectionPrefix?: string;
  /**
   * How recently a read of the same organisation must have confirmed this process's view for a
   * roster page, audit page or profile answer to use it without reading again (ms). Default 250:
   * a request's own membership check confirms it just before.
   */
  readonly freshnessMs?: number;
  /** Extra driver options (command monitoring, pool size…). */
  readonly clientOptions?: MongoClientOptions;
}

/**
 * Every persistence port of Partner Team on MongoDB (or FerretDB), plus directory and client
 * maintenance for provisioning. Open it with {@link MongoPersistence.open}; the design is described
 * in docs/adr/0006-mongodb-persistence.md.
 */
export class MongoPersistence implements PersistencePorts {
  readonly kind = 'mongodb' as const;
  readonly organisations: MongoOrganisationRepository;
  readonly memberships: MongoMembershipLookup;
  readonly roster: MongoMemberRoster;
  readonly auditLog: MongoAuditLog;
  readonly users: MongoUserDirectory;
  readonly clients: MongoClientAssignments;
  private readonly log: OrganisationLog;

  private constructor(
    readonly client: MongoClient,
    readonly db: Db,
    readonly collections: Collections,
    logger: Logger,
    options: MongoPersistenceOptions,
  ) {
    const freshness = options.freshnessMs ?? 250;
    this.log = new OrganisationLog(collections, logger, options);
    const claims = new MembershipClaims(collections, this.log);
    const recentDocs = new RecentUserDocs();
    this.organisations = new MongoOrganisationRepository(collections, this.log, claims, recentDocs);
    this.memberships = new MongoMembershipLookup(claims, this.log);
    this.roster = new MongoMemberRoster(this.log, freshness);
    this.auditLog = new MongoAuditLog(collections, this.log, freshness);
    this.users = new MongoUserDirectory(collections, this.log, claims, recentDocs);
    this.clients = new MongoClientAssignments(collections, this.log, this.organisations, freshness);
  }

  /** Connects with bounded timeouts and creates the one index only MongoDB's deep audit pages use. */
  static async open(options: MongoPersistenceOptions): Promise<MongoPersistence> {
    const client = new MongoClient(options.uri, {
      appName: 'partner-team',
      serverSelectionTimeoutMS: 3000,
      connectTimeoutMS: 3000,
      socketTimeoutMS: 15_000,
      maxPoolSize: 20,
      // Decisions are read and written with majority concerns: on a replica set, an entry answered
      // 2xx survives a failover, and no decision is taken on a write that could still roll back.
      writeConcern: { w: 'majority', journal: true },
      readConcern: { level: 'majority' },
      ...options.clientOptions,
    });
    try {
      await guarded(() => client.connect());
      const db = client.db(options.databaseName ?? (databaseFromUri(options.uri) || 'partner_team'));
      const store = new MongoPersistence(client, db, collections(db, options.collectionPrefix ?? ''), options.logger, options);
      await guarded(() => store.ensureIndexes());
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

  /** Waits for background work (snapshots) to finish. */
  settle(): Promise<void> {
    return this.log.settle();
  }

  /** Waits for background work (snapshots), then closes the connections. */
  async close(): Promise<void> {
    await this.log.settle();
    await this.client.close();
  }

  /** Adds or replaces a directory user (and their roster rows' profile); no email check (seeding). */
  putUser(user: DirectoryUser): Promise<void> {
    return this.users.putUser(user);
  }

  putClient(client: AssignedClient): Promise<void> {
    return this.clients.putClient(client);
  }

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
    const view = await this.log.authoritative(organisationId);
    if (view?.profile === undefined) return undefined;
    return { state: { ...view.profile, memberships: view.allMembers(), invitations: view.allInvitations() }, version: view.seq };
  }

  /** Forgets every view this process holds, so the next reads load from the store (tests). */
  forgetViews(): void {
    this.log.forget();
  }

  private async ensureIndexes(): Promise<void> {
    // Deep audit pages read history by organisation and event position. FerretDB keeps the index
    // but scans anyway; MongoDB walks it.
    const history = this.collections.history;
    const existing = await history.listIndexes().toArray().catch((error: unknown) => {
      if ((error as { code?: unknown }).code === 26) return [];
      throw error;
    });
    if (!existing.some((i) => (i as { name?: unknown }).name === 'audit_by_position')) {
      await history.createIndex({ o: 1, ep: 1 }, { name: 'audit_by_position' }, {});
    }
    // The support search walks both streams newest first.
    if (!existing.some((i) => (i as { name?: unknown }).name === 'entry_time')) await history.createIndex({ at: 1 }, { name: 'entry_time' }, {});
    const unscoped = await this.collections.unscopedEvents.listIndexes().toArray().catch((error: unknown) => {
      if ((error as { code?: unknown }).code === 26) return [];
      throw error;
    });
    if (!unscoped.some((i) => (i as { name?: unknown }).name === 'unscoped_event_time')) {
      await this.collections.unscopedEvents.createIndex({ stored: 1 }, { name: 'unscoped_event_time' }, {});
    }
  }
}

function databaseFromUri(uri: string): string {
  const match = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]*)/.exec(uri);
  return decodeURIComponent(match?.[1] ?? '');
}
