import { createServer, type RequestListener, type Server } from 'node:http';
import type { ServerConfig } from './config.js';

/** Why the server could not start, in one sentence for the operator (no stack). */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/**
 * The HTTP server of `app` with bounded patience for slow clients: a request (headers and body)
 * must arrive within `requestTimeoutMs`, its headers within `headersTimeoutMs` (then Node answers
 * 408 and closes the connection), and at most `maxConnections` connections are open at once.
 * Node checks the timeouts on an interval (30 s by default, which would let a slow client hold a
 * connection up to 30 s past its bound): it is set to a quarter of the shorter bound, at most 1 s.
 */
export function createHttpServer(
  app: RequestListener,
  limits: Pick<ServerConfig, 'requestTimeoutMs' | 'headersTimeoutMs' | 'maxConnections'>,
): Server {
  const server = createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(Math.min(limits.requestTimeoutMs, limits.headersTimeoutMs) / 4))),
    },
    app,
  );
  server.maxConnections = limits.maxConnections;
  return server;
}

/**
 * Listens on `host`:`port`; resolves once listening.
 *
 * @throws {@link StartupError} naming the address when it is in use or may not be bound.
 */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
      const reason =
        error.code === 'EADDRINUSE'
          ? `${address} is already in use (set PORT or HOST to a free address)`
          : error.code === 'EACCES'
            ? `${address} may not be bound by this user`
            : error.code === 'EADDRNOTAVAIL'
              ? `${address} is not an address of this machine (HOST)`
              : `cannot listen on ${address} (${error.code ?? error.message})`;
      reject(new StartupError(reason, { cause: error }));
    };
    server.once('error', failed);
    server.listen(port, host, () => {
      server.removeListener('error', failed);
      resolve();
    });
  });
}
