import { randomBytes } from 'node:crypto';
import { HttpProblem, sendProblem, sessionCookieName, toProblem, type JwtSessionAuthenticator } from '@partner-team/express';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Fixture } from './fixture.js';

// Only fixture user ids are accepted (checked against the fixture below); the bound keeps input small.
const signInBody = z.strictObject({ userId: z.string().max(64) });
const sessionSeconds = 8 * 60 * 60;

/** A fixture user as the demo picker lists them. */
export interface DemoUser {
  readonly userId: string;
  readonly name: string;
  readonly email: string;
  readonly organisation: { readonly id: string; readonly name: string; readonly status: string; readonly bootstrapped: boolean } | null;
  readonly role: string | null;
}

export function demoUsers(fixture: Fixture): DemoUser[] {
  return fixture.users.map((u) => {
    const organisation = fixture.organisations.find((o) => o.memberships.some((m) => m.userId === u.id));
    const membership = organisation?.memberships.find((m) => m.userId === u.id);
    return {
      userId: u.id,
      name: u.name,
      email: u.email,
      organisation: organisation === undefined ? null : { id: organisation.id, name: organisation.name, status: organisation.status, bootstrapped: organisation.bootstrapped },
      role: membership?.role ?? null,
    };
  });
}

function problem(res: Response, refusal: HttpProblem): void {
  // The app's middleware for /demo has set the plain headers and the request id.
  const requestId = typeof res.locals.requestId === 'string' ? res.locals.requestId : '';
  sendProblem(res, toProblem(refusal, requestId).body);
}

/**
 * Demo sign-in (mounted only when not in production): pick a fixture user and get the session
 * cookie. It exists so that a newcomer can try every role; a real portal signs users in itself and
 * only shares the session token.
 */
export function createDemoRouter(fixture: Fixture, sessions: JwtSessionAuthenticator, secureCookies: boolean): Router {
  const router = express.Router();
  const users = demoUsers(fixture);
  const known = new Set(users.map((u) => u.userId));
  const cookie = (value: string, maxAge: number) =>
    `${sessionCookieName}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secureCookies ? '; Secure' : ''}`;

  router.get('/users', (_req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ items: users });
  });

  router.post('/sign-in', express.json({ limit: '1kb', type: 'application/json', strict: true }), (req: Request, res: Response) => {
    if (!req.is('application/json')) {
      problem(res, new HttpProblem('unsupported_media_type', 'Send {"userId": "..."} as application/json'));
      return;
    }
    const parsed = signInBody.safeParse(req.body);
    if (!parsed.success || !known.has(parsed.data.userId)) {
      problem(res, new HttpProblem('validation_failed', 'userId must be one of the demo users'));
      return;
    }
    const token = sessions.issue({ userId: parsed.data.userId, sessionId: randomBytes(16).toString('base64url') }, sessionSeconds);
    res.setHeader('Set-Cookie', cookie(token, sessionSeconds));
    res.setHeader('Cache-Control', 'no-store');
    res.json({ userId: parsed.data.userId, expiresInSeconds: sessionSeconds });
  });

  router.post('/sign-out', (_req: Request, res: Response) => {
    res.setHeader('Set-Cookie', cookie('', 0));
    res.status(204).end();
  });

  return router;
}
