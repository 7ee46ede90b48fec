import { randomUUID } from 'node:crypto';
import type { Logger, PartnerTeam } from '@partner-team/core';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { z } from 'zod';
import type { CsrfTokens } from './csrf.js';
import { HttpProblem, toProblem } from './problem.js';
import { FixedWindowRateLimiter } from './rate-limit.js';
import { readJsonBody, refuseBody } from './request-body.js';
import { partnerTeamRoutes, type RouteSpec } from './routes.js';
import { apiHelmetOptions, helmetHeaders } from './security-headers.js';
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

interface RequestState {
  readonly requestId: string;
  readonly clientRequestId?: string;
  readonly started: bigint;
  userId?: string;
  route?: string;
}

const requestIdPattern = /^[A-Za-z0-9_.:-]{1,64}$/;
const mutating = new Set(['post', 'patch', 'delete']);

function validate<S extends z.ZodType>(schema: S, value: unknown, part: string): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ path: [part, ...issue.path.map(String)].join('.'), message: issue.message }));
  throw new HttpProblem('validation_failed', `The request ${part} is not valid`, {}, issues);
}

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
  const securityHeaders = helmetHeaders(apiHelmetOptions).flat();
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

  /** The request's id and start time (created by the route's handler, or by the fallbacks). */
  const begin = (req: Request, res: Response): RequestState => {
    const existing = res.locals.partnerTeam as RequestState | undefined;
    if (existing !== undefined) return existing;
    const given = req.headers['x-request-id'];
    const valid = typeof given === 'string' && requestIdPattern.test(given) ? given : undefined;
    const state: RequestState =
      options.trustRequestIdHeader === true && valid !== undefined
        ? { requestId: valid, started: process.hrtime.bigint() }
        : { requestId: randomUUID(), started: process.hrtime.bigint(), ...(valid === undefined ? {} : { clientRequestId: valid }) };
    res.locals.partnerTeam = state;
    return state;
  };

  /**
   * Writes the whole answer at once: helmet's headers, no-store, the request id, and a
   * Content-Length (so the body goes out in the same write as the headers, not chunked).
   */
  const send = (
    res: Response,
    s: RequestState,
    status: number,
    body: string | undefined,
    contentType: string,
    extra: Readonly<Record<string, string>> = {},
  ): void => {
    const headers: string[] = [...securityHeaders, 'Cache-Control', 'no-store', 'X-Request-Id', s.requestId];
    for (const [name, value] of Object.entries(extra)) headers.push(name, value);
    if (body === undefined) {
      res.writeHead(status, headers);
      res.end();
      return;
    }
    headers.push('Content-Type', contentType, 'Content-Length', String(Buffer.byteLength(body)));
    res.writeHead(status, headers);
    res.end(body);
  };

  // One line per request, written when the answer is sent (not on 'finish': no listener per request).
  const logRequest = (req: Request, res: Response, s: RequestState): void => {
    logger.info('request', {
      requestId: s.requestId,
      method: req.method,
      route: s.route ?? 'unmatched',
      status: res.statusCode,
      durationMs: Number(process.hrtime.bigint() - s.started) / 1e6,
      ...(s.userId === undefined ? {} : { userId: s.userId }),
      ...(s.clientRequestId === undefined ? {} : { clientRequestId: s.clientRequestId }),
    });
  };

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
        s.userId = found.userId;
      }
      if (isMutation) {
        if (!csrf.verify(session.sessionId, req.headers['x-csrf-token'])) {
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

  router.use((_req: Request, _res: Response, next: NextFunction) => {
    next(new HttpProblem('route_not_found', 'No such endpoint'));
  });

  router.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const s = begin(req, res);
    const requestId = s.requestId;
    const { body, headers, expected } = toProblem(error, requestId);
    if (!expected) {
      logger.error('unexpected error', {
        requestId,
        method: req.method,
        error: error instanceof Error ? error.name : typeof error,
        stack: error instanceof Error ? error.stack : undefined,
      });
    }
    send(res, s, body.status, JSON.stringify(body), 'application/problem+json; charset=utf-8', headers);
    logRequest(req, res, s);
  });

  return router;
}
