import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPartnerTeam, persistencePortsOf } from '@partner-team/core';
import { MongoPersistence } from '@partner-team/mongodb';
import { RandomIds, Sha256InvitationTokens, SystemClock } from '@partner-team/node';
import { expect } from 'chai';
import { databaseUri } from './test-support/mongo-server.js';
import { TestServer, testOperationsSecret } from './test-support/test-server.js';

/**
 * `partner-team-ops`, the package bin, run as a support engineer would: the escalation scenario
 * through a server's operations API (in memory) and directly on the MongoDB store, its exit codes,
 * its --json output, and its help.
 */

const bin = fileURLToPath(new URL('../../ops-cli/dist/main.js', import.meta.url));
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const reason = 'SUP-2001: onboarding NewCo';

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the bin asynchronously (the in-memory server answers from this process's event loop). */
function runCli(args: readonly string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('close', (status) => {
      resolve({ status, stdout, stderr });
    });
  });
}

type Cli = (...args: string[]) => Promise<Run>;

async function ok(run: Promise<Run>, stdout?: RegExp): Promise<string> {
  const { status, stdout: out, stderr } = await run;
  expect(status, `${out}${stderr}`).to.equal(0);
  if (stdout !== undefined) expect(out).to.match(stdout);
  return out;
}

async function refused(run: Promise<Run>, code: string): Promise<void> {
  const { status, stdout, stderr } = await run;
  expect(status, `${stdout}${stderr}`).to.equal(3);
  expect(stderr).to.match(new RegExp(`refused \\(\\d{3} ${code}:`));
}

/** The scenario of the operations suites, driven by the CLI. */
async function cliScenario(cli: Cli, files: string, hooks: { plant: () => Promise<void>; removeNell: () => Promise<void>; operator: string }): Promise<void> {
  const r = ['--reason', reason];
  await writeFile(join(files, 'users.json'), JSON.stringify([
    { id: 'nia', name: 'Nia Newco', email: 'nia@newco.example', mfaEnabled: true },
    { id: 'noah', name: 'Noah Newco', email: 'noah@newco.example', mfaEnabled: false },
    { id: 'nell', name: 'Nell Newco', email: 'nell@newco.example', mfaEnabled: true, lastActiveAt: null },
    { id: 'olga', name: 'Olga Otherco', email: 'olga@otherco.example', mfaEnabled: true },
    { id: 'omar', name: 'Omar Otherco', email: 'omar@otherco.example', mfaEnabled: true },
  ]));
  await writeFile(join(files, 'newco.json'), JSON.stringify({ members: [{ userId: 'noah', role: 'partner_user' }, { userId: 'nell', role: 'partner_user' }] }));
  await writeFile(join(files, 'otherco.json'), JSON.stringify({ members: [{ userId: 'olga', role: 'partner_admin' }, { userId: 'omar', role: 'partner_user' }] }));

  await ok(cli('upsert-users', '--file', join(files, 'users.json'), ...r), /^5 user\(s\) added or changed: nia, noah, nell, olga, omar\.$/m);
  await ok(cli('upsert-users', '--file', join(files, 'users.json'), ...r), /nothing changed/);
  await ok(cli('provision', 'newco', '--name', 'NewCo', ...r), /^Provisioned NewCo \(newco\): active, bootstrap pending, invitations on\.$/m);
  await refused(cli('provision', 'newco', '--name', 'NewCo', ...r), 'organisation_exists');
  await ok(cli('provision', 'otherco', '--name', 'OtherCo', '--invitations', 'off', ...r), /invitations off/);
  await ok(cli('import', 'newco', '--file', join(files, 'newco.json'), ...r), /Imported 2 member\(s\) into newco/);
  await ok(cli('bootstrap', 'newco', '--admin', 'nia', ...r), /^Bootstrap of newco is complete; nia is its first partner_admin\.$/m);
  await refused(cli('bootstrap', 'newco', '--admin', 'nia', ...r), 'already_bootstrapped');
  await ok(cli('import', 'otherco', '--file', join(files, 'otherco.json'), ...r));
  await ok(cli('bootstrap', 'otherco', '--admin', 'olga', ...r));
  await ok(cli('assign', 'newco', 'noah', 'c-north', '--client-name', 'Northwind', ...r), /^Assigned Northwind \(c-north\) to noah in newco\.$/m);
  await ok(cli('assign', 'newco', 'noah', 'c-north', '--client-name', 'Northwind', ...r), /nothing changed/);
  await refused(cli('assign', 'newco', 'omar', 'c-north', '--client-name', 'Northwind', ...r), 'member_not_found');

  await ok(cli('suspend', 'newco', ...r), /^newco is now suspended\.$/m);
  await ok(cli('suspend', 'newco', ...r), /^newco was already suspended; nothing changed\.$/m);
  await ok(cli('archive', 'newco', ...r), /^newco is now archived\.$/m);
  await refused(cli('grant-admin', 'newco', 'noah', ...r), 'organisation_archived');
  await ok(cli('reactivate', 'newco', ...r), /^newco is now active\.$/m);
  await ok(cli('invitations', 'newco', 'off', ...r), /now off/);

  await hooks.removeNell();
  await ok(cli('restore', 'newco', 'nell', ...r), /^nell is a member of newco again, as partner_user\.$/m);
  await refused(cli('restore', 'newco', 'olga', ...r), 'member_of_another_organisation');
  await ok(cli('grant-admin', 'newco', 'noah', ...r), /^noah is now a partner_admin of newco\.$/m);
  await refused(cli('grant-admin', 'newco', 'noah', ...r), 'already_partner_admin');
  const shown = await ok(cli('show', 'newco', ...r));
  expect(shown).to.match(/^ {2}admins {7}2$/m).and.match(/^ {2}members {6}3 \(showing 3\)$/m);
  expect(shown.split('\n').filter((l) => l.includes('@newco.example')).map((l) => l.trim().split(/\s+/).slice(0, 2))).to.deep.equal([
    ['partner_admin', 'nia'],
    ['partner_admin', 'noah'],
    ['partner_user', 'nell'],
  ]);

  await hooks.plant();
  const broken = await ok(cli('broken-assignments', 'newco', ...r), /1 assignment\(s\) in newco name someone who is not a member/);
  expect(broken).to.match(/omar\s+c-fab\s+c-fab\s+otherco/);
  await ok(cli('repair-assignments', 'newco', ...r), /^Removed 1 broken assignment\(s\) from newco: omar → c-fab\.$/m);
  await ok(cli('broken-assignments', 'newco', ...r), /^No broken assignments in newco\.$/m);
  await ok(cli('unassign', 'newco', 'noah', 'c-north', ...r), /^Removed Northwind \(c-north\) from noah in newco\.$/m);
  await refused(cli('unassign', 'newco', 'noah', 'c-north', ...r), 'assignment_not_found');

  // Across both organisations, page by page (--all), as JSON for a script.
  const provisions = JSON.parse(await ok(cli('audit', '--actor', hooks.operator, '--action', 'organisation.provisioned', '--limit', '1', '--all', '--json', ...r))) as { items: { organisationId: string; reason: string }[] };
  expect(provisions.items.map((e) => e.organisationId)).to.deep.equal(['otherco', 'newco']);
  expect(provisions.items.every((e) => e.reason === reason)).to.equal(true);
  const newco = JSON.parse(await ok(cli('audit', '--org', 'newco', '--actor', hooks.operator, '--all', '--json', ...r))) as { items: { action: string }[] };
  expect(newco.items.map((e) => e.action).reverse()).to.deep.equal([
    'organisation.provisioned',
    'members.imported',
    'organisation.bootstrapped',
    'client.assigned',
    'organisation.status_changed',
    'organisation.status_changed',
    'organisation.status_changed',
    'organisation.invitations_switched',
    'member.restored',
    'member.admin_granted',
    'assignments.repaired',
    'client.unassigned',
  ]);
  const text = await ok(cli('audit', '--org', 'newco', '--action', 'member.admin_granted', ...r));
  expect(text).to.match(new RegExp(`newco\\s+member\\.admin_granted\\s+${hooks.operator} \\(AiDial support\\)\\s+noah\\s+${reason}`));
}

async function usageAndFailures(cli: Cli): Promise<void> {
  const unknown = await cli('frobnicate', '--reason', 'x');
  expect(unknown.status).to.equal(2);
  expect(unknown.stderr).to.match(/unknown command "frobnicate"/);
  const noReason = await cli('suspend', 'newco');
  expect(noReason.status).to.equal(2);
  expect(noReason.stderr).to.match(/--reason is required/);
  expect((await cli('suspend', '--reason', 'x')).status, 'missing argument').to.equal(2);
  expect((await cli('suspend', 'newco', 'extra', '--reason', 'x')).status, 'extra argument').to.equal(2);
  expect((await cli('suspend', 'newco', '--admin', 'x', '--reason', 'x')).status, 'an option the command does not take').to.equal(2);
  // A reason the domain refuses is a refusal (400 validation_failed), printed as the problem with --json.
  const badReason = await cli('suspend', 'newco', '--reason', 'two\nlines', '--json');
  expect(badReason.status).to.equal(3);
  expect((JSON.parse(badReason.stdout) as { code: string; errors: { path: string }[] }).code).to.equal('validation_failed');
}

describe('partner-team-ops (the CLI)', function () {
  this.timeout(300_000);
  let files: string;

  before(async function () {
    files = await mkdtemp(join(tmpdir(), 'pt-ops-cli-'));
  });
  after(async function () {
    await rm(files, { recursive: true, force: true });
  });

  it('--help reads like a support tool: every command by task, the options, the exit codes, examples', async function () {
    const help = await runCli(['--help'], {});
    expect(help.status).to.equal(0);
    for (const heading of ['Organisations:', 'Members:', 'Clients:', 'Audit and directory:', 'Tokens:', 'Options:', 'Exit codes:', 'Examples:']) expect(help.stdout).to.include(heading);
    for (const command of ['provision', 'show', 'bootstrap', 'suspend', 'archive', 'reactivate', 'invitations', 'grant-admin', 'restore', 'import', 'assign', 'unassign', 'broken-assignments', 'repair-assignments', 'audit', 'upsert-users', 'token']) {
      expect(help.stdout).to.match(new RegExp(`^  ${command}\\b`, 'm'));
    }
    expect(help.stdout).to.match(/^ {2}0 {2}done/m).and.match(/^ {2}1 {2}failure/m).and.match(/^ {2}2 {2}usage error/m).and.match(/^ {2}3 {2}refused/m);
    expect(Math.max(...help.stdout.split('\n').map((l) => l.length)), 'fits a terminal').to.be.at.most(100);
    const one = await runCli(['grant-admin', '--help'], {});
    expect(one.status).to.equal(0);
    expect(one.stdout).to.match(/^Usage: partner-team-ops grant-admin <org> <user> --reason "<why>"$/m).and.include('last partner_admin');
    expect((await runCli([], {})).status, 'no command is a usage error').to.equal(2);
    for (const command of ['provision', 'show', 'bootstrap', 'suspend', 'invitations', 'restore', 'import', 'assign', 'broken-assignments', 'audit', 'upsert-users', 'token']) {
      const help = await runCli([command, '--help'], {});
      expect(help.status, command).to.equal(0);
      expect(help.stdout, command).to.match(new RegExp(`^Usage: partner-team-ops ${command} `));
      expect(Math.max(...help.stdout.split('\n').map((l) => l.length)), `${command} --help fits a terminal`).to.be.at.most(100);
    }
  });

  describe('through the operations API of a server (in memory)', function () {
    let server: TestServer;
    let env: Record<string, string>;

    before(async function () {
      server = await TestServer.start();
      const minted = await runCli(['token', '--operator', 'op-cli', '--role', 'support_operator', '--ttl', '30'], { OPERATIONS_TOKEN_SECRET: testOperationsSecret });
      expect(minted.status, minted.stderr).to.equal(0);
      expect(server.operators.verify(minted.stdout.trim())).to.deep.equal({ operatorId: 'op-cli', role: 'support_operator' });
      env = { PARTNER_TEAM_URL: server.baseUrl, PARTNER_TEAM_OPS_TOKEN: minted.stdout.trim() };
    });
    after(async function () {
      await server.close();
    });

    it('drives the escalation scenario', async function () {
      await cliScenario((...args) => runCli(args, env), files, {
        operator: 'op-cli',
        plant: () => {
          server.store.assignClient('newco', 'omar', 'c-fab');
          return Promise.resolve();
        },
        removeNell: async () => {
          expect((await (await server.signIn('nia')).delete('/members/nell')).status).to.equal(204);
        },
      });
    });

    it('tells usage errors (2), refusals (3) and failures (1) apart', async function () {
      await usageAndFailures((...args) => runCli(args, env));
      const viewer = server.operators.issue({ operatorId: 'op-viewer', role: 'support_viewer' }, 600);
      await refused(runCli(['suspend', 'acme', '--reason', 'x'], { ...env, PARTNER_TEAM_OPS_TOKEN: viewer }), 'forbidden');
      await refused(runCli(['show', 'acme', '--reason', 'x'], { ...env, PARTNER_TEAM_OPS_TOKEN: 'not-a-token' }), 'unauthenticated');
      expect((await runCli(['show', 'acme', '--reason', 'x'], { PARTNER_TEAM_URL: server.baseUrl })).status, 'no token').to.equal(2);
      const down = await runCli(['show', 'acme', '--reason', 'x'], { ...env, PARTNER_TEAM_URL: 'http://127.0.0.1:9' });
      expect(down.status, down.stderr).to.equal(1);
      expect(down.stderr).to.match(/failed: cannot reach http:\/\/127\.0\.0\.1:9/);
    });
  });

  describe('directly on the MongoDB store', function () {
    let uri: string;
    let store: MongoPersistence;

    before(async function () {
      uri = databaseUri(`pt_cli_${randomBytes(4).toString('hex')}`);
      store = await MongoPersistence.open({ uri, logger: silent });
    });
    after(async function () {
      await store.db.dropDatabase();
      await store.close();
    });

    it('drives the escalation scenario', async function () {
      const env = { PARTNER_TEAM_MONGODB_URI: uri, PARTNER_TEAM_OPERATOR: 'op-direct' };
      const team = createPartnerTeam({ ...persistencePortsOf(store), clock: new SystemClock(), ids: new RandomIds(), tokens: new Sha256InvitationTokens(), notifier: { deliver: () => Promise.resolve() }, logger: silent });
      await cliScenario((...args) => runCli(args, env), files, {
        operator: 'op-direct',
        plant: () => store.assignClient('newco', 'omar', 'c-fab'),
        removeNell: () => team.removeMember.execute({ actorUserId: 'nia', targetUserId: 'nell' }),
      });
      await usageAndFailures((...args) => runCli(args, env));
      expect((await runCli(['show', 'newco', '--reason', 'x'], { PARTNER_TEAM_MONGODB_URI: uri })).status, 'no operator id').to.equal(2);
      const unreachable = await runCli(['show', 'newco', '--reason', 'x', '--mongodb-uri', 'mongodb://127.0.0.1:9/x', '--operator', 'op-direct'], {});
      expect(unreachable.status, unreachable.stderr).to.equal(1);
    });
  });
});
