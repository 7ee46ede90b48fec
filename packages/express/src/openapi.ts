import { z } from 'zod';
import { problemTypes, type ProblemCode } from './problem.js';
import type { RouteSpec } from './routes.js';
import { problemResponse } from './schemas.js';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const generated = { ...(z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema) };
  delete generated.$schema;
  return generated;
}

function parameters(schema: z.ZodType, location: 'path' | 'query'): JsonSchema[] {
  const object = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (object.required ?? []).includes(name),
    schema: property,
  }));
}

/** Express `/members/:userId` → OpenAPI `/members/{userId}`. */
export const openApiPath = (path: string): string => path.replace(/:([A-Za-z]+)/g, '{$1}');

/** What the document needs of a route (the partner router's and the operations router's specs both have it). */
export type DocumentedRoute = Pick<RouteSpec, 'method' | 'path' | 'summary' | 'authenticated' | 'params' | 'query' | 'body' | 'success' | 'problems' | 'problemExtensions'> & {
  /** Longer text, e.g. which operator role the route needs. */
  readonly description?: string;
};

/** How a document describes authentication and request verification. */
export interface OpenApiSecurity {
  readonly schemes: Readonly<Record<string, unknown>>;
  /** The security requirement of an authenticated route (alternatives). */
  readonly requirement: readonly Readonly<Record<string, readonly string[]>>[];
  /** Whether authenticated mutations must send `X-CSRF-Token` (false: only with the cookie credential). */
  readonly csrfRequired: boolean;
}

/** The partner surface: a session cookie (CSRF on every mutation) or a bearer token (no CSRF). */
export const partnerSecurity: OpenApiSecurity = {
  schemes: {
    sessionCookie: { type: 'apiKey', in: 'cookie', name: 'partner_session', description: 'The session cookie (the portal’s, or the bundled server’s own after OpenID Connect sign-in); mutations need X-CSRF-Token' },
    bearer: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'A session token of the portal, or an access token of the identity provider (when the server is configured for one); no X-CSRF-Token needed',
    },
  },
  requirement: [{ sessionCookie: [] }, { bearer: [] }],
  csrfRequired: false,
};

const header = (description: string, schema: JsonSchema) => ({ required: true, description, schema });
const requestIdHeader = header('The request id (quote it to support); recorded in the audit event of a change', { type: 'string', minLength: 1 });
const retryAfterHeader = header('Seconds to wait before trying again', { type: 'integer', minimum: 1 });
/** Headers a problem of this status always carries, beyond X-Request-Id. */
const problemHeaders: Readonly<Record<number, Readonly<Record<string, JsonSchema>>>> = {
  401: { 'WWW-Authenticate': header('How to authenticate: a session cookie or bearer token', { type: 'string', minLength: 1 }) },
  429: { 'Retry-After': retryAfterHeader },
  503: { 'Retry-After': retryAfterHeader },
};

/**
 * The problem schema of one response: the RFC 9457 members with `status` fixed and `code` one of
 * exactly `codes`; where some codes carry extension members, one alternative per such code.
 */
function problemSchema(status: number | undefined, codes: readonly ProblemCode[], extensions: RouteSpec['problemExtensions']): JsonSchema {
  const base = jsonSchema(problemResponse, 'output') as { properties: Record<string, JsonSchema>; required: string[] };
  const variant = (admitted: readonly ProblemCode[], extension?: z.ZodObject): JsonSchema => {
    const added = extension === undefined ? { properties: {}, required: [] } : (jsonSchema(extension, 'output') as { properties: Record<string, JsonSchema>; required?: string[] });
    return {
      ...base,
      properties: {
        ...base.properties,
        ...(status === undefined ? {} : { status: { type: 'integer', const: status } }),
        code: admitted.length === 1 ? { type: 'string', const: admitted[0] } : { type: 'string', enum: [...admitted] },
        ...added.properties,
      },
      required: [...base.required, ...(added.required ?? [])],
    };
  };
  const plain = codes.filter((code) => extensions?.[code] === undefined);
  const extended = codes.filter((code) => extensions?.[code] !== undefined);
  if (extended.length === 0) return variant(plain);
  const alternatives = [...(plain.length === 0 ? [] : [variant(plain)]), ...extended.map((code) => variant([code], extensions?.[code]))];
  return alternatives.length === 1 ? (alternatives[0] ?? {}) : { oneOf: alternatives };
}

/**
 * The OpenAPI 3.1 document of the routes, generated from the same zod schemas that validate the
 * requests and from each route's list of problems, so the document cannot describe an input the
 * router does not enforce, and lists for each response exactly the codes it can carry and the
 * headers it always has.
 */
export function buildOpenApiDocument(
  routes: readonly DocumentedRoute[],
  info: { title: string; version: string; description?: string },
  serverUrl: string,
  security: OpenApiSecurity = partnerSecurity,
): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const statuses = new Map<number, ProblemCode[]>([[500, ['internal']]]);
    for (const code of route.problems) {
      const status = problemTypes[code].status;
      statuses.set(status, [...(statuses.get(status) ?? []), code]);
    }
    const responses: Record<string, JsonSchema> = {
      [String(route.success.status)]: {
        description: route.success.description,
        headers: {
          'X-Request-Id': requestIdHeader,
          ...Object.fromEntries(Object.entries(route.success.headers ?? {}).map(([name, description]) => [name, header(description, { type: 'string', minLength: 1 })])),
        },
        ...(route.success.schema === undefined
          ? {}
          : { content: { 'application/json': { schema: jsonSchema(route.success.schema, 'output') } } }),
      },
    };
    for (const [status, codes] of [...statuses].sort(([a], [b]) => a - b)) {
      responses[String(status)] = {
        description: codes.join(', '),
        headers: { 'X-Request-Id': requestIdHeader, ...problemHeaders[status] },
        content: { 'application/problem+json': { schema: problemSchema(status, codes, route.problemExtensions) } },
      };
    }
    const operation: JsonSchema = {
      operationId: `${route.method}${openApiPath(route.path).replace(/[^A-Za-z]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      summary: route.summary,
      ...(route.description === undefined ? {} : { description: route.description }),
      ...(route.authenticated ? { security: security.requirement } : { security: [] }),
      parameters: [
        ...parameters(route.params, 'path'),
        ...parameters(route.query, 'query'),
        ...(route.method === 'get' || !route.authenticated
          ? []
          : [
              {
                name: 'X-CSRF-Token',
                in: 'header',
                required: security.csrfRequired,
                ...(security.csrfRequired ? {} : { description: 'Required when the credential is the cookie (GET /me returns the token)' }),
                schema: { type: 'string' },
              },
            ]),
      ],
      ...(route.body === undefined
        ? {}
        : { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } }),
      responses,
    };
    const key = openApiPath(route.path);
    paths[key] = { ...(paths[key] ?? {}), [route.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info,
    servers: [{ url: serverUrl }],
    paths,
    components: {
      // Every problem any endpoint answers, for clients that want one type; each response has its own, exact schema.
      schemas: { Problem: problemSchema(undefined, Object.keys(problemTypes) as ProblemCode[], undefined) },
      securitySchemes: security.schemes,
    },
  };
}
