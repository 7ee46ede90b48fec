import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { InvitationMessage } from '@partner-team/core';
import { JwtOperatorAuthenticator, operatorRoles, type OperatorRole } from '@partner-team/express';
import { ApiTransport, StoreTransport, type Answer, type Transport } from './transport.js';

/** Exit codes: what a script needs to tell apart. */
export const exitCodes = { done: 0, failure: 1, usage: 2, refused: 3 } as const;

/** Where the CLI writes, and the environment it reads. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

class UsageError extends Error {}

/** A 4xx (refused) or 5xx (failed) answer with its problem body. */
class ProblemAnswer extends Error {
  constructor(readonly answer: Answer) {
    const body = (answer.body ?? {}) as { code?: unknown; detail?: unknown; title?: unknown; errors?: unknown };
    const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
    const issues = Array.isArray(body.errors) ? (body.errors as { path?: unknown; message?: unknown }[]).map((i) => `\n  ${text(i.path) ?? ''}: ${text(i.message) ?? ''}`).join('') : '';
    super(`${text(body.code) ?? String(answer.status)}: ${text(body.detail) ?? text(body.title) ?? 'no detail'}${issues}`);
  }
}

const optionSpec = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  reason: { type: 'string' },
  url: { type: 'string' },
  'mongodb-uri': { type: 'string' },
  operator: { type: 'string' },
  name: { type: 'string' },
  invitations: { type: 'string' },
  admin: { type: 'string' },
  role: { type: 'string' },
  file: { type: 'string' },
  'client-name': { type: 'string' },
  search: { type: 'string' },
  sort: { type: 'string' },
  limit: { type: 'string' },
  cursor: { type: 'string' },
  all: { type: 'boolean' },
  org: { type: 'string' },
  unscoped: { type: 'boolean' },
  actor: { type: 'string' },
  target: { type: 'string' },
  action: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  ttl: { type: 'string' },
} as const;

type OptionName = keyof typeof optionSpec;
type Options = Partial<Record<OptionName, string | boolean>>;

/** What a command leaves for the terminal: the API's JSON (for --json) and the lines a person reads. */
interface Outcome {
  readonly json: unknown;
  readonly lines: readonly string[];
}

interface Context {
  readonly args: readonly string[];
  readonly options: Options;
  readonly reason: string;
  readonly transport: Transport;
}

interface Command {
  readonly name: string;
  readonly group: 'Organisations' | 'Members' | 'Clients' | 'Audit and directory';
  readonly usage: string;
  readonly summary: string;
  /** The overview's line: a short synopsis and what it is for. */
  readonly synopsis: string;
  readonly brief: string;
  /** Longer help: what it does, what it refuses. */
  readonly details: readonly string[];
  readonly positionals: readonly string[];
  readonly options: readonly OptionName[];
  readonly run: (context: Context) => Promise<Outcome>;
}

const globalOptions: readonly OptionName[] = ['help', 'json', 'reason', 'url', 'mongodb-uri', 'operator'];

function str(options: Options, name: OptionName): string | undefined {
  const value = options[name];
  return typeof value === 'string' ? value : undefined;
}

function required(options: Options, name: OptionName, what: string): string {
  const value = str(options, name);
  if (value === undefined || value.trim() === '') throw new UsageError(`--${name} is required: ${what}`);
  return value;
}

/** Sends one request; a 4xx or 5xx answer becomes a {@link ProblemAnswer}. */
async function call(transport: Transport, method: 'GET' | 'POST', path: string, query: Record<string, string> = {}, body?: unknown): Promise<Record<string, unknown>> {
  const answer = await transport.request(method, path, query, body);
  if (answer.status >= 400) throw new ProblemAnswer(answer);
  return (answer.body ?? {}) as Record<string, unknown>;
}

const enc = encodeURIComponent;
const onOff = (value: boolean): string => (value ? 'on' : 'off');
const when = (iso: unknown): string => (typeof iso === 'string' ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : '—');

/** Left-aligned columns, two spaces apart. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, n) => Math.max(h.length, ...rows.map((r) => (r[n] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, n) => (n === cells.length - 1 ? c : c.padEnd(widths[n] ?? 0))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

interface OrganisationJson {
  id: string;
  name: string;
  status: string;
  bootstrapped: boolean;
  invitationsEnabled: boolean;
}
interface AssignmentJson {
  userId: string;
  clientId: string;
  name: string;
}
interface AuditJson {
  id: string;
  organisationId: string | null;
  action: string;
  actorKind: string;
  actorUserId: string;
  reason: string | null;
  targetUserId: string | null;
  at: string;
}

const describeOrganisation = (o: OrganisationJson): string =>
  `${o.name} (${o.id}): ${o.status}, bootstrap ${o.bootstrapped ? 'complete' : 'pending'}, invitations ${onOff(o.invitationsEnabled)}`;

function statusCommand(name: 'suspend' | 'archive' | 'reactivate', status: 'suspended' | 'archived' | 'active', brief: string, summary: string, details: string[]): Command {
  return {
    name,
    group: 'Organisations',
    usage: `${name} <org>`,
    synopsis: `${name} <org>`,
    brief,
    summary,
    details,
    positionals: ['org'],
    options: [],
    run: async ({ args, reason, transport }) => {
      const json = await call(transport, 'POST', `/organisations/${enc(args[0] ?? '')}/status`, {}, { status, reason });
      const organisation = json.organisation as OrganisationJson;
      return { json, lines: [json.changed === true ? `${organisation.id} is now ${status}.` : `${organisation.id} was already ${status}; nothing changed.`] };
    },
  };
}

async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error: unknown) {
    throw new UsageError(`cannot read ${path} (${error instanceof Error && 'code' in error ? String(error.code) : 'error'})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`${path} is not valid JSON`);
  }
}

const commands: readonly Command[] = [
  {
    name: 'provision',
    synopsis: 'provision <org> --name <name>',
    brief: 'Provision an organisation (bootstrap pending)',
    group: 'Organisations',
    usage: 'provision <org> --name <name> [--invitations on|off]',
    summary: 'Provision a partner organisation (active, bootstrap pending, no members)',
    details: ['Creates the organisation. Its members see "unable to load" until you complete its bootstrap.', 'Refused when the id is taken (organisation_exists).'],
    positionals: ['org'],
    options: ['name', 'invitations'],
    run: async ({ args, options, reason, transport }) => {
      const invitations = str(options, 'invitations');
      if (invitations !== undefined && invitations !== 'on' && invitations !== 'off') throw new UsageError('--invitations must be on or off');
      const json = await call(transport, 'POST', '/organisations', {}, {
        organisationId: args[0],
        name: required(options, 'name', "the organisation's display name"),
        ...(invitations === undefined ? {} : { invitationsEnabled: invitations === 'on' }),
        reason,
      });
      return { json, lines: [`Provisioned ${describeOrganisation(json.organisation as OrganisationJson)}.`, `Next: partner-team-ops bootstrap ${String(args[0])} --admin <user> --reason "…"`] };
    },
  },
  {
    name: 'show',
    synopsis: 'show <org>',
    brief: 'Status, admin count and members (admins first)',
    group: 'Organisations',
    usage: 'show <org> [--search <text>] [--sort name|email|role|lastActiveAt] [--limit <n>] [--cursor <c>]',
    summary: 'Show an organisation: status, admin count, members (admins first)',
    details: ['A read of a partner organisation: it is audited with your reason too.'],
    positionals: ['org'],
    options: ['search', 'sort', 'limit', 'cursor'],
    run: async ({ args, options, reason, transport }) => {
      const query: Record<string, string> = { reason };
      for (const [option, param] of [['search', 'q'], ['sort', 'sort'], ['limit', 'limit'], ['cursor', 'cursor']] as const) {
        const value = str(options, option);
        if (value !== undefined) query[param] = value;
      }
      const json = await call(transport, 'GET', `/organisations/${enc(args[0] ?? '')}`, query);
      const o = json.organisation as OrganisationJson;
      const members = json.members as { items: { userId: string; name: string; email: string; role: string; mfaEnabled: boolean; lastActiveAt: string | null }[]; total: number; nextCursor: string | null };
      return {
        json,
        lines: [
          `${o.name} (${o.id})`,
          `  status       ${o.status}`,
          `  bootstrap    ${o.bootstrapped ? 'complete' : 'pending'}`,
          `  invitations  ${onOff(o.invitationsEnabled)}`,
          `  admins       ${String(json.adminCount)}`,
          `  members      ${members.total} (showing ${members.items.length})`,
          '',
          ...table(
            ['ROLE', 'USER', 'NAME', 'EMAIL', 'MFA', 'LAST ACTIVE'],
            members.items.map((m) => [m.role, m.userId, m.name, m.email, onOff(m.mfaEnabled), m.lastActiveAt === null ? '—' : when(m.lastActiveAt)]),
          ).map((l) => `  ${l}`),
          ...(members.nextCursor === null ? [] : ['', `More: --cursor ${members.nextCursor}`]),
        ],
      };
    },
  },
  {
    name: 'bootstrap',
    synopsis: 'bootstrap <org> --admin <user>',
    brief: 'Complete bootstrap with its first partner_admin',
    group: 'Organisations',
    usage: 'bootstrap <org> --admin <user>',
    summary: 'Complete partner bootstrap with its first partner_admin',
    details: ['The user must be in the directory (see upsert-users) and in no other organisation.', 'Refused when bootstrap is already complete (already_bootstrapped) or the organisation is archived.'],
    positionals: ['org'],
    options: ['admin'],
    run: async ({ args, options, reason, transport }) => {
      const json = await call(transport, 'POST', `/organisations/${enc(args[0] ?? '')}/bootstrap`, {}, { userId: required(options, 'admin', 'the first partner_admin'), reason });
      const admin = json.admin as { userId: string };
      return { json, lines: [`Bootstrap of ${String(args[0])} is complete; ${admin.userId} is its first partner_admin.`] };
    },
  },
  statusCommand('suspend', 'suspended', 'Suspend: partner management blocked, reads served', 'Suspend an organisation: partner management blocked, reads still served', ['Members keep reading their team; invitations, role changes and removals are refused until you reactivate it.']),
  statusCommand('archive', 'archived', 'Archive: as suspended, and support adds nothing', 'Archive an organisation: like suspended, and support adds nothing until it is reactivated', ['Support operations that add members, admins or clients are refused (organisation_archived) until you reactivate it.']),
  statusCommand('reactivate', 'active', 'Make a suspended or archived organisation active', 'Make a suspended or archived organisation active again', ['Partner admins can manage their team again.']),
  {
    name: 'invitations',
    synopsis: 'invitations <org> on|off',
    brief: 'Turn the organisation\'s invitations on or off',
    group: 'Organisations',
    usage: 'invitations <org> on|off',
    summary: 'Turn the organisation’s invitations on or off',
    details: ['Off: partner admins cannot invite (pending invitations can still be accepted unless revoked).'],
    positionals: ['org', 'on|off'],
    options: [],
    run: async ({ args, reason, transport }) => {
      if (args[1] !== 'on' && args[1] !== 'off') throw new UsageError('say on or off');
      const json = await call(transport, 'POST', `/organisations/${enc(args[0] ?? '')}/invitations-switch`, {}, { enabled: args[1] === 'on', reason });
      return { json, lines: [json.changed === true ? `Invitations of ${String(args[0])} are now ${args[1]}.` : `Invitations of ${String(args[0])} were already ${args[1]}; nothing changed.`] };
    },
  },
  {
    name: 'grant-admin',
    synopsis: 'grant-admin <org> <user>',
    brief: 'Make a member partner_admin (last-admin recovery)',
    group: 'Members',
    usage: 'grant-admin <org> <user>',
    summary: 'Make a member partner_admin (last-admin recovery)',
    details: [
      'For an organisation whose partner_admins can no longer act (left the company, lost access).',
      'Works whatever the admin count. The partner surface still never lets anyone remove or demote the last partner_admin.',
      'Refused for a non-member (member_not_found) or a member who already is one (already_partner_admin).',
    ],
    positionals: ['org', 'user'],
    options: [],
    run: async ({ args, reason, transport }) => {
      const json = await call(transport, 'POST', `/organisations/${enc(args[0] ?? '')}/admins`, {}, { userId: args[1], reason });
      return { json, lines: [`${String(args[1])} is now a partner_admin of ${String(args[0])}.`] };
    },
  },
  {
    name: 'restore',
    synopsis: 'restore <org> <user>',
    brief: 'Restore a removed member (--role, default partner_user)',
    group: 'Members',
    usage: 'restore <org> <user> [--role partner_user|partner_admin]',
    summary: 'Restore a removed member with a role (default partner_user)',
    details: ['When the invitation flow is not enough. The user must be in the directory and in no other organisation.', 'Their earlier client assignments are not restored: assign them again.'],
    positionals: ['org', 'user'],
    options: ['role'],
    run: async ({ args, options, reason, transport }) => {
      const role = str(options, 'role') ?? 'partner_user';
      const json = await call(transport, 'POST', `/organisations/${enc(args[0] ?? '')}/members`, {}, { userId: args[1], role, reason });
      return { json, lines: [`${String(args[1])} is a member of ${String(args[0])} again, as ${role}.`] };
    },
  },
  {
    name: 'import',
    synopsis: 'import <org> --file <file>',
    brief: 'Add many members and invitations in one operation',
    group: 'Members',
    usage: 'import <org> --file <members.json>',
    summary: 'Add many members (and pending invitations) in one operation',
    details: [
      'The file: {"members": [{"userId": "…", "role": "partner_user"}, …], "invitations": [{"email": "…", "role": "…", "invitedBy": "<a partner_admin>"}]}.',
      'All or nothing: one current member, unknown user or member of another organisation refuses the whole file. One audit event.',
    ],
    positionals: ['org'],
    options: ['file'],
    run: async ({ args, options, reason, transport }) => {
      const file = (await readJsonFile(required(options, 'file', 'the members file'))) as Record<string, unknown>;
      const json = await call(transport, 'POST', `/organisations/${enc(args[0] ?? '')}/members/import`, {}, { members: file.members ?? [], ...(file.invitations === undefined ? {} : { invitations: file.invitations }), reason });
      const invitations = (json.invitations as unknown[]).length;
      return { json, lines: [`Imported ${String(json.members)} member(s) into ${String(args[0])}; ${invitations} invitation(s) created.`] };
    },
  },
  {
    name: 'assign',
    synopsis: 'assign <org> <user> <client>',
    brief: 'Assign a client to a member (--client-name)',
    group: 'Clients',
    usage: 'assign <org> <user> <client-id> --client-name <name>',
    summary: 'Assign a client to a member of the organisation',
    details: ['The user must be a member of that organisation (member_not_found otherwise).'],
    positionals: ['org', 'user', 'client-id'],
    options: ['client-name'],
    run: async ({ args, options, reason, transport }) => {
      const name = required(options, 'client-name', "the client's display name");
      const json = await call(transport, 'POST', `/organisations/${enc(args[0] ?? '')}/assignments`, {}, { assignments: [{ userId: args[1], clientId: args[2], name }], reason });
      const assigned = json.assigned as AssignmentJson[];
      return { json, lines: [assigned.length === 0 ? `${String(args[1])} already supports ${name}; nothing changed.` : `Assigned ${name} (${String(args[2])}) to ${String(args[1])} in ${String(args[0])}.`] };
    },
  },
  {
    name: 'unassign',
    synopsis: 'unassign <org> <user> <client>',
    brief: 'Remove a client assignment',
    group: 'Clients',
    usage: 'unassign <org> <user> <client-id>',
    summary: 'Remove a client assignment',
    details: ['Refused when there is no such assignment (assignment_not_found).'],
    positionals: ['org', 'user', 'client-id'],
    options: [],
    run: async ({ args, reason, transport }) => {
      const json = await call(transport, 'POST', `/organisations/${enc(args[0] ?? '')}/assignments/unassign`, {}, { assignments: [{ userId: args[1], clientId: args[2] }], reason });
      const removed = (json.unassigned as AssignmentJson[])[0];
      return { json, lines: [`Removed ${removed?.name ?? String(args[2])} (${String(args[2])}) from ${String(args[1])} in ${String(args[0])}.`] };
    },
  },
  {
    name: 'broken-assignments',
    synopsis: 'broken-assignments <org>',
    brief: 'Assignments naming non-members (cross-organisation)',
    group: 'Clients',
    usage: 'broken-assignments <org>',
    summary: 'List assignments naming someone who is not a member (suspected cross-organisation)',
    details: ['Shows where each such user belongs now. Fix them with repair-assignments.'],
    positionals: ['org'],
    options: [],
    run: async ({ args, reason, transport }) => {
      const json = await call(transport, 'GET', `/organisations/${enc(args[0] ?? '')}/assignments/broken`, { reason });
      const items = json.items as (AssignmentJson & { memberOf: string | null })[];
      if (items.length === 0) return { json, lines: [`No broken assignments in ${String(args[0])}.`] };
      return {
        json,
        lines: [
          `${items.length} assignment(s) in ${String(args[0])} name someone who is not a member:`,
          ...table(['USER', 'CLIENT', 'NAME', 'MEMBER OF'], items.map((a) => [a.userId, a.clientId, a.name, a.memberOf ?? '(no organisation)'])).map((l) => `  ${l}`),
          `Fix: partner-team-ops repair-assignments ${String(args[0])} --reason "…"`,
        ],
      };
    },
  },
  {
    name: 'repair-assignments',
    synopsis: 'repair-assignments <org>',
    brief: 'Remove those broken assignments',
    group: 'Clients',
    usage: 'repair-assignments <org>',
    summary: 'Remove every assignment that names a non-member',
    details: ['Members’ own assignments are untouched. Nothing to repair: nothing changes, nothing is recorded.'],
    positionals: ['org'],
    options: [],
    run: async ({ args, reason, transport }) => {
      const json = await call(transport, 'POST', `/organisations/${enc(args[0] ?? '')}/assignments/repair`, {}, { reason });
      const removed = json.removed as AssignmentJson[];
      if (removed.length === 0) return { json, lines: [`Nothing to repair in ${String(args[0])}.`] };
      return { json, lines: [`Removed ${removed.length} broken assignment(s) from ${String(args[0])}: ${removed.map((a) => `${a.userId} → ${a.clientId}`).join(', ')}.`] };
    },
  },
  {
    name: 'audit',
    synopsis: 'audit [filters]',
    brief: 'Search the audit log across organisations',
    group: 'Audit and directory',
    usage: 'audit [--org <org> | --unscoped] [--actor <id>] [--target <user>] [--action <action>] [--since <time>] [--until <time>] [--limit <n>] [--cursor <c>] [--all]',
    summary: 'Search the audit log across organisations, newest first',
    details: [
      'Both surfaces’ events: partner members’ and AiDial support’s (with their reasons).',
      '--unscoped: only events of no organisation (directory syncs, support reads). Times are ISO 8601 (2026-01-15T09:00:00Z).',
      '--all follows every page; otherwise one page and the cursor of the next.',
    ],
    positionals: [],
    options: ['org', 'unscoped', 'actor', 'target', 'action', 'since', 'until', 'limit', 'cursor', 'all'],
    run: async ({ options, reason, transport }) => {
      const query: Record<string, string> = { reason };
      for (const [option, param] of [['org', 'organisationId'], ['actor', 'actorUserId'], ['target', 'targetUserId'], ['action', 'action'], ['since', 'from'], ['until', 'to'], ['limit', 'limit'], ['cursor', 'cursor']] as const) {
        const value = str(options, option);
        if (value !== undefined) query[param] = value;
      }
      if (options.unscoped === true) query.unscoped = 'true';
      const items: AuditJson[] = [];
      let next: string | null = null;
      for (;;) {
        const json = await call(transport, 'GET', '/audit-events', next === null ? query : { ...query, cursor: next });
        items.push(...(json.items as AuditJson[]));
        next = json.nextCursor as string | null;
        if (next === null || options.all !== true) break;
      }
      const who = (e: AuditJson) => (e.actorKind === 'support_operator' ? `${e.actorUserId} (AiDial support)` : e.actorUserId);
      return {
        json: { items, nextCursor: next },
        lines: [
          ...(items.length === 0 ? ['No matching events.'] : table(['TIME (UTC)', 'ORGANISATION', 'ACTION', 'BY', 'TARGET', 'REASON'], items.map((e) => [when(e.at), e.organisationId ?? '—', e.action, who(e), e.targetUserId ?? '', e.reason ?? '']))),
          ...(next === null ? [] : ['', `More: --cursor ${next}  (or --all)`]),
        ],
      };
    },
  },
  {
    name: 'upsert-users',
    synopsis: 'upsert-users --file <file>',
    brief: 'Add or update directory users in bulk',
    group: 'Audit and directory',
    usage: 'upsert-users --file <users.json>',
    summary: 'Add or update directory users (for portals that sync users)',
    details: ['The file: [{"id": "…", "name": "…", "email": "…", "mfaEnabled": true, "lastActiveAt": "…" or null}, …] (or {"users": [...]}).', 'Users already as given are left alone; an address held by another user refuses the batch (email_in_use).'],
    positionals: [],
    options: ['file'],
    run: async ({ options, reason, transport }) => {
      const file = await readJsonFile(required(options, 'file', 'the users file'));
      const users = Array.isArray(file) ? file : (file as { users?: unknown }).users;
      const json = await call(transport, 'POST', '/users', {}, { users, reason });
      const changed = json.changed as string[];
      return { json, lines: [changed.length === 0 ? 'The directory already holds these users as given; nothing changed.' : `${changed.length} user(s) added or changed: ${changed.join(', ')}.`] };
    },
  },
];

const groups = ['Organisations', 'Members', 'Clients', 'Audit and directory'] as const;

function overview(): string {
  const lines = [
    'Usage: partner-team-ops <command> [arguments] --reason "<why>" [options]',
    '',
    'AiDial support operations on Partner Team: what partner admins must not do themselves.',
    'Every command except `token` needs --reason; it is recorded with your operator id in the audit',
    'log, which the organisation’s partner admins see for changes to their organisation.',
    '',
  ];
  const width = Math.max(...commands.map((c) => c.synopsis.length), 'token --operator <id>'.length);
  for (const group of groups) {
    lines.push(`${group}:`);
    for (const command of commands.filter((c) => c.group === group)) lines.push(`  ${command.synopsis.padEnd(width)}  ${command.brief}`);
    lines.push('');
  }
  lines.push(
    'Tokens:',
    `  ${'token --operator <id>'.padEnd(width)}  Mint an operator token (needs OPERATIONS_TOKEN_SECRET)`,
    '',
    'Options:',
    '  --reason <text>      Why you act: a ticket, a request (1-500 characters, one line). Required.',
    '  --url <url>          The server (default $PARTNER_TEAM_URL, else http://127.0.0.1:3000); your',
    '                       operator token comes from $PARTNER_TEAM_OPS_TOKEN.',
    '  --mongodb-uri <uri>  Work on the MongoDB store directly instead of through a server',
    '                       (default $PARTNER_TEAM_MONGODB_URI); then --operator names you.',
    '  --operator <id>      Your operator id with --mongodb-uri (default $PARTNER_TEAM_OPERATOR).',
    '  --json               Print the API’s JSON answer (or problem) instead of text, for scripts.',
    '  -h, --help           This help; `partner-team-ops <command> --help` for one command.',
    '',
    'Exit codes:',
    '  0  done (also when nothing needed to change)',
    '  1  failure: the server or store is unreachable or failed (5xx); safe to retry',
    '  2  usage error: unknown command, missing argument, option or --reason',
    '  3  refused: a rule or your role said no (a 4xx problem; its code is printed)',
    '',
    'Examples:',
    '  partner-team-ops show acme --reason "SUP-1042: admin left, team locked"',
    '  partner-team-ops grant-admin acme cy --reason "SUP-1042: admin left, team locked"',
    '  partner-team-ops suspend acme --reason "SUP-1050: contract paused by finance"',
    '  partner-team-ops audit --org acme --since 2026-01-01T00:00:00Z --all --reason "SUP-1061"',
    '',
    'Walkthrough of every escalation: docs/operations.md',
  );
  return lines.join('\n');
}

/** Word-wraps `text` at `width` columns, continuation lines indented by `indent`. */
function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return [...lines, line];
}

function commandHelp(command: Command): string {
  return [
    ...wrap(`Usage: partner-team-ops ${command.usage} --reason "<why>"`, 96, '         '),
    '',
    `${command.summary}.`,
    ...command.details.flatMap((d) => wrap(d, 94, '  ').map((line) => `  ${line}`)),
    '',
    'Common options: --reason, --url, --mongodb-uri, --operator, --json (see partner-team-ops --help).',
  ].join('\n');
}

function tokenCommand(options: Options, io: Io): number {
  const secret = io.env.OPERATIONS_TOKEN_SECRET;
  if (secret === undefined || secret.length < 32) throw new UsageError('token needs OPERATIONS_TOKEN_SECRET (the server’s, 32+ characters)');
  const operatorId = required(options, 'operator', 'the operator id the token names');
  const role = (str(options, 'role') ?? 'support_operator') as OperatorRole;
  if (!operatorRoles.includes(role)) throw new UsageError(`--role must be ${operatorRoles.join(' or ')}`);
  const minutes = Number(str(options, 'ttl') ?? '60');
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 720) throw new UsageError('--ttl is whole minutes from 1 to 720');
  const issuer = io.env.OPERATIONS_TOKEN_ISSUER;
  const operators = new JwtOperatorAuthenticator(secret, { audience: io.env.OPERATIONS_TOKEN_AUDIENCE ?? 'partner-team-operations', ...(issuer === undefined ? {} : { issuer }) });
  io.out(operators.issue({ operatorId, role }, minutes * 60));
  return exitCodes.done;
}

/** Runs the CLI with `argv` (without node and the script); returns the exit code. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  let json = false;
  try {
    let parsed: { values: Options; positionals: string[] };
    try {
      parsed = parseArgs({ args: [...argv], options: optionSpec, allowPositionals: true, strict: true });
    } catch (error: unknown) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const { values: options, positionals } = parsed;
    json = options.json === true;
    const [name, ...args] = positionals;
    if (name === undefined || name === 'help') {
      io.out(overview());
      return name === undefined && options.help !== true ? exitCodes.usage : exitCodes.done;
    }
    if (name === 'token') {
      if (options.help === true) {
        io.out(
          [
            'Usage: partner-team-ops token --operator <id> [--role support_operator|support_viewer]',
            '         [--ttl <minutes>]',
            '',
            'Mints an operator token with the server’s OPERATIONS_TOKEN_SECRET (and its',
            'OPERATIONS_TOKEN_AUDIENCE and OPERATIONS_TOKEN_ISSUER when set). Prints it: export it as',
            'PARTNER_TEAM_OPS_TOKEN. support_viewer reads (show, broken-assignments, audit); support_operator',
            'does everything. Default 60 minutes, at most 720.',
          ].join('\n'),
        );
        return exitCodes.done;
      }
      return tokenCommand(options, io);
    }
    const command = commands.find((c) => c.name === name);
    if (command === undefined) throw new UsageError(`unknown command "${name}" (partner-team-ops --help lists them)`);
    if (options.help === true) {
      io.out(commandHelp(command));
      return exitCodes.done;
    }
    const allowed = new Set([...globalOptions, ...command.options]);
    const stray = (Object.keys(options) as OptionName[]).find((o) => !allowed.has(o));
    if (stray !== undefined) throw new UsageError(`${command.name} takes no --${stray}`);
    if (args.length !== command.positionals.length) throw new UsageError(`usage: partner-team-ops ${command.usage}`);
    const reason = str(options, 'reason');
    if (reason === undefined || reason.trim() === '') throw new UsageError('--reason is required: say why you act (a ticket, a request); it goes into the audit log');
    const transport = await openTransport(options, io);
    try {
      const outcome = await command.run({ args, options, reason, transport });
      io.out(json ? JSON.stringify(outcome.json, null, 2) : outcome.lines.join('\n'));
      return exitCodes.done;
    } finally {
      await transport.close();
    }
  } catch (error: unknown) {
    if (error instanceof UsageError) {
      io.err(`partner-team-ops: ${error.message}`);
      return exitCodes.usage;
    }
    if (error instanceof ProblemAnswer) {
      const refused = error.answer.status < 500;
      if (json) io.out(JSON.stringify(error.answer.body ?? { status: error.answer.status }, null, 2));
      io.err(`partner-team-ops: ${refused ? 'refused' : 'failed'} (${error.answer.status} ${error.message})${error.answer.requestId === undefined ? '' : ` [request ${error.answer.requestId}]`}`);
      return refused ? exitCodes.refused : exitCodes.failure;
    }
    io.err(`partner-team-ops: failed: ${error instanceof Error ? error.message : String(error)}`);
    return exitCodes.failure;
  }
}

async function openTransport(options: Options, io: Io): Promise<Transport> {
  const mongodbUri = str(options, 'mongodb-uri') ?? io.env.PARTNER_TEAM_MONGODB_URI;
  if (mongodbUri !== undefined && mongodbUri !== '') {
    if (str(options, 'url') !== undefined) throw new UsageError('choose --url or --mongodb-uri, not both');
    const operatorId = str(options, 'operator') ?? io.env.PARTNER_TEAM_OPERATOR;
    if (operatorId === undefined || operatorId === '') throw new UsageError('--operator (or PARTNER_TEAM_OPERATOR) names you when you work on the store directly');
    const onInvitation = (message: InvitationMessage) => {
      // No mail relay here: the operator passes the token on (it travels in the accept link's fragment).
      io.err(`invitation ${message.invitationId} for ${message.email} (${message.organisationName}): token ${message.token}`);
    };
    return StoreTransport.open(mongodbUri, operatorId, onInvitation);
  }
  if (str(options, 'operator') !== undefined) throw new UsageError('--operator is for --mongodb-uri; through a server your token names you');
  const token = io.env.PARTNER_TEAM_OPS_TOKEN;
  if (token === undefined || token === '') throw new UsageError('set PARTNER_TEAM_OPS_TOKEN to your operator token (or use --mongodb-uri)');
  return new ApiTransport(str(options, 'url') ?? io.env.PARTNER_TEAM_URL ?? 'http://127.0.0.1:3000', token);
}

