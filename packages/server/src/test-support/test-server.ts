import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { ConcurrencyConflictError, type IdGenerator, type PersistencePorts } from '@partner-team/core';
import { CsrfTokens, JwtOperatorAuthenticator, JwtSessionAuthenticator, type OperatorRole } from '@partner-team/express';
import { InMemoryPartnerTeamStore } from '@partner-team/in-memory';
import { DeterministicTokens, FixedClock, MemoryLogger, RecordingNotifier, SequentialIds } from '@partner-team/testing';
import { apiMountPath, createApp } from '../app.js';
import { loadConfig } from '../config.js';
import { createContainer } from '../container.js';
import { createHttpServer, listen } from '../http-server.js';
import { parseFixture, type Fixture, type FixtureFile } from '../fixture.js';
import { createInMemoryPersistence, type Persistence } from '../persistence.js';
import { testFixture } from './test-fixture.js';

export const testSessionSecret = 'test-session-secret-of-at-least-32-characters';
/** The operations API's secret in the test servers (never the session secret). */
export const testOperationsSecret = 'test-operations-secret-of-at-least-32-chars';
export const testOperationsAudience = 'partner-team-operations';

/** How a {@link Client} presents its token. */
export type Credential = 'partner-cookie' | 'bearer' | 'operator-cookie';

/** An HTTP answer with its body parsed when it is JSON, and the request it answers. */
export interface Answer {
  readonly method: string;
  /** The path and query, relative to the client's base (the API's mount point for API clients). */
  readonly path: string;
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: unknown;
}

/** When enabled, every answer an API client receives is kept (for checks against the OpenAPI document). */
export const apiAnswerLog: { enabled: boolean; readonly answers: Answer[] } = { enabled: false, answers: [] };

/** Sends requests as one (or no) session, with its CSRF token on mutations. */
export class Client {
  constructor(
    private readonly baseUrl: string,
    readonly token: string | undefined,
    public csrfToken: string | undefined,
    readonly credential: Credential = 'partner-cookie',
  ) {}

  private authHeaders(): Record<string, string> {
    if (this.token === undefined) return {};
    if (this.credential === 'bearer') return { authorization: `Bearer ${this.token}` };
    return { cookie: `${this.credential === 'partner-cookie' ? 'partner_session' : 'operator_session'}=${this.token}` };
  }

  /** The same token presented another way, or against another API (`/api/operations`, `/api/partner-team`). */
  as(credential: Credential, baseUrl: string = this.baseUrl): Client {
    return new Client(baseUrl, this.token, this.csrfToken, credential);
  }

  async request(method: string, path: string, options: { body?: unknown; raw?: string; headers?: Record<string, string>; csrf?: boolean } = {}): Promise<Answer> {
    const headers: Record<string, string> = this.authHeaders();
    if (method !== 'GET' && options.csrf !== false && this.csrfToken !== undefined) headers['x-csrf-token'] = this.csrfToken;
    let body: string | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    Object.assign(headers, options.headers);
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const answer: Answer = { method, path, status: response.status, headers: response.headers, text, body: parsed };
    if (apiAnswerLog.enabled && this.baseUrl.endsWith(apiMountPath)) apiAnswerLog.answers.push(answer);
    return answer;
  }

  get(path: string, options?: Parameters<Client['request']>[2]) {
    return this.request('GET', path, options);
  }
  post(path: string, body?: unknown, options?: Parameters<Client['request']>[2]) {
    return this.request('POST', path, { ...options, ...(body === undefined ? {} : { body }) });
  }
  patch(path: string, body?: unknown, options?: Parameters<Client['request']>[2]) {
    return this.request('PATCH', path, { ...options, ...(body === undefined ? {} : { body }) });
  }
  delete(path: string, options?: Parameters<Client['request']>[2]) {
    return this.request('DELETE', path, options);
  }
}

/**
 * Ids of the fixture seeding in their own space, so they never collide with ids the use cases
 * issue; counted per kind, so the fixture's invitations are seed-inv-1, -2, … in fixture order.
 */
class SeedIds implements IdGenerator {
  private readonly counts = { invitation: 0, event: 0 };
  next(kind: 'invitation' | 'event'): string {
    this.counts[kind] += 1;
    return `seed-${kind === 'invitation' ? 'inv' : 'evt'}-${this.counts[kind]}`;
  }
}

/** Persistence whose store can be replaced with a freshly seeded one between test cases. */
class ResettablePersistence implements Persistence {
  readonly kind = 'in-memory' as const;
  current!: Persistence;
  store!: InMemoryPartnerTeamStore;
  readonly organisations = this.forward('organisations');
  readonly memberships = this.forward('memberships');
  readonly roster = this.forward('roster');
  readonly auditLog = this.forward('auditLog');
  readonly users = this.forward('users');
  readonly clients = this.forward('clients');
  readyAnswer = true;
  ready = () => Promise.resolve(this.readyAnswer);
  close = () => Promise.resolve();

  constructor(private readonly seed: (store: InMemoryPartnerTeamStore) => Promise<Persistence>) {}

  /** A port whose every call goes to the current store's port (the use cases keep the port object). */
  private forward<K extends keyof PersistencePorts>(port: K): PersistencePorts[K] {
    return new Proxy({} as PersistencePorts[K], {
      get: (_target, method) => (...args: unknown[]) => (this.current[port] as unknown as Record<PropertyKey, (...a: unknown[]) => unknown>)[method]?.(...args),
    });
  }

  async reset(): Promise<void> {
    const store = new InMemoryPartnerTeamStore();
    this.current = await this.seed(store);
    this.store = store;
  }
}

export interface TestServerOptions {
  readonly fixture?: FixtureFile;
  readonly mutationsPerMinute?: number;
  /** Environment over the test defaults; an empty value unsets the variable. */
  readonly env?: Record<string, string>;
  /** Wraps the persistence (to inject failures). */
  readonly wrap?: (persistence: Persistence) => Persistence;
}

/** A partner API client of the server at `baseUrl` with a fresh session for `userId`, holding the CSRF token GET /me returned. */
/** A `wrap` for {@link TestServerOptions}: a store where every save meets a newer version. */
export function savesAlwaysConflict(p: Persistence): Persistence {
  return {
    ...p,
    organisations: {
      loadForMember: (userId, teammates) => p.organisations.loadForMember(userId, teammates),
      load: (id, users) => p.organisations.load(id, users),
      findByInvitationTokenHash: (hash) => p.organisations.findByInvitationTokenHash(hash),
      save: (change) => Promise.reject(new ConcurrencyConflictError(change.organisationId)),
    },
  };
}

export async function signIn(baseUrl: string, sessions: JwtSessionAuthenticator, userId: string): Promise<Client> {
  const token = sessions.issue({ userId, sessionId: randomBytes(12).toString('base64url') }, 3600);
  const client = new Client(`${baseUrl}/api/partner-team`, token, undefined);
  const me = await client.get('/me');
  client.csrfToken = (me.body as { csrfToken?: string } | undefined)?.csrfToken;
  return client;
}

/** An operations API client of the server at `baseUrl` holding a fresh operator token (and, for the cookie, its CSRF token). */
export async function operatorClient(
  baseUrl: string,
  operators: JwtOperatorAuthenticator,
  operatorId: string,
  role: OperatorRole,
  credential: 'bearer' | 'operator-cookie' = 'bearer',
): Promise<Client> {
  const sessionId = credential === 'operator-cookie' ? randomBytes(12).toString('base64url') : undefined;
  const token = operators.issue({ operatorId, role, ...(sessionId === undefined ? {} : { sessionId }) }, 3600);
  const client = new Client(`${baseUrl}/api/operations`, token, undefined, credential);
  const me = await client.get('/me');
  client.csrfToken = (me.body as { csrfToken?: string | null } | undefined)?.csrfToken ?? undefined;
  return client;
}

/** The bundled server, started on an ephemeral port over a resettable in-memory store. */
export class TestServer {
  readonly clock = new FixedClock('2026-01-15T09:00:00.000Z');
  readonly notifier = new RecordingNotifier();
  readonly tokens = new DeterministicTokens();
  readonly logger = new MemoryLogger();
  readonly sessions = new JwtSessionAuthenticator(testSessionSecret);
  readonly csrf = new CsrfTokens(testSessionSecret);
  readonly operators = new JwtOperatorAuthenticator(testOperationsSecret, { audience: testOperationsAudience });
  baseUrl = '';
  private server: Server | undefined;

  private constructor(
    readonly fixture: Fixture,
    readonly persistence: ResettablePersistence,
  ) {}

  /** The raw seed tokens of the fixture's invitations, in fixture order. */
  seedTokens: string[] = [];

  static async start(options: TestServerOptions = {}): Promise<TestServer> {
    const fixture = parseFixture(options.fixture ?? testFixture);
    let server: TestServer | undefined = undefined;
    const persistence = new ResettablePersistence(async (store) => {
      const seedTokens = new DeterministicTokens('seed-invitation-token');
      const seeding = {
        clock: new FixedClock('2026-01-15T09:00:00.000Z'),
        ids: new SeedIds(),
        tokens: seedTokens,
        // Seeded invitations are not deliveries the suites look at: their tokens are in seedTokens.
        notifier: new RecordingNotifier(),
        logger: new MemoryLogger(),
        source: 'the test fixture',
      };
      const seeded = await createInMemoryPersistence(fixture, seeding, store);
      if (server !== undefined) server.seedTokens = [...seedTokens.issued];
      return seeded;
    });
    server = new TestServer(fixture, persistence);
    await persistence.reset();
    const env: Record<string, string> = {
      SESSION_SECRET: testSessionSecret,
      PORT: '0',
      LOG_LEVEL: 'debug',
      MUTATIONS_PER_MINUTE: String(options.mutationsPerMinute ?? 100_000),
      // The suites sign in through the demo picker and correlate audit events by request id.
      DEMO_SIGN_IN: 'on',
      TRUST_REQUEST_ID: 'on',
      OPERATIONS_TOKEN_SECRET: testOperationsSecret,
      // Requests do not write last activity here (the suites compare whole stores before and after);
      // the portal suites test recording (portal-server.ts).
      ACTIVITY_RECORDING: 'off',
      ...options.env,
    };
    // An empty value unsets a variable (OPERATIONS_TOKEN_SECRET: '' serves no operations API).
    const config = loadConfig(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')), () => testSessionSecret);
    const wrapped = options.wrap?.(persistence) ?? persistence;
    const container = await createContainer(config, {
      fixture,
      logger: server.logger,
      clock: server.clock,
      ids: new SequentialIds(),
      tokens: server.tokens,
      notifier: server.notifier,
      persistence: () => Promise.resolve(wrapped),
    });
    const http = createHttpServer(createApp(container), config);
    await listen(http, 0, '127.0.0.1');
    server.server = http;
    server.baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    return server;
  }

  get store(): InMemoryPartnerTeamStore {
    return this.persistence.store;
  }

  /** Replaces the store with a freshly seeded one. */
  reset(): Promise<void> {
    return this.persistence.reset();
  }

  /** A client with a fresh session for `userId`, holding the CSRF token that GET /me returned. */
  signIn(userId: string): Promise<Client> {
    return signIn(this.baseUrl, this.sessions, userId);
  }

  anonymous(): Client {
    return new Client(`${this.baseUrl}/api/partner-team`, undefined, undefined);
  }

  /** A client of the operations API holding an operator token (bearer by default; the cookie carries a session id and its CSRF token). */
  operator(operatorId = 'op-jane', role: OperatorRole = 'support_operator', credential: 'bearer' | 'operator-cookie' = 'bearer'): Promise<Client> {
    return operatorClient(this.baseUrl, this.operators, operatorId, role, credential);
  }

  /** A client of the operations API without any credential. */
  anonymousOperator(): Client {
    return new Client(`${this.baseUrl}/api/operations`, undefined, undefined);
  }

  /** A client for paths outside the API (`/demo`, `/healthz`, the page). */
  root(): Client {
    return new Client(this.baseUrl, undefined, undefined);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => {
        resolve();
      });
    });
  }
}
