import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createPartnerTeam, createSupportOperations } from '@partner-team/core';
import { TestTeam } from '@partner-team/testing';
import { expect } from 'chai';
import express, { type Router } from 'express';
import { CsrfTokens } from './csrf.js';
import { buildOpenApiDocument, openApiPath } from './openapi.js';
import { createOperationsRouter } from './operations-router.js';
import { JwtOperatorAuthenticator } from './operator-auth.js';
import { createPartnerTeamRouter } from './router.js';
import { partnerTeamRoutes } from './routes.js';
import { JwtSessionAuthenticator } from './session.js';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

function registeredRoutes(router: Router): string[] {
  return (router.stack as unknown as Layer[])
    .flatMap((layer) => (layer.route === undefined ? [] : Object.keys(layer.route.methods).map((m) => `${m.toUpperCase()} ${openApiPath(layer.route!.path)}`)))
    .sort();
}

describe('OpenAPI document', function () {
  const test = new TestTeam();
  const secret = 'a-session-secret-that-is-long-enough-32';
  const router = createPartnerTeamRouter({
    team: createPartnerTeam(test.ports),
    sessions: new JwtSessionAuthenticator(secret),
    csrf: new CsrfTokens(secret),
    logger: test.logger,
  });

  it('serves a document that describes exactly the routes the router serves', async function () {
    const app = express();
    app.use('/api/partner-team', router);
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const answer = await fetch(`http://127.0.0.1:${port}/api/partner-team/openapi.json`);
      expect(answer.status).to.equal(200);
      const document = (await answer.json()) as { paths: Record<string, Record<string, unknown>> };
      const documented = Object.entries(document.paths)
        .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
        .sort();
      expect(documented).to.include('GET /openapi.json').and.to.include('PATCH /members/{userId}');
      expect(registeredRoutes(router)).to.deep.equal(documented);
    } finally {
      server.close();
    }
  });

  it('serves an operations document that describes exactly the routes the operations router serves', async function () {
    const operations = createOperationsRouter({
      operations: createSupportOperations(test.ports),
      operators: new JwtOperatorAuthenticator('an-operations-secret-that-is-long-enough', { audience: 'ops' }),
      csrf: new CsrfTokens('an-operations-secret-that-is-long-enough'),
      logger: test.logger,
    });
    const app = express();
    app.use('/api/operations', operations);
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const document = (await (await fetch(`http://127.0.0.1:${port}/api/operations/openapi.json`)).json()) as { paths: Record<string, Record<string, { security: unknown[]; parameters: { name: string; required: boolean }[] }>> };
      const documented = Object.entries(document.paths)
        .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`))
        .sort();
      expect(documented).to.include('POST /organisations/{organisationId}/admins').and.to.include('GET /audit-events');
      expect(registeredRoutes(operations)).to.deep.equal(documented);
      const grant = document.paths['/organisations/{organisationId}/admins']?.post;
      expect(grant?.security).to.deep.equal([{ operatorBearer: [] }, { operatorCookie: [] }]);
      expect(grant?.parameters.find((p) => p.name === 'X-CSRF-Token')?.required).to.equal(false);
    } finally {
      server.close();
    }
  });

  it('documents every parameter, body and problem of each route from its schemas', function () {
    const routes = partnerTeamRoutes({ team: test.useCases, csrf: new CsrfTokens(secret), ready: () => Promise.resolve(true) });
    const document = buildOpenApiDocument(routes, { title: 't', version: '0' }, '/api') as { openapi: string; paths: Record<string, Record<string, { parameters: { name: string; in: string }[]; requestBody?: unknown; responses: Record<string, unknown> }>> };
    expect(document.openapi).to.equal('3.1.0');
    const members = document.paths['/members']?.get;
    expect(members?.parameters.filter((p) => p.in === 'query').map((p) => p.name).sort()).to.deep.equal(['cursor', 'limit', 'order', 'q', 'sort']);
    const patch = document.paths['/members/{userId}']?.patch;
    expect(patch?.parameters.find((p) => p.in === 'path')?.name).to.equal('userId');
    expect(patch?.requestBody).to.deep.nested.include({ 'content.application/json.schema.properties.role.enum': ['partner_admin', 'partner_user'] });
    expect(patch?.requestBody).to.deep.nested.include({ 'content.application/json.schema.additionalProperties': false });
    expect(Object.keys(patch?.responses ?? {}).sort()).to.deep.equal(['200', '400', '401', '403', '404', '409', '413', '415', '429', '500', '503']);
  });
});
