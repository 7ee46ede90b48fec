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

/**
 * The OpenAPI 3.1 document of the routes, generated from the same zod schemas that validate the
 * requests, so the document cannot describe an input the router does not enforce.
 */
export function buildOpenApiDocument(routes: readonly RouteSpec[], info: { title: string; version: string }, serverUrl: string): JsonSchema {
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
      ...(route.authenticated ? { security: [{ sessionCookie: [] }, { bearer: [] }] } : { security: [] }),
      parameters: [
        ...parameters(route.params, 'path'),
        ...parameters(route.query, 'query'),
        ...(route.method === 'get' || !route.authenticated
          ? []
          : [{ name: 'X-CSRF-Token', in: 'header', required: true, schema: { type: 'string' } }]),
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
      securitySchemes: {
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'partner_session' },
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      },
    },
  };
}
