#!/usr/bin/env node
// Loads a fixture (the server's SEED_FILE format) into MongoDB, idempotently, through the AiDial
// support operations (each step is audited as done by the operator "fixture-loader").
//   MONGODB_URI=mongodb://127.0.0.1:27017/partner_team node scripts/load-fixture.mjs [fixture.json]
// Default fixture: the demo one. Prints the accept links of invitations it created.
import { MongoPersistence } from '@partner-team/mongodb';
import { RandomIds, Sha256InvitationTokens, SystemClock } from '@partner-team/node';
import {
  demoFixturePath, loadConfig, loadFixtureIntoMongo, randomSessionSecret, readFixture, LoggingInvitationNotifier, WinstonLogger,
} from '@partner-team/server';

const uri = process.env.MONGODB_URI;
if (uri === undefined || uri === '') {
  console.error('Set MONGODB_URI, e.g. MONGODB_URI=mongodb://127.0.0.1:27017/partner_team node scripts/load-fixture.mjs');
  process.exit(2);
}
const file = process.argv[2] ?? demoFixturePath;
const logger = new WinstonLogger(process.env.LOG_LEVEL ?? 'warn');
try {
  // The server's own configuration decides where accept links point and where the outbox is.
  const config = loadConfig(process.env, randomSessionSecret);
  const fixture = await readFixture(file);
  const persistence = await MongoPersistence.open({ uri, logger });
  try {
    const outbox = new LoggingInvitationNotifier(logger, config.publicBaseUrl, config.mailOutboxDir, false);
    const invitations = [];
    const notifier = {
      async deliver(message) {
        invitations.push(message);
        if (config.mailOutboxDir !== undefined) await outbox.deliver(message);
      },
    };
    const report = await loadFixtureIntoMongo(persistence, fixture, { tokens: new Sha256InvitationTokens(), ids: new RandomIds(), clock: new SystemClock(), notifier, logger }, file);
    console.log(`users ${fixture.users.length} (${report.usersChanged} added or changed), assignments ${report.assignments} made`);
    console.log(`organisations created: ${report.organisationsCreated.join(', ') || 'none'}; already present, left unchanged: ${report.organisationsKept.join(', ') || 'none'}`);
    for (const message of invitations) console.log(`invitation for ${message.email} to ${message.organisationName}: ${outbox.acceptUrl(message.token)}`);
  } finally {
    await persistence.close();
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
