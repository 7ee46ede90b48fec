// The Partner Team HTTP API for Express 5: the router, how it authenticates and verifies requests,
// and its problem+json answers. Response schemas for API clients are in `@partner-team/express/schemas`.
export { createPartnerTeamRouter, type PartnerTeamRouterOptions } from './router.js';
export {
  JwtSessionAuthenticator,
  FirstSessionAuthenticator,
  sessionCookieName,
  cookieValue,
  bearerTokenOf,
  type Session,
  type SessionAuthenticator,
  type SessionTokenPolicy,
} from './session.js';
export {
  JwksBearerAuthenticator,
  directoryUserId,
  providerTokenAlgorithms,
  defaultProviderTokenAlgorithms,
  type JwksBearerOptions,
  type ProviderTokenAlgorithm,
} from './jwks-bearer.js';
export { CsrfTokens } from './csrf.js';
export { minSecretLength } from './secret-key.js';
export { helmetHeaders } from './security-headers.js';
export { problemTypes, toProblem, sendProblem, HttpProblem, type ProblemBody, type ProblemCode } from './problem.js';
// The AiDial support operations API: its own router, authenticator and roles.
export { createOperationsRouter, operationsSecurity, type OperationsRouterOptions } from './operations-router.js';
export {
  JwtOperatorAuthenticator,
  operatorCookieName,
  operatorRoles,
  operatorRoleAllows,
  type Operator,
  type OperatorAuthenticator,
  type OperatorRole,
  type OperatorTokenPolicy,
} from './operator-auth.js';
