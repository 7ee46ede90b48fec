import { randomBytes } from 'node:crypto';
import { EmailInUseError, type Clock, type Logger, type UserDirectory } from '@partner-team/core';
import { cookieValue, HttpProblem, sendProblem, sessionCookieName, toProblem, type CsrfTokens, type JwtSessionAuthenticator, type SessionAuthenticator } from '@partner-team/express';
import express, { type Request, type Response, type Router } from 'express';
import * as client from 'openid-client';
import type { OidcConfig } from '../config.js';
import { SealedBox } from './sealed-box.js';
import { safeReturnPath, signedInUser, type SignedInUser } from './signed-in-user.js';

/** The cookie that carries one sign-in's state, nonce and PKCE verifier from /auth/login to /auth/callback. */
export const transactionCookieName = 'partner_oidc_tx';
const transactionSeconds = 600;
/** Parameters an authorization response may carry; each at most once. */
const responseParameters = ['code', 'state', 'iss', 'error', 'error_description', 'error_uri', 'session_state'] as const;

/** One sign-in in flight, sealed in {@link transactionCookieName}. */
export interface SignInTransaction {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly returnTo: string;
}

export interface OidcSignInOptions {
  readonly config: OidcConfig;
  /** The server's own session tokens (the `partner_session` cookie after sign-in). */
  readonly sessions: JwtSessionAuthenticator;
  /** Who is signed in (for sign-out). */
  readonly authenticate: SessionAuthenticator;
  readonly csrf: CsrfTokens;
  readonly users: UserDirectory;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The secret the sign-in transaction is sealed with (the session secret; a purpose label keeps the keys apart). */
  readonly secret: string;
  readonly secureCookies: boolean;
  /** Told after a sign-in recorded the user's activity (so that the next request does not write it again). */
  readonly onSignedIn?: (userId: string) => void;
  /** Header pairs every HTML answer carries (the page's Content-Security-Policy and friends). */
  readonly pageHeaders: readonly (readonly [string, string])[];
}

/** Why a sign-in was refused, for the log (never a token, code or state value). */
class SignInRefused extends Error {
  constructor(
    readonly reason: string,
    readonly status: 400 | 403 | 502 | 503,
    readonly shown: string,
  ) {
    super(reason);
    this.name = 'SignInRefused';
  }
}

const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Sign-in through the portal's OpenID Connect provider: the authorization-code flow with PKCE (S256)
 * as a confidential client, through `openid-client`. `GET /auth/login` seals a fresh state, nonce
 * and code verifier into a short-lived cookie scoped to the callback and redirects to the provider;
 * `GET /auth/callback` checks the response (each parameter at most once, the state, the issuer),
 * redeems the code with the verifier, checks the ID token (nonce included), upserts the user into
 * the directory (name, verified email, MFA from `amr`/`acr`) and sets the server's own session
 * cookie; `POST /auth/logout` ends it and answers where to send the browser (the provider's
 * end-session endpoint, when it has one).
 */
export class OidcSignIn {
  private discovered: Promise<client.Configuration> | undefined;
  private readonly transactions: SealedBox;
  /** States already redeemed in this process (until their transaction would have expired anyway). */
  private readonly redeemed = new Map<string, number>();

  constructor(private readonly options: OidcSignInOptions) {
    this.transactions = new SealedBox(options.secret, 'oidc sign-in transaction');
  }

  /** The provider's configuration, discovered once (and again after a failure). */
  provider(): Promise<client.Configuration> {
    const { config } = this.options;
    this.discovered ??= client.discovery(
      new URL(config.issuer),
      config.clientId,
      undefined,
      config.clientAuthentication === 'client_secret_post' ? client.ClientSecretPost(config.clientSecret) : client.ClientSecretBasic(config.clientSecret),
      // Plain http only for a provider on this machine (config refuses it elsewhere): the test and dev provider.
      // eslint-disable-next-line @typescript-eslint/no-deprecated
      { ...(config.allowHttp ? { execute: [client.allowInsecureRequests] } : {}), timeout: 10 },
    );
    const pending = this.discovered;
    pending.catch(() => {
      if (this.discovered === pending) this.discovered = undefined;
    });
    return pending;
  }

  router(): Router {
    const router = express.Router({ caseSensitive: true, strict: true });
    router.get('/login', (req, res) => this.answer(res, () => this.login(req, res)));
    router.get('/callback', (req, res) => this.answer(res, () => this.callback(req, res)));
    router.post('/logout', (req, res) => this.answer(res, () => this.logout(req, res)));
    router.get('/provider', (_req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      res.json({ name: this.options.config.providerName, loginUrl: '/auth/login' });
    });
    return router;
  }

  private cookie(name: string, value: string, path: string, maxAgeSeconds: number): string {
    return `${name}=${value}; Path=${path}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${this.options.secureCookies ? '; Secure' : ''}`;
  }

  private async login(req: Request, res: Response): Promise<void> {
    const provider = await this.provider().catch((error: unknown) => {
      throw new SignInRefused(`discovery failed: ${error instanceof Error ? error.name : 'unknown'}`, 503, 'The identity provider cannot be reached right now. Try again in a moment.');
    });
    const codeVerifier = client.randomPKCECodeVerifier();
    const transaction: SignInTransaction = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier,
      returnTo: safeReturnPath(typeof req.query.returnTo === 'string' ? req.query.returnTo : undefined),
    };
    const url = client.buildAuthorizationUrl(provider, {
      redirect_uri: this.options.config.redirectUrl,
      scope: this.options.config.scopes.join(' '),
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: transaction.state,
      nonce: transaction.nonce,
    });
    const sealed = this.transactions.seal(transaction, this.options.clock.now().getTime() + transactionSeconds * 1000);
    res.setHeader('Set-Cookie', this.cookie(transactionCookieName, sealed, callbackPath(this.options.config.redirectUrl), transactionSeconds));
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(303, url.href);
  }

  private async callback(req: Request, res: Response): Promise<void> {
    // The transaction is one-shot: whatever happens next, the browser forgets it.
    res.setHeader('Set-Cookie', this.cookie(transactionCookieName, '', callbackPath(this.options.config.redirectUrl), 0));
    const query = new URL(req.originalUrl, 'http://callback.invalid').searchParams;
    for (const name of responseParameters) {
      const values = query.getAll(name);
      if (values.length > 1) throw new SignInRefused(`duplicate ${name} parameter`, 400, 'The sign-in response was malformed. Start again.');
      if ((values[0]?.length ?? 0) > 4096) throw new SignInRefused(`oversized ${name} parameter`, 400, 'The sign-in response was malformed. Start again.');
    }
    const now = this.options.clock.now().getTime();
    const opened = this.transactions.open(cookieValue(req, transactionCookieName), now);
    if ('error' in opened) throw new SignInRefused(`transaction ${opened.error}`, 400, 'This sign-in has expired or was started in another browser. Start again.');
    const transaction = parseTransaction(opened.value);
    if (transaction === undefined) throw new SignInRefused('transaction malformed', 400, 'This sign-in has expired or was started in another browser. Start again.');
    const error = query.get('error');
    if (error !== null) {
      throw new SignInRefused(`provider answered ${/^[\x20-\x7e]{1,64}$/.test(error) ? error : 'an error'}`, 403, 'The identity provider did not sign you in.');
    }
    if (query.get('code') === null || query.get('state') === null) throw new SignInRefused('code or state missing', 400, 'The sign-in response was malformed. Start again.');
    this.forgetExpired(now);
    if (this.redeemed.has(transaction.state)) throw new SignInRefused('transaction replayed', 400, 'This sign-in was already used. Start again.');
    const provider = await this.provider().catch(() => {
      throw new SignInRefused('discovery failed', 503, 'The identity provider cannot be reached right now. Try again in a moment.');
    });
    // The callback URL as the provider built it: the configured redirect URL (never the Host header) and the query received.
    const currentUrl = new URL(this.options.config.redirectUrl);
    currentUrl.search = query.toString();
    this.redeemed.set(transaction.state, now + transactionSeconds * 1000);
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(provider, currentUrl, {
        pkceCodeVerifier: transaction.codeVerifier,
        expectedState: transaction.state,
        expectedNonce: transaction.nonce,
        idTokenExpected: true,
      });
    } catch (failure: unknown) {
      throw new SignInRefused(`code redemption failed: ${describe(failure)}`, failure instanceof TypeError ? 502 : 400, 'The sign-in could not be completed. Start again.');
    }
    const idClaims = tokens.claims();
    if (idClaims === undefined) throw new SignInRefused('no ID token', 400, 'The sign-in could not be completed. Start again.');
    let claims: Record<string, unknown> = { ...idClaims };
    const { config } = this.options;
    if ((claims.email === undefined || claims.name === undefined) && provider.serverMetadata().userinfo_endpoint !== undefined) {
      try {
        const info = await client.fetchUserInfo(provider, tokens.access_token, idClaims.sub);
        claims = { ...info, ...claims };
      } catch (failure: unknown) {
        this.options.logger.warn('sign-in: userinfo not available', { error: describe(failure) });
      }
    }
    const user = signedInUser(claims, config);
    if (user === undefined) throw new SignInRefused(`no ${config.userClaim} claim`, 403, 'The identity provider did not say who you are.');
    await this.updateDirectory(user);
    const sessionId = randomBytes(18).toString('base64url');
    const token = this.options.sessions.issue({ userId: user.userId, sessionId }, config.sessionTtlSeconds);
    res.append('Set-Cookie', this.cookie(sessionCookieName, token, '/', config.sessionTtlSeconds));
    res.setHeader('Cache-Control', 'no-store');
    this.options.logger.info('signed in', { userId: user.userId, mfa: user.mfaEnabled, verifiedEmail: user.email !== undefined });
    res.redirect(303, transaction.returnTo);
  }

  /** Name, verified email and MFA into the directory, and the activity of this sign-in. */
  private async updateDirectory(user: SignedInUser): Promise<void> {
    const { users, logger, clock } = this.options;
    const existing = await users.findById(user.userId);
    const email = user.email ?? existing?.email;
    if (email === undefined) {
      // No verified address: such a user can sign in, but cannot be matched to an invitation.
      logger.info('sign-in without a verified email: not added to the directory', { userId: user.userId });
      return;
    }
    const update = { id: user.userId, name: user.name ?? existing?.name ?? email, email, mfaEnabled: user.mfaEnabled };
    try {
      await users.upsert([update]);
    } catch (error: unknown) {
      if (!(error instanceof EmailInUseError)) throw error;
      // Another directory user holds the address: keep what this user had, if anything.
      logger.warn('sign-in: the verified email belongs to another directory user; not changed', { userId: user.userId });
      if (existing === undefined) return;
      await users.upsert([{ ...update, email: existing.email }]);
    }
    await users.recordActivity([{ userId: user.userId, at: clock.now() }]);
    this.options.onSignedIn?.(user.userId);
  }

  private async logout(req: Request, res: Response): Promise<void> {
    const session = await this.options.authenticate.authenticate(req);
    if (session !== undefined && session.credential !== 'bearer' && !this.options.csrf.verify(session.sessionId, req.headers['x-csrf-token'])) {
      const requestId = typeof res.locals.requestId === 'string' ? res.locals.requestId : '';
      sendProblem(res, toProblem(new HttpProblem('csrf_failed', 'Send the X-CSRF-Token that GET /api/partner-team/me returned for this session'), requestId).body);
      return;
    }
    res.setHeader('Set-Cookie', this.cookie(sessionCookieName, '', '/', 0));
    res.setHeader('Cache-Control', 'no-store');
    let location = '/';
    try {
      const provider = await this.provider();
      if (provider.serverMetadata().end_session_endpoint !== undefined) {
        location = client.buildEndSessionUrl(provider, { post_logout_redirect_uri: this.options.config.postLogoutRedirectUrl, client_id: this.options.config.clientId }).href;
      }
    } catch (error: unknown) {
      this.options.logger.warn('sign-out: the provider could not be asked for its end-session endpoint', { error: describe(error) });
    }
    if (session !== undefined) this.options.logger.info('signed out', { userId: session.userId });
    res.json({ location });
  }

  private forgetExpired(now: number): void {
    if (this.redeemed.size < 1000) return;
    for (const [state, until] of this.redeemed) if (until <= now) this.redeemed.delete(state);
    // Still full of live ones (a flood): forget the oldest; the provider refuses a code twice anyway.
    while (this.redeemed.size > 50_000) {
      const oldest = this.redeemed.keys().next();
      if (oldest.done === true) break;
      this.redeemed.delete(oldest.value);
    }
  }

  /** Runs a step; a refusal becomes a small HTML page (the user is in a browser), logged with its reason. */
  private async answer(res: Response, step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error: unknown) {
      const refusal =
        error instanceof SignInRefused ? error : new SignInRefused(`unexpected: ${describe(error)}`, 503, 'Signing in is not possible right now. Try again in a moment.');
      this.options.logger.warn('sign-in refused', { reason: refusal.reason, status: refusal.status });
      for (const [name, value] of this.options.pageHeaders) res.setHeader(name, value);
      res.setHeader('Cache-Control', 'no-store');
      res.status(refusal.status).type('html');
      res.send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in failed · Partner team</title><link rel="stylesheet" href="/styles.css"></head>` +
          `<body><main class="card"><h1>Sign-in failed</h1><p role="alert">${escapeHtml(refusal.shown)}</p><p><a href="/auth/login">Sign in again</a> · <a href="/">Back to the page</a></p></main></body></html>`,
      );
    }
  }
}

function parseTransaction(value: unknown): SignInTransaction | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { state, nonce, codeVerifier, returnTo } = value as Record<string, unknown>;
  if (typeof state !== 'string' || typeof nonce !== 'string' || typeof codeVerifier !== 'string' || typeof returnTo !== 'string') return undefined;
  return { state, nonce, codeVerifier, returnTo: safeReturnPath(returnTo) };
}

/** The path of the callback (where the transaction cookie is sent). */
function callbackPath(redirectUrl: string): string {
  return new URL(redirectUrl).pathname;
}

/** An error as the log may show it: its class and code, and for OAuth errors the error code (never values). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown';
  const code = (error as { code?: unknown }).code;
  const oauth = (error as { error?: unknown }).error;
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return [error.name, typeof code === 'string' ? code : undefined, typeof oauth === 'string' ? oauth : undefined, cause].filter((part) => part !== undefined).join(' ');
}
