#!/usr/bin/env node
import type { Logger } from '@partner-team/core';
import { StoreUnavailableError } from '@partner-team/core';
import { MongoPersistence } from '@partner-team/mongodb';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import type { ActivityRecorder } from './activity-recorder.js';
import { createContainer, randomSessionSecret, TYPES } from './container.js';
import { FixtureError } from './fixture.js';
import { createHttpServer, listen, StartupError } from './http-server.js';
import type { Persistence } from './persistence.js';

/** The hosts of a MongoDB connection string, without credentials, options or database. */
function mongoHosts(uri: string): string {
  const rest = uri.replace(/^mongodb(\+srv)?:\/\//, '');
  const authority = rest.split(/[/?]/, 1)[0] ?? '';
  return authority.slice(authority.lastIndexOf('@') + 1);
}

async function openMongo(uri: string, logger: Logger): Promise<Persistence> {
  try {
    return await MongoPersistence.open({ uri, logger });
  } catch (error: unknown) {
    if (error instanceof StoreUnavailableError) throw new StartupError(`MongoDB at ${mongoHosts(uri)} could not be reached (MONGODB_URI)`, { cause: error });
    throw error;
  }
}

async function main(): Promise<void> {
  const config = loadConfig(process.env, randomSessionSecret);
  const container = await createContainer(config, {}, openMongo);
  const logger = container.get<Logger>(TYPES.Logger);
  const persistence = container.get<Persistence>(TYPES.Persistence);
  if (config.demoMode) {
    logger.warn('DEMO SIGN-IN IS ON: anyone can sign in as any fixture user (POST /demo/sign-in). Never expose this server.');
  }
  if (config.sessionSecretGenerated) {
    logger.warn('SESSION_SECRET is not set: using a random one, so sessions end when the process stops');
  }
  const server = createHttpServer(createApp(container), config);
  try {
    await listen(server, config.port, config.host);
  } catch (error: unknown) {
    await persistence.close();
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  logger.info('Partner Team server listening', {
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}/`,
    store: persistence.kind,
    demoMode: config.demoMode,
    signIn: config.oidc === undefined ? (config.demoMode ? 'demo' : 'portal session') : `oidc ${config.oidc.issuer}`,
    invitationEmail: config.smtp === undefined ? (config.mailOutboxDir === undefined ? 'log' : 'outbox') : 'smtp',
    activityRecording: config.activity !== undefined,
    pid: process.pid,
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal, deadlineMs: config.shutdownTimeoutMs });
    // Requests still running at the deadline are cut off: say so, and exit non-zero so that a
    // supervisor knows the shutdown was not clean.
    const deadline = setTimeout(() => {
      server.getConnections((_error, connections) => {
        logger.error('shutdown deadline reached: requests in flight were cut off', { deadlineMs: config.shutdownTimeoutMs, connections });
        server.closeAllConnections();
        process.exit(1);
      });
    }, config.shutdownTimeoutMs);
    server.close(() => {
      clearTimeout(deadline);
      // Last activity seen since the last write goes out before the store closes.
      const recorder = container.isBound(TYPES.ActivityRecorder) ? container.get<ActivityRecorder>(TYPES.ActivityRecorder) : undefined;
      void (recorder?.flush() ?? Promise.resolve())
        .then(() => persistence.close())
        .finally(() => process.exit(0));
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => {
    stop('SIGTERM');
  });
  process.on('SIGINT', () => {
    stop('SIGINT');
  });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof FixtureError) {
    process.stderr.write(`${error.message}\n`);
  } else if (error instanceof StartupError) {
    process.stderr.write(`Failed to start: ${error.message}\n`);
  } else {
    process.stderr.write(`Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
