import { ForbiddenError, type Logger, type SupportOperations } from '@partner-team/core';
import express, { type Request, type Response, type Router } from 'express';
import type { CsrfTokens } from './csrf.js';
import { createPipeline, validate } from './http-pipeline.js';
import { buildOpenApiDocument, type OpenApiSecurity } from './openapi.js';
import { operationsRoutes, type OperationRouteSpec } from './operations-routes.js';
import { operatorCookieName, operatorRoleAllows, type Operator, type OperatorAuthenticator } from './operator-auth.js';
import { HttpProblem } from './problem.js';
import { FixedWindowRateLimiter } from './rate-limit.js';
import { readJsonBody, refuseBody } from './request-body.js';
import { noParams, noQuery } from './schemas.js';

export interface OperationsRouterOptions {
  readonly operations: SupportOperations;
  /** Who the operator is: their own credential, never a partner session (see `JwtOperatorAuthenticator`). */
  readonly operators: OperatorAuthenticator;
  /** Request verification for the cookie credential; keyed with the operations secret, not the session secret. */
  readonly csrf: CsrfTokens;
  readonly logger: Logger;
  /** Mutations per operator per window; `false` disables. Default 120 per minute. */
  readonly mutationRateLimit?: { readonly limit: number; readonly windowMs: number } | false;
  /** Largest accepted JSON body in bytes. Default 4 MiB (bulk imports and directory syncs). */
  readonly bodyLimitBytes?: number;
  /** Where the router is mounted, for the OpenAPI document. Default `/api/operations`. */
  readonly mountPath?: string;
  /** As on the partner router: use a trusted proxy's `X-Request-Id` as the audit events' request id. */
  readonly trustRequestIdHeader?: boolean;
}

export const operationsSecurity: OpenApiSecurity = {
  schemes: {
    operatorBearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An operator token: `sub` the operator id, `role` support_viewer or support_operator, the operations audience' },
    operatorCookie: { type: 'apiKey', in: 'cookie', name: operatorCookieName },
  },
  requirement: [{ operatorBearer: [] }, { operatorCookie: [] }],
  csrfRequired: false,
};

/**
 * The AiDial support operations as an Express 5 router, separate from the partner router: its own
 * mount point (`/api/operations`), its own authenticator and roles, its own OpenAPI document. A
 * partner session never reaches it (it is not an operator credential) and an operator credential
 * never acts on the partner surface. As on the partner surface: a request id, helmet's headers,
 * no-store, strict zod schemas, problem+json, one log line per request (with the operator id and
 * role), a per-operator rate limit on changes, and request verification (`X-CSRF-Token` from
 * `GET /me`) whenever the credential is the `operator_session` cookie. Every operation needs a
 * reason (`reason` in the body, or the query of a read).
 */
export function createOperationsRouter(options: OperationsRouterOptions): Router {
  const { operations, operators, csrf, logger } = options;
  const bodyLimit = options.bodyLimitBytes ?? 4 * 1024 * 1024;
  const rateLimit = options.mutationRateLimit ?? { limit: 120, windowMs: 60_000 };
  const limiter = rateLimit === false ? undefined : new FixedWindowRateLimiter(rateLimit.limit, rateLimit.windowMs);
  const routes = operationsRoutes({ operations, csrf });
  let document: unknown;
  routes.push({
    method: 'get',
    path: '/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document',
    role: null,
    params: noParams,
    query: noQuery,
    success: { status: 200, description: 'The OpenAPI document' },
    problems: ['validation_failed'],
    handle: () => {
      document ??= buildOpenApiDocument(
        routes.map((r) => ({
          ...r,
          authenticated: r.role !== null,
          ...(r.role === null ? {} : { description: r.role === 'support_operator' ? 'Needs the support_operator role.' : 'support_viewer or support_operator.' }),
        })),
        { title: 'Partner Team operations API (AiDial support)', version: '0.1.0' },
        options.mountPath ?? '/api/operations',
        operationsSecurity,
      );
      return Promise.resolve({ status: 200, body: document });
    },
  });
  const router = express.Router({ caseSensitive: true, strict: true });
  const { begin, send, logRequest, notFound, onError } = createPipeline({ logger, trustRequestIdHeader: options.trustRequestIdHeader, localsKey: 'partnerTeamOperations' });

  const handlerFor = (spec: OperationRouteSpec) => {
    const route = `${spec.method.toUpperCase()} ${spec.path}`;
    const hasParams = spec.path.includes(':');
    return async (req: Request, res: Response) => {
      const s = begin(req, res);
      s.route = route;
      let operator: Operator = { operatorId: '', role: 'support_viewer' };
      if (spec.role !== null) {
        const found = await operators.authenticate(req);
        if (found === undefined) throw new HttpProblem('unauthenticated', 'A valid operator credential is required');
        operator = found;
        s.who = { operatorId: found.operatorId, role: found.role };
        if (spec.method === 'post') {
          if (found.sessionId !== undefined && !csrf.verify(found.sessionId, req.headers['x-csrf-token'])) {
            throw new HttpProblem('csrf_failed', 'Send the X-CSRF-Token that GET /me returned for this operator session');
          }
          const wait = limiter?.hit(found.operatorId) ?? 0;
          if (wait > 0) throw new HttpProblem('rate_limited', 'Too many changes in a short time', { 'Retry-After': String(wait) });
        }
        if (!operatorRoleAllows(found.role, spec.role)) throw new ForbiddenError(`This operation needs the ${spec.role} role`);
      }
      let body: unknown;
      if (spec.body === undefined) refuseBody(req);
      else body = validate(spec.body, await readJsonBody(req, bodyLimit), 'body');
      const params = hasParams ? validate(spec.params, req.params, 'path') : {};
      const query = validate(spec.query, req.query, 'query');
      const result = await spec.handle({ operator, params, query, body, requestId: s.requestId });
      send(res, s, result.status, result.body === undefined ? undefined : JSON.stringify(result.body), 'application/json; charset=utf-8', result.headers);
      logRequest(req, res, s);
    };
  };

  for (const spec of routes) router[spec.method](spec.path, handlerFor(spec));
  router.use(notFound);
  router.use(onError);
  return router;
}
