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
export type DocumentedRoute = Pick<RouteSpec, 'method' | 'path' | 'summary' | 'authenticated' | 'params' | 'query' | 'body' | 'success' | 'problems'> & {
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

/** The partner surface: the portal's session (cookie or bearer), CSRF on every mutation. */
export const partnerSecurity: OpenApiSecurity = {
  schemes: {
    sessionCookie: { type: 'apiKey', in: 'cookie', name: 'partner_session' },
    bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
  },
  requirement: [{ sessionCookie: [] }, { bearer: [] }],
  csrfRequired: true,
};

/**
 * The OpenAPI 3.1 document of the routes, generated from the same zod schemas that validate the
 * requests, so the document cannot describe an input the router does not enforce.
 */
export function buildOpenApiDocument(
  routes: readonly DocumentedRoute[],
  info: { title: string; version: string; description?: string },
  serverUrl: string,
  security: OpenApiSecurity = partnerSecurity,
): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const statuses = new Map<number, ProblemCode[]>();
    for (const code of route.problems) {
      const status = problemTypes[code].status;
      statuses.set(status, [...(statuses.get(status) ?? []), code]);
    }
    const responses: Record<string, JsonSchema> = {
      [String(route.success.status)]: {
        description: route.success.description,
        ...(route.success.schema === undefined
          ? {}
          : { content: { 'application/json': { schema: jsonSchema(route.success.schema, 'output') } } }),
      },
    };
    for (const [status, codes] of [...statuses].sort(([a], [b]) => a - b)) {
      responses[String(status)] = {
        description: codes.join(', '),
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }
    responses['500'] = {
      description: 'internal',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
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
      schemas: { Problem: jsonSchema(problemResponse, 'output') },
      securitySchemes: security.schemes,
    },
  };
}
