import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSupportOperations, persistencePortsOf, type InvitationMessage, type Logger } from '@partner-team/core';
import { createOperationsRouter, CsrfTokens, JwtOperatorAuthenticator } from '@partner-team/express';
import { MongoPersistence } from '@partner-team/mongodb';
import { RandomIds, Sha256InvitationTokens, SystemClock } from '@partner-team/node';
import express from 'express';

/** An answer of the operations API: its status, parsed body and request id. */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly requestId: string | undefined;
}

/** The server or store could not be reached, or answered something that is not the API. */
export class FailureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FailureError';
  }
}

/** How the CLI reaches the operations: one request at a time, like the API's own clients. */
export interface Transport {
  request(method: 'GET' | 'POST', path: string, query?: Readonly<Record<string, string>>, body?: unknown): Promise<Answer>;
  close(): Promise<void>;
}

/** The operations API of a running server (`<url>/api/operations`), with an operator token as bearer. */
export class ApiTransport implements Transport {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async request(method: 'GET' | 'POST', path: string, query: Readonly<Record<string, string>> = {}, body?: unknown): Promise<Answer> {
    const search = new URLSearchParams(query).toString();
    const url = `${this.baseUrl.replace(/\/+$/, '')}/api/operations${path}${search === '' ? '' : `?${search}`}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${this.token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error: unknown) {
      throw new FailureError(`cannot reach ${this.baseUrl}: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new FailureError(`${url} answered ${response.status} with something that is not JSON; is this a Partner Team server with the operations API enabled?`);
    }
    return { status: response.status, body: parsed, requestId: response.headers.get('x-request-id') ?? undefined };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The operations run in this process directly on MongoDB, as `operatorId`: the same operations API
 * (validation, rules, answers) served by this process on a loopback port only it knows a token for.
 * Invitations created by an import are handed to `onInvitation` (there is no mail relay here).
 */
export class StoreTransport implements Transport {
  private constructor(
    private readonly persistence: MongoPersistence,
    private readonly server: Server,
    private readonly inner: ApiTransport,
  ) {}

  static async open(uri: string, operatorId: string, onInvitation: (message: InvitationMessage) => void): Promise<StoreTransport> {
    let persistence: MongoPersistence;
    try {
      persistence = await MongoPersistence.open({ uri, logger: quiet });
    } catch (error: unknown) {
      throw new FailureError(`cannot open the MongoDB store: ${error instanceof Error ? error.message : String(error)}`);
    }
    const operations = createSupportOperations({
      ...persistencePortsOf(persistence),
      clock: new SystemClock(),
      ids: new RandomIds(),
      tokens: new Sha256InvitationTokens(),
      notifier: {
        deliver: (message) => {
          onInvitation(message);
          return Promise.resolve();
        },
      },
      logger: quiet,
    });
    const secret = randomBytes(32).toString('base64url');
    const operators = new JwtOperatorAuthenticator(secret, { audience: 'partner-team-ops-cli' });
    const app = express();
    app.set('query parser', 'simple');
    app.use('/api/operations', createOperationsRouter({ operations, operators, csrf: new CsrfTokens(secret), logger: quiet, mutationRateLimit: false }));
    const server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => {
        resolve(listening);
      });
    });
    const { port } = server.address() as AddressInfo;
    return new StoreTransport(persistence, server, new ApiTransport(`http://127.0.0.1:${port}`, operators.issue({ operatorId, role: 'support_operator' }, 3600)));
  }

  request(method: 'GET' | 'POST', path: string, query?: Readonly<Record<string, string>>, body?: unknown): Promise<Answer> {
    return this.inner.request(method, path, query, body);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => {
        resolve();
      });
    });
    await this.persistence.close();
  }
}
