#!/usr/bin/env node
import type { Server } from 'node:http';
import type { Logger } from '@partner-team/core';
import { MongoPersistence } from '@partner-team/mongodb';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createContainer, randomSessionSecret, TYPES } from './container.js';
import { FixtureError } from './fixture.js';
import type { Persistence } from './persistence.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env, randomSessionSecret);
  const container = await createContainer(config, {}, (uri, logger) => MongoPersistence.open({ uri, logger }));
  const logger = container.get<Logger>(TYPES.Logger);
  const persistence = container.get<Persistence>(TYPES.Persistence);
  if (config.demoMode) {
    logger.warn('DEMO SIGN-IN IS ON: anyone can sign in as any fixture user (POST /demo/sign-in). Never expose this server.');
  }
  if (config.sessionSecretGenerated) {
    logger.warn('SESSION_SECRET is not set: using a random one, so sessions end when the process stops');
  }
  const app = createApp(container);
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => {
      resolve(s);
    });
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  logger.info('Partner Team server listening', {
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}/`,
    store: persistence.kind,
    demoMode: config.demoMode,
  });
  const stop = (signal: string) => {
    logger.info('shutting down', { signal });
    server.close(() => {
      void persistence.close().finally(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGTERM', () => { stop('SIGTERM'); });
  process.once('SIGINT', () => { stop('SIGINT'); });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof FixtureError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
