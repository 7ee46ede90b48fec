import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { CsrfTokens, JwtSessionAuthenticator } from '@partner-team/express';

/**
 * Helpers of the suites that run the server against MongoDB (FerretDB under `npm test`): the
 * database URI, the environment of a server process, and the headers of a signed-in session.
 */

/** MONGODB_URI with its path set to `database`. Never skipped: without MONGODB_URI the suites fail. */
export function databaseUri(database: string): string {
  const uri = process.env.MONGODB_URI;
  if (uri === undefined || uri === '') throw new Error('MONGODB_URI is not set: run through `npm test`, which starts FerretDB');
  const url = new URL(uri);
  url.pathname = `/${database}`;
  return url.toString();
}

/** The environment of a production-mode server process on `uri`, trusting request ids, without a practical rate limit. */
export function serverEnv(uri: string, secret: string): Record<string, string> {
  return {
    MONGODB_URI: uri,
    SESSION_SECRET: secret,
    NODE_ENV: 'production',
    MAIL_OUTBOX_DIR: join(tmpdir(), 'partner-team-test-outbox'),
    TRUST_REQUEST_ID: 'on',
    MUTATIONS_PER_MINUTE: '1000000',
    LOG_LEVEL: 'info',
  };
}

/** The cookie and CSRF header of a fresh one-hour session for `userId`. */
export function sessionHeaders(
  sessions: JwtSessionAuthenticator,
  csrf: CsrfTokens,
  userId: string,
): { cookie: string; 'x-csrf-token': string } {
  const sessionId = randomBytes(12).toString('base64url');
  return {
    cookie: `partner_session=${sessions.issue({ userId, sessionId }, 3600)}`,
    'x-csrf-token': csrf.tokenFor(sessionId),
  };
}
