import { fileURLToPath } from 'node:url';
import { normaliseEmail } from '@partner-team/core';
import { defaultProviderTokenAlgorithms, minSecretLength, providerTokenAlgorithms, type ProviderTokenAlgorithm } from '@partner-team/express';
import { z } from 'zod';

/** The demo fixture shipped in the repository: the default seed of the in-memory store. */
export const demoFixturePath = fileURLToPath(new URL('../fixtures/demo.json', import.meta.url));

const port = z.coerce.number().int().min(0).max(65535);
const positive = z.coerce.number().int().positive();
/** A comma- or space-separated list of short tokens (scopes, amr values…). */
const list = z
  .string()
  .max(1000)
  .transform((value) => value.split(/[\s,]+/).filter((item) => item !== ''))
  .pipe(z.array(z.string().regex(/^[\x21-\x7e]{1,200}$/, 'expected printable ASCII items')));
const claimName = z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'expected a claim name');
const httpUrl = z.url({ protocol: /^https?$/ });

const environment = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production'], 'NODE_ENV must be development, test or production').optional(),
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  SESSION_SECRET: z.string().min(minSecretLength, `SESSION_SECRET must be at least ${minSecretLength} characters`).optional(),
  SESSION_ISSUER: z.string().min(1).max(200).optional(),
  SESSION_AUDIENCE: z.string().min(1).max(200).optional(),
  SEED_FILE: z.string().min(1).optional(),
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'MONGODB_URI must start with mongodb:// or mongodb+srv://').optional(),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug', 'silent']).default('info'),
  MAIL_OUTBOX_DIR: z.string().min(1).optional(),
  PUBLIC_BASE_URL: z.url().optional(),
  MUTATIONS_PER_MINUTE: positive.default(120),
  DEMO_SIGN_IN: z.enum(['on', 'off']).optional(),
  TRUST_REQUEST_ID: z.enum(['on', 'off']).default('off'),
  OPERATIONS_TOKEN_SECRET: z.string().min(32, 'OPERATIONS_TOKEN_SECRET must be at least 32 characters').optional(),
  OPERATIONS_TOKEN_AUDIENCE: z.string().min(1).max(200).default('partner-team-operations'),
  OPERATIONS_TOKEN_ISSUER: z.string().min(1).max(200).optional(),
  OPERATIONS_MUTATIONS_PER_MINUTE: positive.default(120),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  OIDC_ISSUER: httpUrl.optional(),
  OIDC_CLIENT_ID: z.string().min(1).max(500).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).max(2000).optional(),
  OIDC_CLIENT_AUTH: z.enum(['client_secret_basic', 'client_secret_post']).default('client_secret_basic'),
  OIDC_REDIRECT_URL: httpUrl.optional(),
  OIDC_POST_LOGOUT_REDIRECT_URL: httpUrl.optional(),
  OIDC_SCOPES: list.default(['openid', 'email', 'profile']),
  OIDC_PROVIDER_NAME: z.string().min(1).max(100).default('your identity provider'),
  OIDC_USER_CLAIM: claimName.default('sub'),
  OIDC_SESSION_CLAIM: claimName.default('sid'),
  OIDC_MFA_AMR: list.default(['mfa', 'otp', 'hwk', 'swk']),
  OIDC_MFA_ACR: list.default([]),
  OIDC_SESSION_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(8 * 60 * 60),
  OIDC_BEARER_AUDIENCE: z.string().min(1).max(500).optional(),
  OIDC_BEARER_ALGORITHMS: list.pipe(z.array(z.enum(providerTokenAlgorithms)).min(1)).optional(),
  OIDC_BEARER_TYP: z.string().min(1).max(100).optional(),
  OIDC_JWKS_COOLDOWN_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  OIDC_JWKS_CACHE_MAX_AGE_MS: z.coerce.number().int().min(1000).max(86_400_000).default(600_000),
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'SMTP_URL must be smtp://host:port or smtps://host:port (user:password@ optional)' }).optional(),
  MAIL_FROM: z.string().max(254).optional(),
  MAIL_FROM_NAME: z.string().min(1).max(100).default('Partner Team'),
  SMTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  ACTIVITY_RECORDING: z.enum(['on', 'off']).default('on'),
  ACTIVITY_INTERVAL_MS: z.coerce.number().int().min(100).max(86_400_000).default(60_000),
});

/** Sign-in through the portal's OpenID Connect provider, and its access tokens on the API. */
export interface OidcConfig {
  /** The provider's issuer; its discovery document is at `<issuer>/.well-known/openid-configuration`. */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** How the client authenticates at the token endpoint. */
  readonly clientAuthentication: 'client_secret_basic' | 'client_secret_post';
  /** Where the provider sends the browser back (`/auth/callback` of this server); registered at the provider. */
  readonly redirectUrl: string;
  /** Where the provider sends the browser after signing out (registered at the provider). */
  readonly postLogoutRedirectUrl: string;
  readonly scopes: readonly string[];
  /** How the page names the provider on its sign-in button. */
  readonly providerName: string;
  /** The claim naming the user (`sub`); its value is the directory's user id (mapped when it is not an identifier). */
  readonly userClaim: string;
  /** The claim naming a bearer token's session (`sid`, then `jti`). */
  readonly sessionClaim: string;
  /** `amr` values that mean a second factor was used. */
  readonly mfaAmr: readonly string[];
  /** `acr` values that mean a second factor was used. */
  readonly mfaAcr: readonly string[];
  /** Lifetime of the server's own session cookie after sign-in. */
  readonly sessionTtlSeconds: number;
  /** The provider's access tokens on the API (`Authorization: Bearer`); undefined: not accepted. */
  readonly bearer:
    | {
        readonly audience: string;
        readonly algorithms: readonly ProviderTokenAlgorithm[];
        readonly type: string | undefined;
        readonly cooldownMs: number;
        readonly cacheMaxAgeMs: number;
      }
    | undefined;
  /** Plain http to the provider (allowed only for a provider on this machine). */
  readonly allowHttp: boolean;
}

/** Invitation email through an SMTP server. */
export interface SmtpConfig {
  readonly url: string;
  /** The sender address (`normaliseEmail`'s form). */
  readonly from: string;
  readonly fromName: string;
  /** Bound on connecting, the greeting and each socket wait. */
  readonly timeoutMs: number;
}

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
/** Whether `url` names this machine (where browsers allow cookies without Secure, and http to a provider is tolerable). */
export const isLoopbackUrl = (url: string): boolean => loopbackHosts.has(new URL(url).hostname);

/** The server's configuration, validated from the environment. */
export interface ServerConfig {
  readonly production: boolean;
  /**
   * Demo sign-in (anyone may sign in as any fixture user). Never in production. On by default only
   * for the zero-configuration demo (in-memory store, generated session secret), because a demo
   * server sharing a real store or a real secret would mint sessions other servers accept;
   * `DEMO_SIGN_IN=on` forces it outside production, `off` disables it.
   */
  readonly demoMode: boolean;
  readonly port: number;
  readonly host: string;
  readonly sessionSecret: string;
  /** True when no SESSION_SECRET was given and a random one was generated. */
  readonly sessionSecretGenerated: boolean;
  /** `iss` and `aud` every session token must carry, when set. */
  readonly sessionIssuer: string | undefined;
  readonly sessionAudience: string | undefined;
  readonly seedFile: string;
  readonly mongodbUri: string | undefined;
  readonly logLevel: 'error' | 'warn' | 'info' | 'debug' | 'silent';
  readonly mailOutboxDir: string | undefined;
  readonly publicBaseUrl: string;
  readonly mutationsPerMinute: number;
  /** Whether an incoming X-Request-Id (from a trusted proxy) is used instead of a generated one. */
  readonly trustRequestId: boolean;
  /**
   * The operations API (AiDial support) and how its operator tokens are verified; undefined when
   * OPERATIONS_TOKEN_SECRET is not set, and then the API is not served.
   */
  readonly operations: { readonly secret: string; readonly audience: string; readonly issuer: string | undefined; readonly mutationsPerMinute: number } | undefined;
  /** Longest a client may take to send a whole request (headers and body); then 408 and the connection is closed. */
  readonly requestTimeoutMs: number;
  /** Longest a client may take to send a request's headers (at most `requestTimeoutMs`). */
  readonly headersTimeoutMs: number;
  /** Most connections open at once; further ones are refused until some close. */
  readonly maxConnections: number;
  /** Longest a shutdown waits for requests in flight before cutting them off (and exiting non-zero). */
  readonly shutdownTimeoutMs: number;
  /** Sign-in through the portal's OpenID Connect provider; undefined: the portal's HS256 sessions only. */
  readonly oidc: OidcConfig | undefined;
  /** Invitation email through SMTP; undefined: the outbox and the log deliver (the demo's way). */
  readonly smtp: SmtpConfig | undefined;
  /** Last-activity recording: at most one directory write per user per interval; undefined: off. */
  readonly activity: { readonly intervalMs: number } | undefined;
  /** Whether the server's cookies carry `Secure` (always, except for a public URL on this machine over http). */
  readonly secureCookies: boolean;
}

/** Thrown for an invalid environment; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Reads the configuration. `SESSION_SECRET` is required in production; elsewhere a random one is
 * generated (sessions then end with the process, and the caller logs a warning).
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>, randomSecret: () => string): ServerConfig {
  const parsed = environment.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  if (production && e.SESSION_SECRET === undefined) throw new ConfigError('Invalid configuration: SESSION_SECRET is required when NODE_ENV=production');
  if (production && e.DEMO_SIGN_IN === 'on') throw new ConfigError('Invalid configuration: DEMO_SIGN_IN=on is refused when NODE_ENV=production');
  if (production && e.MAIL_OUTBOX_DIR === undefined && e.SMTP_URL === undefined) {
    throw new ConfigError('Invalid configuration: MAIL_OUTBOX_DIR is required when NODE_ENV=production unless SMTP_URL is set (invitations go by email or through an outbox; accept links are never logged in production)');
  }
  let mailFrom: string | undefined;
  if (e.SMTP_URL !== undefined) {
    try {
      mailFrom = normaliseEmail(e.MAIL_FROM ?? '');
    } catch {
      throw new ConfigError('Invalid configuration: SMTP_URL needs MAIL_FROM, the sender address (local@domain.tld)');
    }
  }
  const oidcParts = [e.OIDC_ISSUER, e.OIDC_CLIENT_ID, e.OIDC_CLIENT_SECRET];
  if (oidcParts.some((v) => v !== undefined) && oidcParts.some((v) => v === undefined)) {
    throw new ConfigError('Invalid configuration: OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET go together (sign-in through the portal’s identity provider needs all three)');
  }
  if (e.OIDC_ISSUER !== undefined && e.OIDC_ISSUER.startsWith('http:') && !isLoopbackUrl(e.OIDC_ISSUER)) {
    throw new ConfigError('Invalid configuration: OIDC_ISSUER must be https (plain http is allowed only for a provider on this machine)');
  }
  if (e.OIDC_BEARER_AUDIENCE !== undefined && e.OIDC_ISSUER === undefined) {
    throw new ConfigError('Invalid configuration: OIDC_BEARER_AUDIENCE needs OIDC_ISSUER (whose keys sign the access tokens)');
  }
  if (e.OIDC_BEARER_AUDIENCE !== undefined && e.OIDC_BEARER_AUDIENCE === e.OIDC_CLIENT_ID) {
    throw new ConfigError('Invalid configuration: OIDC_BEARER_AUDIENCE must differ from OIDC_CLIENT_ID (an ID token, whose audience is the client, must never pass for an access token)');
  }
  if (e.OPERATIONS_TOKEN_SECRET !== undefined && e.OPERATIONS_TOKEN_SECRET === e.SESSION_SECRET) {
    throw new ConfigError('Invalid configuration: OPERATIONS_TOKEN_SECRET must differ from SESSION_SECRET (a partner session must never pass for an operator token)');
  }
  if (e.OPERATIONS_TOKEN_AUDIENCE === e.SESSION_AUDIENCE) {
    throw new ConfigError('Invalid configuration: OPERATIONS_TOKEN_AUDIENCE must differ from SESSION_AUDIENCE');
  }
  if (e.HEADERS_TIMEOUT_MS > e.REQUEST_TIMEOUT_MS) {
    throw new ConfigError('Invalid configuration: HEADERS_TIMEOUT_MS must not exceed REQUEST_TIMEOUT_MS (the headers are part of the request)');
  }
  const zeroConfiguration = e.MONGODB_URI === undefined && e.SESSION_SECRET === undefined && e.OIDC_ISSUER === undefined;
  const displayHost = e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST;
  const publicBaseUrl = (e.PUBLIC_BASE_URL ?? `http://${displayHost}:${e.PORT}`).replace(/\/+$/, '');
  const secureCookies = publicBaseUrl.startsWith('https:') || !isLoopbackUrl(publicBaseUrl);
  if (e.OIDC_ISSUER !== undefined && secureCookies && !publicBaseUrl.startsWith('https:')) {
    throw new ConfigError('Invalid configuration: sign-in through OIDC needs an https PUBLIC_BASE_URL outside this machine (its session cookie is Secure, which browsers refuse over http)');
  }
  const oidc: OidcConfig | undefined =
    e.OIDC_ISSUER === undefined || e.OIDC_CLIENT_ID === undefined || e.OIDC_CLIENT_SECRET === undefined
      ? undefined
      : {
          issuer: e.OIDC_ISSUER,
          clientId: e.OIDC_CLIENT_ID,
          clientSecret: e.OIDC_CLIENT_SECRET,
          clientAuthentication: e.OIDC_CLIENT_AUTH,
          redirectUrl: e.OIDC_REDIRECT_URL ?? `${publicBaseUrl}/auth/callback`,
          postLogoutRedirectUrl: e.OIDC_POST_LOGOUT_REDIRECT_URL ?? `${publicBaseUrl}/`,
          scopes: e.OIDC_SCOPES.includes('openid') ? e.OIDC_SCOPES : ['openid', ...e.OIDC_SCOPES],
          providerName: e.OIDC_PROVIDER_NAME,
          userClaim: e.OIDC_USER_CLAIM,
          sessionClaim: e.OIDC_SESSION_CLAIM,
          mfaAmr: e.OIDC_MFA_AMR,
          mfaAcr: e.OIDC_MFA_ACR,
          sessionTtlSeconds: e.OIDC_SESSION_TTL_SECONDS,
          bearer:
            e.OIDC_BEARER_AUDIENCE === undefined
              ? undefined
              : {
                  audience: e.OIDC_BEARER_AUDIENCE,
                  algorithms: e.OIDC_BEARER_ALGORITHMS ?? defaultProviderTokenAlgorithms,
                  type: e.OIDC_BEARER_TYP,
                  cooldownMs: e.OIDC_JWKS_COOLDOWN_MS,
                  cacheMaxAgeMs: e.OIDC_JWKS_CACHE_MAX_AGE_MS,
                },
          allowHttp: e.OIDC_ISSUER.startsWith('http:'),
        };
  return {
    production,
    demoMode: !production && (e.DEMO_SIGN_IN === 'on' || (e.DEMO_SIGN_IN === undefined && zeroConfiguration)),
    port: e.PORT,
    host: e.HOST,
    sessionSecret: e.SESSION_SECRET ?? randomSecret(),
    sessionSecretGenerated: e.SESSION_SECRET === undefined,
    sessionIssuer: e.SESSION_ISSUER,
    sessionAudience: e.SESSION_AUDIENCE,
    seedFile: e.SEED_FILE ?? demoFixturePath,
    mongodbUri: e.MONGODB_URI,
    logLevel: e.LOG_LEVEL,
    mailOutboxDir: e.MAIL_OUTBOX_DIR,
    publicBaseUrl,
    mutationsPerMinute: e.MUTATIONS_PER_MINUTE,
    trustRequestId: e.TRUST_REQUEST_ID === 'on',
    operations:
      e.OPERATIONS_TOKEN_SECRET === undefined
        ? undefined
        : { secret: e.OPERATIONS_TOKEN_SECRET, audience: e.OPERATIONS_TOKEN_AUDIENCE, issuer: e.OPERATIONS_TOKEN_ISSUER, mutationsPerMinute: e.OPERATIONS_MUTATIONS_PER_MINUTE },
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    headersTimeoutMs: e.HEADERS_TIMEOUT_MS,
    maxConnections: e.MAX_CONNECTIONS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    oidc,
    smtp: e.SMTP_URL === undefined || mailFrom === undefined ? undefined : { url: e.SMTP_URL, from: mailFrom, fromName: e.MAIL_FROM_NAME, timeoutMs: e.SMTP_TIMEOUT_MS },
    activity: e.ACTIVITY_RECORDING === 'on' ? { intervalMs: e.ACTIVITY_INTERVAL_MS } : undefined,
    secureCookies,
  };
}
