export { createPartnerTeamRouter, type PartnerTeamRouterOptions } from './router.js';
export { partnerTeamRoutes } from './routes.js';
export { JwtSessionAuthenticator, sessionCookieName, sessionTokenOf, type Session, type SessionAuthenticator, type SessionTokenPolicy } from './session.js';
export { CsrfTokens } from './csrf.js';
export { FixedWindowRateLimiter } from './rate-limit.js';
export { buildOpenApiDocument, openApiPath } from './openapi.js';
export { apiHelmetOptions, helmetHeaders } from './security-headers.js';
export {
  problemTypes,
  problemTypeUri,
  toProblem,
  sendProblem,
  HttpProblem,
  type ProblemBody,
  type ProblemCode,
  type HttpErrorCode,
} from './problem.js';
export type { RouteSpec, HttpMethod } from './routes.js';
export * as schemas from './schemas.js';
