import { randomUUID } from 'node:crypto';
import type { Logger, PartnerTeam, SupportOperations } from '@partner-team/core';
import {
  createOperationsRouter,
  createPartnerTeamRouter,
  helmetHeaders,
  HttpProblem,
  sendProblem,
  toProblem,
  type CsrfTokens,
  type JwtSessionAuthenticator,
  type OperatorAuthenticator,
  type SessionAuthenticator,
} from '@partner-team/express';
import { assetsDir, publicDir } from '@partner-team/web';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Container } from 'inversify';
import type { ServerConfig } from './config.js';
import { TYPES } from './container.js';
import { createDemoRouter } from './demo-sign-in.js';
import type { Fixture } from './fixture.js';
import { helmetPageHeaders } from './page-headers.js';
import type { Persistence } from './persistence.js';
import type { OidcSignIn } from './sign-in/oidc-sign-in.js';

export const apiMountPath = '/api/partner-team';
/** Where the AiDial support operations API is served (when OPERATIONS_TOKEN_SECRET is set). */
export const operationsMountPath = '/api/operations';


/** Compiled browser modules and their source maps only: not declarations or build info. */
const assetPattern = /^\/[a-z0-9-]+\.js(\.map)?$/;

/** Serves the Partner Team page: `index.html` and `styles.css` at `/`, its ES modules at `/assets/`. */
function servePage(app: Express): void {
  const headers = helmetPageHeaders();
  const setHeaders = (res: Response) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    // No fingerprinted file names, so the browser must revalidate to pick up a new release.
    res.setHeader('Cache-Control', 'no-cache');
  };
  const options = { redirect: false, dotfiles: 'ignore', setHeaders } as const;
  const assets = express.static(assetsDir, { ...options, index: false });
  app.use('/assets', (req: Request, res: Response, next: NextFunction) => {
    if (assetPattern.test(req.path)) assets(req, res, next);
    else next();
  });
  app.use(express.static(publicDir, { ...options, index: 'index.html' }));
}

/**
 * The bundled server's Express app: the partner API, the operations API (when configured), the demo
 * sign-in (outside production), health checks and the page.
 */
export function createApp(container: Container): Express {
  const config = container.get<ServerConfig>(TYPES.Config);
  const logger = container.get<Logger>(TYPES.Logger);
  const persistence = container.get<Persistence>(TYPES.Persistence);
  const sessions = container.get<JwtSessionAuthenticator>(TYPES.Sessions);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  const router = createPartnerTeamRouter({
    team: container.get<PartnerTeam>(TYPES.PartnerTeam),
    sessions: container.get<SessionAuthenticator>(TYPES.Authenticator),
    csrf: container.get<CsrfTokens>(TYPES.Csrf),
    logger,
    ready: () => persistence.ready(),
    mutationRateLimit: { limit: config.mutationsPerMinute, windowMs: 60_000 },
    trustRequestIdHeader: config.trustRequestId,
  });
  // The probes also answer at the root, as aliases of the API's own (a probe's query string, often a
  // cache-buster, is dropped rather than refused).
  app.get(['/healthz', '/readyz'], (req: Request, _res: Response, next: NextFunction) => {
    req.url = `${apiMountPath}${req.path}`;
    next();
  });
  app.use(apiMountPath, router);
  if (config.operations !== undefined) {
    app.use(
      operationsMountPath,
      createOperationsRouter({
        operations: container.get<SupportOperations>(TYPES.SupportOperations),
        operators: container.get<OperatorAuthenticator>(TYPES.Operators),
        csrf: container.get<CsrfTokens>(TYPES.OperationsCsrf),
        logger,
        mutationRateLimit: { limit: config.operations.mutationsPerMinute, windowMs: 60_000 },
        mountPath: operationsMountPath,
        trustRequestIdHeader: config.trustRequestId,
      }),
    );
  }
  // Everything else that is not the page gets the API's headers and a request id too.
  const plainHeaders = helmetHeaders();
  const withPlainHeaders = (_req: Request, res: Response, next: NextFunction) => {
    for (const [name, value] of plainHeaders) res.setHeader(name, value);
    res.setHeader('Cache-Control', 'no-store');
    const requestId = randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    next();
  };
  app.use('/demo', withPlainHeaders);
  if (config.oidc !== undefined) {
    app.use('/auth', withPlainHeaders, container.get<OidcSignIn>(TYPES.OidcSignIn).router());
  }
  if (config.demoMode) {
    app.use('/demo', createDemoRouter(container.get<Fixture>(TYPES.Fixture), sessions, config.publicBaseUrl.startsWith('https:')));
  }
  servePage(app);

  // Outside the API, problems go through the API's own mapping (toProblem) and writer.
  const problem = (res: Response, error: unknown) => {
    const requestId = typeof res.locals.requestId === 'string' ? res.locals.requestId : randomUUID();
    const { body, headers, expected } = toProblem(error, requestId);
    if (!expected) logger.error('unexpected error outside the API', { error: error instanceof Error ? error.name : typeof error, stack: error instanceof Error ? error.stack : undefined });
    for (const [name, value] of plainHeaders) res.setHeader(name, value);
    res.setHeader('X-Request-Id', requestId);
    sendProblem(res, body, headers);
  };
  app.use((_req: Request, res: Response) => {
    problem(res, new HttpProblem('route_not_found'));
  });
  app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    problem(res, error);
  });
  return app;
}
