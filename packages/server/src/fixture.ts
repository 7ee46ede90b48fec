import { readFile } from 'node:fs/promises';
import {
  identifierPattern,
  InvalidOrganisationStateError,
  PartnerOrganisation,
  normaliseEmail,
  organisationStatuses,
  partnerRoles,
  type AssignedClient,
  type DirectoryUser,
  type OrganisationState,
  type PartnerRole,
} from '@partner-team/core';
import { z } from 'zod';

const identifier = z.string().regex(identifierPattern, 'expected an identifier');
const instant = z.iso.datetime({ offset: true });

/**
 * The fixture format (documented in docs/fixtures.md): users, organisations, memberships, clients,
 * assignments and optional pending invitations. Strict at every level.
 */
export const fixtureSchema = z.strictObject({
  users: z.array(
    z.strictObject({
      id: identifier,
      name: z.string().min(1).max(200),
      email: z.string().min(3).max(254),
      mfaEnabled: z.boolean(),
      lastActiveAt: instant.nullable(),
    }),
  ),
  organisations: z.array(
    z.strictObject({
      id: identifier,
      name: z.string().min(1).max(200),
      status: z.enum(organisationStatuses),
      bootstrapped: z.boolean(),
      invitationsEnabled: z.boolean(),
    }),
  ),
  memberships: z.array(z.strictObject({ organisationId: identifier, userId: identifier, role: z.enum(partnerRoles) })),
  clients: z.array(z.strictObject({ id: identifier, name: z.string().min(1).max(200) })),
  assignments: z.array(z.strictObject({ organisationId: identifier, userId: identifier, clientId: identifier })),
  invitations: z
    .array(
      z.strictObject({
        organisationId: identifier,
        email: z.string().min(3).max(254),
        role: z.enum(partnerRoles),
        invitedBy: identifier,
        expiresAt: instant.optional(),
      }),
    )
    .optional(),
});

export type FixtureFile = z.infer<typeof fixtureSchema>;

/** Thrown for an invalid fixture; the message names the bad entry (`memberships[3]: …`). */
export class FixtureError extends Error {
  constructor(source: string, problems: readonly string[]) {
    super(`Invalid fixture ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'FixtureError';
  }
}

/** A pending invitation the fixture asks for; tokens are issued when it is seeded. */
export interface FixtureInvitation {
  readonly organisationId: string;
  readonly email: string;
  readonly role: PartnerRole;
  readonly invitedBy: string;
  readonly expiresAt: Date | undefined;
}

/** A validated fixture, in domain terms. */
export interface Fixture {
  readonly users: readonly DirectoryUser[];
  /** Organisation states with their memberships and no invitations yet. */
  readonly organisations: readonly OrganisationState[];
  readonly clients: readonly AssignedClient[];
  readonly assignments: readonly { readonly organisationId: string; readonly userId: string; readonly clientId: string }[];
  readonly invitations: readonly FixtureInvitation[];
}

const joinedAt = new Date('2025-01-01T00:00:00.000Z');

/**
 * Validates a fixture: its shape, then every reference (unknown users, organisations or clients,
 * a user in two organisations, an organisation without admin, an assignment to a non-member, an
 * invitation for a member or twice for one address…).
 *
 * @throws {@link FixtureError} naming each bad entry.
 */
export function parseFixture(data: unknown, source = 'fixture'): Fixture {
  const parsed = fixtureSchema.safeParse(data);
  if (!parsed.success) {
    throw new FixtureError(
      source,
      parsed.error.issues.map((i) => `${i.path.map((p, n) => (typeof p === 'number' ? `[${p}]` : `${n === 0 ? '' : '.'}${String(p)}`)).join('')}: ${i.message}`),
    );
  }
  const f = parsed.data;
  const problems: string[] = [];
  const users = new Map<string, DirectoryUser>();
  const emails = new Map<string, string>();
  f.users.forEach((u, n) => {
    let email = u.email;
    try {
      email = normaliseEmail(u.email);
    } catch {
      problems.push(`users[${n}]: "${u.email}" is not a valid email address`);
    }
    if (users.has(u.id)) problems.push(`users[${n}]: duplicate user id "${u.id}"`);
    if (emails.has(email)) problems.push(`users[${n}]: email "${email}" is already used by "${emails.get(email) ?? ''}"`);
    users.set(u.id, { id: u.id, name: u.name, email, mfaEnabled: u.mfaEnabled, lastActiveAt: u.lastActiveAt === null ? null : new Date(u.lastActiveAt) });
    emails.set(email, u.id);
  });
  const organisations = new Map<string, { profile: (typeof f.organisations)[number]; memberships: OrganisationState['memberships'][number][] }>();
  f.organisations.forEach((o, n) => {
    if (organisations.has(o.id)) problems.push(`organisations[${n}]: duplicate organisation id "${o.id}"`);
    organisations.set(o.id, { profile: o, memberships: [] });
  });
  const organisationOf = new Map<string, string>();
  f.memberships.forEach((m, n) => {
    const organisation = organisations.get(m.organisationId);
    if (organisation === undefined) problems.push(`memberships[${n}]: unknown organisation "${m.organisationId}"`);
    if (!users.has(m.userId)) problems.push(`memberships[${n}]: unknown user "${m.userId}"`);
    const existing = organisationOf.get(m.userId);
    if (existing !== undefined) problems.push(`memberships[${n}]: user "${m.userId}" already belongs to "${existing}" (one partner organisation per user)`);
    organisationOf.set(m.userId, m.organisationId);
    organisation?.memberships.push({ userId: m.userId, role: m.role, joinedAt });
  });
  const states: OrganisationState[] = [];
  f.organisations.forEach((o, n) => {
    const state: OrganisationState = { ...o, memberships: organisations.get(o.id)?.memberships ?? [], invitations: [] };
    try {
      PartnerOrganisation.create(state);
      states.push(state);
    } catch (error: unknown) {
      if (!(error instanceof InvalidOrganisationStateError)) throw error;
      problems.push(`organisations[${n}]: ${error.reason}`);
    }
  });
  const clientIds = new Set<string>();
  f.clients.forEach((c, n) => {
    if (clientIds.has(c.id)) problems.push(`clients[${n}]: duplicate client id "${c.id}"`);
    clientIds.add(c.id);
  });
  f.assignments.forEach((a, n) => {
    if (!clientIds.has(a.clientId)) problems.push(`assignments[${n}]: unknown client "${a.clientId}"`);
    if (organisationOf.get(a.userId) !== a.organisationId) {
      problems.push(`assignments[${n}]: user "${a.userId}" is not a member of "${a.organisationId}"`);
    }
  });
  const invited = new Set<string>();
  const invitations: FixtureInvitation[] = [];
  (f.invitations ?? []).forEach((i, n) => {
    let email = i.email;
    try {
      email = normaliseEmail(i.email);
    } catch {
      problems.push(`invitations[${n}]: "${i.email}" is not a valid email address`);
    }
    const organisation = organisations.get(i.organisationId);
    if (organisation === undefined) problems.push(`invitations[${n}]: unknown organisation "${i.organisationId}"`);
    else if (!organisation.memberships.some((m) => m.userId === i.invitedBy && m.role === 'partner_admin')) {
      problems.push(`invitations[${n}]: "${i.invitedBy}" is not a partner_admin of "${i.organisationId}"`);
    }
    const invitee = emails.get(email);
    if (invitee !== undefined && organisationOf.get(invitee) === i.organisationId) {
      problems.push(`invitations[${n}]: "${email}" is already a member of "${i.organisationId}"`);
    }
    if (invited.has(`${i.organisationId}\u0000${email}`)) problems.push(`invitations[${n}]: a second pending invitation for "${email}"`);
    invited.add(`${i.organisationId}\u0000${email}`);
    invitations.push({ organisationId: i.organisationId, email, role: i.role, invitedBy: i.invitedBy, expiresAt: i.expiresAt === undefined ? undefined : new Date(i.expiresAt) });
  });
  if (problems.length > 0) throw new FixtureError(source, problems);
  return {
    users: [...users.values()],
    organisations: states,
    clients: f.clients.map((c) => ({ clientId: c.id, name: c.name })),
    assignments: f.assignments,
    invitations,
  };
}

/** Reads and validates a fixture file. */
export async function readFixture(path: string): Promise<Fixture> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error: unknown) {
    throw new FixtureError(path, [`cannot read the file (${error instanceof Error && 'code' in error ? String(error.code) : 'error'})`]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new FixtureError(path, ['the file is not valid JSON']);
  }
  return parseFixture(data, path);
}
