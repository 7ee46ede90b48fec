import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JwtSessionAuthenticator } from '@partner-team/express';
import { MongoPersistence } from '@partner-team/mongodb';
import { RandomIds, Sha256InvitationTokens, SystemClock } from '@partner-team/node';
import { MemoryLogger } from '@partner-team/testing';
import type { Container } from 'inversify';
import * as client from 'openid-client';
import type { Express } from 'express';
import { createApp } from '../app.js';
import { loadConfig, type ServerConfig } from '../config.js';
import { createContainer, TYPES } from '../container.js';
import { parseFixture, type FixtureFile } from '../fixture.js';
import { loadFixtureIntoMongo } from '../mongo-fixture-loader.js';
import { createInMemoryPersistence, type Persistence } from '../persistence.js';
import { databaseUri } from './mongo-server.js';
import { testFixture } from './test-fixture.js';
import { testOtp, type TestAccount, type TestIdentityProvider } from './test-identity-provider.js';
import { browse, CookieJar, logInAtProvider } from './user-agent.js';

export const portalClientId = 'partner-web';
export const portalClientSecret = 'partner-web-client-secret-of-the-test-provider';
export const portalSessionSecret = 'portal-test-session-secret-of-32-characters';

/**
 * Accounts of the test identity provider matching the suites' fixture (test-fixture.ts): ada, an
 * admin of acme who signs in with a second factor; bob, an admin without; gus, in no organisation
 * (globex has invited him); zed, whom the directory does not know yet; uma, whose email is unverified.
 */
export const portalTestAccounts: readonly TestAccount[] = [
  { username: 'ada', password: 'ada-pass', secondFactor: true, name: 'Ada Lovelace', email: 'ada@acme.example', emailVerified: true },
  { username: 'bob', password: 'bob-pass', secondFactor: false, name: 'Bob Babbage', email: 'bob@acme.example', emailVerified: true },
  { username: 'cy', password: 'cy-pass', secondFactor: false, name: 'Cy Hopper', email: 'cy@acme.example', emailVerified: true },
  { username: 'gus', password: 'gus-pass', secondFactor: false, name: 'Gus Outsider', email: 'gus@outside.example', emailVerified: true },
  { username: 'zed', password: 'zed-pass', secondFactor: false, name: 'Zed Newcomer', email: 'zed@outside.example', emailVerified: true },
  { username: 'uma', password: 'uma-pass', secondFactor: false, name: 'Uma Unverified', email: 'uma@outside.example', emailVerified: false },
];

export const accountOf = (username: string): TestAccount => {
  const account = portalTestAccounts.find((a) => a.username === username);
  if (account === undefined) throw new Error(`no test account ${username}`);
  return account;
};

export type StoreKind = 'in-memory' | 'mongodb';

export interface PortalServerOptions {
  readonly idp: TestIdentityProvider;
  readonly store: StoreKind;
  /** Environment over the defaults (an empty value unsets one). */
  readonly env?: Record<string, string>;
  readonly fixture?: FixtureFile;
}

/**
 * The bundled server wired to a real identity provider (and, with SMTP_URL, a real mail server), in
 * this process, on the in-memory store or on MongoDB (a fresh database under MONGODB_URI), seeded
 * with the suites' fixture, on the system clock (provider tokens carry real times).
 */
export class PortalServer {
  readonly logger = new MemoryLogger();
  baseUrl = '';
  config!: ServerConfig;
  container!: Container;
  persistence!: Persistence;
  private mongo: MongoPersistence | undefined;
  private app: Express | undefined;
  private readonly server: Server;

  private constructor() {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      if (this.app === undefined) {
        res.writeHead(503).end();
        return;
      }
      this.app(req, res);
    });
  }

  static async start(options: PortalServerOptions): Promise<PortalServer> {
    const portal = new PortalServer();
    // Listen first: the redirect URL the provider registers names the port.
    await new Promise<void>((resolve) => portal.server.listen(0, '127.0.0.1', resolve));
    portal.baseUrl = `http://127.0.0.1:${(portal.server.address() as AddressInfo).port}`;
    const env: Record<string, string> = {
      SESSION_SECRET: portalSessionSecret,
      PORT: '0',
      PUBLIC_BASE_URL: portal.baseUrl,
      LOG_LEVEL: 'debug',
      DEMO_SIGN_IN: 'off',
      MUTATIONS_PER_MINUTE: '100000',
      OIDC_ISSUER: options.idp.issuer,
      OIDC_CLIENT_ID: portalClientId,
      OIDC_CLIENT_SECRET: portalClientSecret,
      OIDC_PROVIDER_NAME: 'the test provider',
      OIDC_MFA_ACR: 'urn:partner-team:acr:mfa',
      OIDC_BEARER_AUDIENCE: options.idp.apiAudience,
      OIDC_JWKS_COOLDOWN_MS: '1000',
      ACTIVITY_INTERVAL_MS: '60000',
      ...options.env,
    };
    portal.config = loadConfig(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')), () => portalSessionSecret);
    const fixture = parseFixture(options.fixture ?? testFixture);
    const seeding = { clock: new SystemClock(), ids: new RandomIds(), tokens: new Sha256InvitationTokens(), logger: new MemoryLogger(), notifier: { deliver: () => Promise.resolve() } };
    if (options.store === 'in-memory') {
      portal.persistence = await createInMemoryPersistence(fixture, { ...seeding, source: 'the test fixture' });
    } else {
      const mongo = await MongoPersistence.open({ uri: databaseUri(`pt_portal_${randomBytes(4).toString('hex')}`), logger: portal.logger });
      portal.mongo = mongo;
      await loadFixtureIntoMongo(mongo, fixture, seeding, 'the test fixture');
      portal.persistence = mongo;
    }
    portal.container = await createContainer(portal.config, { logger: portal.logger, persistence: () => Promise.resolve(portal.persistence) });
    portal.app = createApp(portal.container);
    options.idp.registerClient({
      clientId: portalClientId,
      clientSecret: portalClientSecret,
      redirectUris: [`${portal.baseUrl}/auth/callback`],
      postLogoutRedirectUris: [`${portal.baseUrl}/`],
    });
    return portal;
  }

  /** The server's own session tokens (what the sign-in issues). */
  get sessions(): JwtSessionAuthenticator {
    return this.container.get<JwtSessionAuthenticator>(TYPES.Sessions);
  }

  get api(): string {
    return `${this.baseUrl}/api/partner-team`;
  }

  /** Writes the activity the recorder holds now. */
  async flushActivity(): Promise<void> {
    if (this.container.isBound(TYPES.ActivityRecorder)) await this.container.get<{ flush(): Promise<void> }>(TYPES.ActivityRecorder).flush();
  }

  async close(): Promise<void> {
    await this.flushActivity();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
    if (this.mongo !== undefined) {
      await this.mongo.db.dropDatabase();
      await this.mongo.close();
    }
  }
}

/**
 * Signs `account` in through the server's `/auth/login`, the provider's login form (and second
 * factor) and `/auth/callback`, like a browser. Returns the jar holding the session cookie, the
 * last visit, and the CSRF token GET /me returned.
 */
export async function signInThroughPortal(portal: PortalServer, account: TestAccount, jar = new CookieJar()): Promise<{ jar: CookieJar; csrfToken: string | undefined; landed: string }> {
  const start = await browse(jar, `${portal.baseUrl}/auth/login`);
  const landed = await logInAtProvider(jar, start, account, testOtp);
  const me = await fetch(`${portal.api}/me`, { headers: { cookie: jar.header(`${portal.api}/me`) } });
  const body = (await me.json()) as { csrfToken?: string };
  return { jar, csrfToken: body.csrfToken, landed: landed.url };
}

/** A relying party of the test provider that only collects tokens (the suites' API client). */
export const apiClient = { clientId: 'partner-api-tester', clientSecret: 'partner-api-tester-secret-of-the-test-provider', redirectUri: 'http://127.0.0.1:9/never-requested' } as const;

/** Registers {@link apiClient} at the provider. */
export function registerApiClient(idp: TestIdentityProvider): void {
  idp.registerClient({ clientId: apiClient.clientId, clientSecret: apiClient.clientSecret, redirectUris: [apiClient.redirectUri] });
}

/**
 * An access token of the provider for `account`, through the real authorization-code flow (login
 * form, second factor) with {@link apiClient}; `resource` picks the audience.
 */
export async function providerAccessToken(idp: TestIdentityProvider, account: TestAccount, resource?: string): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the test provider is plain http on this machine
  const config = await client.discovery(new URL(idp.issuer), apiClient.clientId, undefined, client.ClientSecretBasic(apiClient.clientSecret), { execute: [client.allowInsecureRequests] });
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: apiClient.redirectUri,
    scope: 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...(resource === undefined ? {} : { resource }),
  });
  const jar = new CookieJar();
  const stopAt = (u: string) => u.startsWith(apiClient.redirectUri);
  const landed = await logInAtProvider(jar, await browse(jar, url.href, { stopAt }), account, testOtp, { stopAt });
  if (!landed.stopped) throw new Error(`the provider did not redirect back: ${landed.status} ${landed.text.slice(0, 300)}`);
  const tokens = await client.authorizationCodeGrant(config, new URL(landed.url), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true }, resource === undefined ? undefined : { resource });
  return tokens.access_token;
}
