import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { errors, type GrantInstance, type InteractionDetails } from 'oidc-provider';

/**
 * A real OpenID Connect provider for the suites and the operator guide: oidc-provider (the certified
 * Node implementation) with a login form, a second factor for some accounts (`amr` `["pwd","otp"]`
 * and an MFA `acr`), JWT access tokens for the API (resource indicators), RP-initiated logout, and
 * key rotation (a new key signs, the old one stays published, then it is retired).
 */

/** A test account: its `sub` is `username`. */
export interface TestAccount {
  readonly username: string;
  readonly password: string;
  /** Asks for the one-time code {@link testOtp} after the password. */
  readonly secondFactor: boolean;
  readonly name: string;
  readonly email: string;
  readonly emailVerified: boolean;
}

/** The one-time code every second-factor account accepts. */
export const testOtp = '123456';
export const acrPassword = 'urn:partner-team:acr:pwd';
export const acrMfa = 'urn:partner-team:acr:mfa';
/** The API audience (resource indicator) of the access tokens the provider issues by default. */
export const defaultApiAudience = 'https://partner-team.test/api';
/** Another API's audience: tokens for it must be refused by ours. */
export const otherApiAudience = 'https://other-api.test';

/** Accounts matching the demo fixture (packages/server/fixtures/demo.json), for `node scripts/dev-oidc-provider.mjs`. */
export const demoAccounts: readonly TestAccount[] = [
  { username: 'bob', password: 'bob-password', secondFactor: true, name: 'Bob Babbage', email: 'bob.babbage@northwind.example', emailVerified: true },
  { username: 'ada', password: 'ada-password', secondFactor: false, name: 'Ada Lovelace', email: 'ada.lovelace@northwind.example', emailVerified: true },
  { username: 'sam', password: 'sam-password', secondFactor: false, name: 'Sam Newcomer', email: 'sam.newcomer@outside.example', emailVerified: true },
  { username: 'uma', password: 'uma-password', secondFactor: false, name: 'Uma Unverified', email: 'uma@outside.example', emailVerified: false },
];

/** A client (relying party) registered at the provider. */
export interface TestClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris?: readonly string[];
}

export interface TestIdentityProviderOptions {
  readonly accounts: readonly TestAccount[];
  readonly clients?: readonly TestClient[];
  /** 0 (default): any free port. */
  readonly port?: number;
  readonly host?: string;
  readonly apiAudience?: string;
  readonly accessTokenTtlSeconds?: number;
  /** Whether the provider itself insists on PKCE (default true; false shows that the relying party sends it anyway). */
  readonly requirePkce?: boolean;
}

interface SigningKey {
  readonly jwk: JWK;
}

const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title: string, body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 10_000) break;
  }
  return new URLSearchParams(body);
}

/** A private RS256 signing key (oidc-provider signs with the first key of an algorithm in its set). */
export async function generateSigningKey(kid: string = randomUUID()): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
}

interface StoredPayload {
  readonly payload: Record<string, unknown>;
  readonly expiresAt: number;
}

/**
 * oidc-provider's storage (sessions, interactions, codes, grants), kept by the test provider itself:
 * shared by every provider instance it builds (so a key rotation keeps users signed in), gone with it.
 */
function memoryAdapter(store: Map<string, StoredPayload>) {
  return class MemoryAdapter {
    constructor(private readonly model: string) {}
    private key(id: string): string {
      return `${this.model}:${id}`;
    }
    private read(key: string): Record<string, unknown> | undefined {
      const entry = store.get(key);
      if (entry === undefined) return undefined;
      if (entry.expiresAt <= Date.now()) {
        store.delete(key);
        return undefined;
      }
      return entry.payload;
    }
    upsert(id: string, payload: Record<string, unknown>, expiresIn: number): Promise<void> {
      const expiresAt = Date.now() + expiresIn * 1000;
      store.set(this.key(id), { payload, expiresAt });
      if (typeof payload.grantId === 'string') {
        const grantKey = `grant:${payload.grantId}`;
        const grants = (store.get(grantKey)?.payload.keys as string[] | undefined) ?? [];
        store.set(grantKey, { payload: { keys: [...grants, this.key(id)] }, expiresAt: Math.max(expiresAt, store.get(grantKey)?.expiresAt ?? 0) });
      }
      if (typeof payload.uid === 'string') store.set(`uid:${payload.uid}`, { payload: { id }, expiresAt });
      if (typeof payload.userCode === 'string') store.set(`userCode:${payload.userCode}`, { payload: { id }, expiresAt });
      return Promise.resolve();
    }
    find(id: string): Promise<Record<string, unknown> | undefined> {
      return Promise.resolve(this.read(this.key(id)));
    }
    findByUid(uid: string): Promise<Record<string, unknown> | undefined> {
      const id = this.read(`uid:${uid}`)?.id;
      return Promise.resolve(typeof id === 'string' ? this.read(this.key(id)) : undefined);
    }
    findByUserCode(userCode: string): Promise<Record<string, unknown> | undefined> {
      const id = this.read(`userCode:${userCode}`)?.id;
      return Promise.resolve(typeof id === 'string' ? this.read(this.key(id)) : undefined);
    }
    consume(id: string): Promise<void> {
      const payload = this.read(this.key(id));
      if (payload !== undefined) payload.consumed = Math.floor(Date.now() / 1000);
      return Promise.resolve();
    }
    destroy(id: string): Promise<void> {
      store.delete(this.key(id));
      return Promise.resolve();
    }
    revokeByGrantId(grantId: string): Promise<void> {
      const keys = (store.get(`grant:${grantId}`)?.payload.keys as string[] | undefined) ?? [];
      for (const key of keys) store.delete(key);
      store.delete(`grant:${grantId}`);
      return Promise.resolve();
    }
  };
}

interface OidcContext {
  readonly oidc: {
    readonly provider: Provider;
    readonly client: { readonly clientId: string };
    readonly session: { readonly accountId: string; grantIdFor(clientId: string): string | undefined };
    readonly result?: { readonly consent?: { readonly grantId?: string } };
    readonly entities: Readonly<Record<string, { readonly amr?: unknown; readonly acr?: unknown } | undefined>>;
  };
  body: unknown;
  type: string;
}

export class TestIdentityProvider {
  private provider!: Provider;
  private handler!: (req: IncomingMessage, res: ServerResponse) => void;
  private keys: SigningKey[] = [];
  private clients: TestClient[];
  private readonly pendingSecondFactor = new Map<string, string>();
  private readonly storage = new Map<string, StoredPayload>();
  /** How often the key set was fetched (what a verifier's cache and cool-down save). */
  jwksRequests = 0;
  /** Errors the provider reported (for diagnostics). */
  readonly events: string[] = [];
  issuer = '';
  readonly apiAudience: string;
  private accessTokenTtlSeconds: number;
  private requirePkce: boolean;

  private constructor(
    private readonly server: Server,
    private readonly options: TestIdentityProviderOptions,
  ) {
    this.clients = [...(options.clients ?? [])];
    this.apiAudience = options.apiAudience ?? defaultApiAudience;
    this.accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? 600;
    this.requirePkce = options.requirePkce ?? true;
  }

  static async start(options: TestIdentityProviderOptions): Promise<TestIdentityProvider> {
    const server = createServer();
    const idp = new TestIdentityProvider(server, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void idp.handle(req, res);
    });
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
    idp.issuer = `http://${host}:${(server.address() as AddressInfo).port}`;
    idp.keys = [{ jwk: await generateSigningKey('key-1') }];
    idp.rebuild();
    return idp;
  }

  /** The key id that signs tokens now. */
  get signingKeyId(): string {
    return String(this.keys[0]?.jwk.kid);
  }

  /** The key ids the key set publishes. */
  get publishedKeyIds(): string[] {
    return this.keys.map((k) => String(k.jwk.kid));
  }

  /** Registers (or replaces) a client, e.g. once the relying party knows its port. */
  registerClient(client: TestClient): void {
    this.clients = [...this.clients.filter((c) => c.clientId !== client.clientId), client];
    this.rebuild();
  }

  /** Changes the access tokens' lifetime, or whether the provider insists on PKCE. */
  configure(change: { accessTokenTtlSeconds?: number; requirePkce?: boolean }): void {
    this.accessTokenTtlSeconds = change.accessTokenTtlSeconds ?? this.accessTokenTtlSeconds;
    this.requirePkce = change.requirePkce ?? this.requirePkce;
    this.rebuild();
  }

  /** Rotation: a new key signs from now on; the old ones stay published (tokens they signed stay valid). */
  async rotateKeys(): Promise<string> {
    const next = await generateSigningKey(`key-${this.keys.length + 1}-${randomUUID().slice(0, 8)}`);
    this.keys = [{ jwk: next }, ...this.keys];
    this.rebuild();
    return String(next.kid);
  }

  /** The end of a rotation: only the signing key stays published. */
  retireOldKeys(): void {
    this.keys = this.keys.slice(0, 1);
    this.rebuild();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /**
   * A new provider instance with the current keys, clients and settings. Its sessions, grants and
   * codes live in this object's storage, so a rebuild (a rotation) keeps users signed in, as a real
   * provider's rotation does.
   */
  private rebuild(): void {
    const accounts = this.options.accounts;
    const apiAudience = this.apiAudience;
    const ttl = () => this.accessTokenTtlSeconds;
    const requirePkce = this.requirePkce;
    const firstParty = new Set(this.clients.map((c) => c.clientId));
    const provider = new Provider(this.issuer, {
      adapter: memoryAdapter(this.storage),
      jwks: { keys: this.keys.map((k) => k.jwk) },
      cookies: { keys: ['test-identity-provider-cookie-key'] },
      clients: this.clients.map((c) => ({
        client_id: c.clientId,
        client_secret: c.clientSecret,
        token_endpoint_auth_method: 'client_secret_basic',
        redirect_uris: c.redirectUris,
        post_logout_redirect_uris: c.postLogoutRedirectUris ?? [],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      })),
      pkce: { required: () => requirePkce },
      scopes: ['openid', 'email', 'profile'],
      claims: {
        // amr and acr in every ID token, without the client asking for them.
        openid: ['sub', 'acr', 'amr', 'auth_time'],
        email: ['email', 'email_verified'],
        profile: ['name'],
        acr: null,
        amr: null,
        auth_time: null,
        sid: null,
        iss: null,
      },
      acrValues: [acrPassword, acrMfa],
      findAccount: (_ctx: unknown, sub: string) => {
        const account = accounts.find((a) => a.username === sub);
        if (account === undefined) return undefined;
        return {
          accountId: sub,
          claims: () => Promise.resolve({ sub, name: account.name, email: account.email, email_verified: account.emailVerified }),
        };
      },
      // First-party clients never see a consent screen: the grant covers what they ask for.
      loadExistingGrant: async (ctx: OidcContext): Promise<GrantInstance | undefined> => {
        const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
        if (grantId !== undefined) {
          const existing = await ctx.oidc.provider.Grant.find(grantId);
          if (existing !== undefined) return existing;
        }
        if (!firstParty.has(ctx.oidc.client.clientId)) return undefined;
        const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
        grant.addOIDCScope('openid email profile');
        grant.addResourceScope(apiAudience, 'api');
        grant.addResourceScope(otherApiAudience, 'api');
        await grant.save();
        return grant;
      },
      // How the user authenticated, into the access tokens too (oidc-provider puts it only in ID tokens).
      extraTokenClaims: (ctx: OidcContext | undefined, token: { kind: string }) => {
        const source = ctx?.oidc.entities.AuthorizationCode;
        if (source === undefined || token.kind !== 'AccessToken') return undefined;
        return { ...(source.amr === undefined ? {} : { amr: source.amr }), ...(source.acr === undefined ? {} : { acr: source.acr }) };
      },
      features: {
        devInteractions: { enabled: false },
        rpInitiatedLogout: {
          enabled: true,
          // No "do you want to sign out?" click: the form submits itself.
          logoutSource: (ctx: OidcContext, form: string) => {
            const auto = form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>');
            ctx.type = 'html';
            ctx.body = page('Signing out', `${auto}<noscript><button type="submit" form="op.logoutForm">Sign out</button></noscript><script>document.getElementById('op.logoutForm').submit()</script>`);
          },
        },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => apiAudience,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx: unknown, indicator: string) => {
            if (indicator !== apiAudience && indicator !== otherApiAudience) throw new errors.InvalidTarget();
            return { scope: 'api', audience: indicator, accessTokenFormat: 'jwt', accessTokenTTL: ttl(), jwt: { sign: { alg: 'RS256' } } };
          },
        },
      },
      ttl: {
        AccessToken: (_ctx: unknown, token: { resourceServer?: { accessTokenTTL?: number } }) => token.resourceServer?.accessTokenTTL ?? ttl(),
        AuthorizationCode: 60,
        IdToken: 3600,
        Interaction: 600,
        Session: 3600,
        Grant: 3600,
      },
      renderError: (ctx: OidcContext, out: unknown) => {
        ctx.type = 'html';
        ctx.body = page('Error', `<pre>${escapeHtml(JSON.stringify(out, null, 2))}</pre>`);
      },
    });
    for (const event of ['server_error', 'grant.error', 'authorization.error', 'end_session.error']) {
      provider.on(event, (_ctx: unknown, error: unknown) => {
        if (this.events.length < 100) this.events.push(`${event}: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
    this.provider = provider;
    this.handler = provider.callback();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.issuer);
    if (url.pathname === '/jwks') this.jwksRequests += 1;
    const interaction = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|otp))?$/.exec(url.pathname);
    if (interaction === null) {
      this.handler(req, res);
      return;
    }
    const [, uid = '', step] = interaction;
    const send = (status: number, html: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html);
    };
    try {
      const details: InteractionDetails = await this.provider.interactionDetails(req, res);
      if (details.uid !== uid) {
        send(400, page('Error', '<p>This sign-in does not match.</p>'));
        return;
      }
      if (req.method === 'GET' && step === undefined) {
        const hint = typeof details.params.login_hint === 'string' ? details.params.login_hint : '';
        send(200, this.loginForm(uid, undefined, hint));
        return;
      }
      if (req.method === 'POST' && step === 'login') {
        const form = await readForm(req);
        const username = form.get('username') ?? '';
        const account = this.options.accounts.find((a) => a.username === username);
        if (account === undefined || account.password !== form.get('password')) {
          send(401, this.loginForm(uid, 'Invalid username or password', username));
          return;
        }
        if (account.secondFactor) {
          this.pendingSecondFactor.set(uid, username);
          send(200, this.otpForm(uid));
          return;
        }
        await this.provider.interactionFinished(req, res, { login: { accountId: username, amr: ['pwd'], acr: acrPassword, remember: false } }, { mergeWithLastSubmission: false });
        return;
      }
      if (req.method === 'POST' && step === 'otp') {
        const username = this.pendingSecondFactor.get(uid);
        const form = await readForm(req);
        if (username === undefined) {
          send(400, page('Error', '<p>No second factor is pending.</p>'));
          return;
        }
        if (form.get('otp') !== testOtp) {
          send(401, this.otpForm(uid, 'Invalid code'));
          return;
        }
        this.pendingSecondFactor.delete(uid);
        await this.provider.interactionFinished(req, res, { login: { accountId: username, amr: ['pwd', 'otp'], acr: acrMfa, remember: false } }, { mergeWithLastSubmission: false });
        return;
      }
      send(405, page('Error', '<p>Method not allowed.</p>'));
    } catch (error: unknown) {
      send(400, page('Error', `<p>${escapeHtml(error instanceof Error ? error.message : 'sign-in failed')}</p>`));
    }
  }

  private loginForm(uid: string, error?: string, username = ''): string {
    return page(
      'Sign in',
      `${error === undefined ? '' : `<p role="alert">${escapeHtml(error)}</p>`}<form method="post" action="/interaction/${escapeHtml(uid)}/login" autocomplete="off">` +
        `<p><label>Username <input type="text" name="username" value="${escapeHtml(username)}" required autofocus></label></p>` +
        '<p><label>Password <input type="password" name="password" required></label></p><button type="submit">Sign in</button></form>',
    );
  }

  private otpForm(uid: string, error?: string): string {
    return page(
      'Second factor',
      `${error === undefined ? '' : `<p role="alert">${escapeHtml(error)}</p>`}<form method="post" action="/interaction/${escapeHtml(uid)}/otp" autocomplete="off">` +
        '<p><label>One-time code <input type="text" name="otp" inputmode="numeric" required autofocus></label></p><button type="submit">Verify</button></form>',
    );
  }
}
