import { fileURLToPath } from 'node:url';
import { minSecretLength } from '@partner-team/express';
import { z } from 'zod';

/** The demo fixture shipped in the repository: the default seed of the in-memory store. */
export const demoFixturePath = fileURLToPath(new URL('../fixtures/demo.json', import.meta.url));

const port = z.coerce.number().int().min(0).max(65535);
const positive = z.coerce.number().int().positive();

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
});

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
  if (production && e.MAIL_OUTBOX_DIR === undefined) {
    throw new ConfigError('Invalid configuration: MAIL_OUTBOX_DIR is required when NODE_ENV=production (the bundled server delivers invitations through an outbox; it never logs accept links in production)');
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
  const zeroConfiguration = e.MONGODB_URI === undefined && e.SESSION_SECRET === undefined;
  const displayHost = e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST;
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
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://${displayHost}:${e.PORT}`).replace(/\/+$/, ''),
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
  };
}
