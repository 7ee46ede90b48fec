import type { Logger, PartnerTeam } from '@partner-team/core';
import express, { type Request, type Response, type Router } from 'express';
import type { CsrfTokens } from './csrf.js';
import { createPipeline, validate } from './http-pipeline.js';
import { HttpProblem } from './problem.js';
import { FixedWindowRateLimiter } from './rate-limit.js';
import { readJsonBody, refuseBody } from './request-body.js';
import { partnerTeamRoutes, type RouteSpec } from './routes.js';
import { buildOpenApiDocument } from './openapi.js';
import { noParams, noQuery, openApiResponse } from './schemas.js';
import type { Session, SessionAuthenticator } from './session.js';

export interface PartnerTeamRouterOptions {
  readonly team: PartnerTeam;
  readonly sessions: SessionAuthenticator;
  readonly csrf: CsrfTokens;
  readonly logger: Logger;
  /** Whether the store answers; `/readyz` reports it. Default: always ready. */
  readonly ready?: () => Promise<boolean>;
  /** Mutations per signed-in user per window; `false` disables. Default 120 per minute. */
  readonly mutationRateLimit?: { readonly limit: number; readonly windowMs: number } | false;
  /** Largest accepted JSON body in bytes. Default 16 KiB. */
  readonly bodyLimitBytes?: number;
  /** Where the router is mounted, for the OpenAPI document's server URL. Default `/api/partner-team`. */
  readonly mountPath?: string;
  /**
   * Use an incoming `X-Request-Id` as the request id (recorded in audit events). Only behind a
   * proxy that sets it; otherwise a client could forge the ids investigators rely on. Default: the
   * router generates every id and logs a client's value as `clientRequestId`.
   */
  readonly trustRequestIdHeader?: boolean;
}

const mutating = new Set(['post', 'patch', 'delete']);

/**
 * The Partner Team API as an Express 5 router. Mount it where the portal wants it
 * (`app.use('/api/partner-team', createPartnerTeamRouter(...))`). For every request: a request id,
 * helmet's headers, `Cache-Control: no-store`, one structured log line (no tokens, CSRF values or
 * session ids). For every protected endpoint: session authentication; the actor's organisation and
 * role come from membership inside the use cases, never from the request. For every mutation:
 * CSRF verification bound to the session, a per-user rate limit, an `application/json` body of
 * bounded size. Every input object is checked by a strict zod schema; every refusal is
 * `application/problem+json` with a stable `code`.
 */
export function createPartnerTeamRouter(options: PartnerTeamRouterOptions): Router {
  const { team, sessions, csrf, logger } = options;
  const bodyLimit = options.bodyLimitBytes ?? 16 * 1024;
  const rateLimit = options.mutationRateLimit ?? { limit: 120, windowMs: 60_000 };
  const limiter = rateLimit === false ? undefined : new FixedWindowRateLimiter(rateLimit.limit, rateLimit.windowMs);
  const routes = partnerTeamRoutes({ team, csrf, ready: options.ready ?? (() => Promise.resolve(true)) });
  let document: unknown;
  routes.push({
    method: 'get',
    path: '/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document',
    authenticated: false,
    params: noParams,
    query: noQuery,
    success: { status: 200, description: 'The OpenAPI document', schema: openApiResponse },
    problems: ['validation_failed'],
    handle: () => {
      // Built on first request (start-up stays cheap) and served as is afterwards: nothing changes it.
      document ??= buildOpenApiDocument(routes, { title: 'Partner Team API', version: '0.1.0' }, options.mountPath ?? '/api/partner-team');
      return Promise.resolve({ status: 200, body: document });
    },
  });
  const router = express.Router({ caseSensitive: true, strict: true });

  const { begin, send, logRequest, notFound, onError } = createPipeline({ logger, trustRequestIdHeader: options.trustRequestIdHeader, localsKey: 'partnerTeam' });

  const handlerFor = (spec: RouteSpec) => {
    const route = `${spec.method.toUpperCase()} ${spec.path}`;
    const isMutation = mutating.has(spec.method);
    // Express gives routes without parameters an empty params object: nothing to validate.
    const hasParams = spec.path.includes(':');
    return async (req: Request, res: Response) => {
      const s = begin(req, res);
      s.route = route;
      let session: Session = { userId: '', sessionId: '' };
      if (spec.authenticated) {
        const found = await sessions.authenticate(req);
        if (found === undefined) throw new HttpProblem('unauthenticated', 'A valid session is required', { 'WWW-Authenticate': 'Bearer realm="partner-team"' });
        session = found;
        s.who = { userId: found.userId };
      }
      if (isMutation) {
        // A bearer token only ever comes from the Authorization header, which no browser sends on its
        // own: such a request cannot be forged cross-site, so it needs no CSRF token. Every other
        // credential (the session cookie) does.
        if (session.credential !== 'bearer' && !csrf.verify(session.sessionId, req.headers['x-csrf-token'])) {
          throw new HttpProblem('csrf_failed', 'Send the X-CSRF-Token that GET /me returned for this session');
        }
        const wait = limiter?.hit(session.userId) ?? 0;
        if (wait > 0) throw new HttpProblem('rate_limited', 'Too many changes in a short time', { 'Retry-After': String(wait) });
      }
      let body: unknown;
      if (spec.body === undefined) refuseBody(req);
      else body = validate(spec.body, await readJsonBody(req, bodyLimit), 'body');
      const params = hasParams ? validate(spec.params, req.params, 'path') : {};
      const query = validate(spec.query, req.query, 'query');
      const result = await spec.handle({ session, params, query, body, requestId: s.requestId });
      send(
        res,
        s,
        result.status,
        result.body === undefined ? undefined : JSON.stringify(result.body),
        'application/json; charset=utf-8',
        result.headers,
      );
      logRequest(req, res, s);
    };
  };

  for (const spec of routes) router[spec.method](spec.path, handlerFor(spec));

  router.use(notFound);
  router.use(onError);

  return router;
}
