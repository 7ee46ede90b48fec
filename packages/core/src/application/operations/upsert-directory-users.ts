import type { DirectoryUser, DirectoryUserUpdate } from '../ports/user-directory.js';
import { normaliseEmail } from '../../domain/shared/email-address.js';
import { parseIdentifier } from '../../domain/shared/identifier.js';
import type { PartnerTeamPorts } from '../partner-team-ports.js';
import { checkSupportActor, recordUnscoped, type SupportActor } from './support-actor.js';
import { parseBoolean, parseEntry, parseInstant, parseList, parseName, requireDistinct } from './support-input.js';

/** A user as a portal that syncs its users (instead of signing them in) sends them. */
export interface DirectoryUserInput {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly mfaEnabled: boolean;
  /** Replaces the stored last activity when present (null: unknown); kept when absent. */
  readonly lastActiveAt?: Date | null | undefined;
}

function changes(update: DirectoryUserUpdate, existing: DirectoryUser | undefined): boolean {
  if (existing === undefined) return true;
  if (existing.name !== update.name || existing.email !== update.email || existing.mfaEnabled !== update.mfaEnabled) return true;
  if (update.lastActiveAt === undefined) return false;
  return (existing.lastActiveAt?.getTime() ?? null) !== (update.lastActiveAt?.getTime() ?? null);
}

/**
 * AiDial support (or a portal's sync acting through support) adds or updates directory users in
 * bulk: name, email, MFA status and last activity. Users whose stored entry already says the same
 * are left alone; when none changes, nothing is written or recorded. Otherwise the changed users
 * are written (the whole batch checked first: an address held by another user refuses it) and one
 * `users.upserted` event naming them is recorded. The directory belongs to no organisation, so the
 * event does not either; it is recorded after the write (see ADR 0011 for what a crash between the
 * two means).
 *
 * @throws `ValidationError` (a malformed entry, a user listed twice); `EmailInUseError`.
 */
export class UpsertDirectoryUsers {
  constructor(private readonly ports: Pick<PartnerTeamPorts, 'users' | 'auditLog' | 'clock' | 'ids'>) {}

  async execute(input: SupportActor & { readonly users: readonly DirectoryUserInput[] }): Promise<{ changed: string[] }> {
    const operator = checkSupportActor(input);
    const updates = parseList(input.users, 'users', (value, path): DirectoryUserUpdate => {
      const u = parseEntry(value, path);
      const lastActiveAt = u.lastActiveAt === undefined ? undefined : u.lastActiveAt === null ? null : parseInstant(u.lastActiveAt, `${path}.lastActiveAt`);
      return {
        id: parseIdentifier(u.id, `${path}.id`),
        name: parseName(u.name, `${path}.name`),
        email: normaliseEmail(u.email, `${path}.email`),
        mfaEnabled: parseBoolean(u.mfaEnabled, `${path}.mfaEnabled`),
        ...(lastActiveAt === undefined ? {} : { lastActiveAt }),
      };
    });
    requireDistinct(updates, (u) => u.id, 'users', 'a user');
    requireDistinct(updates, (u) => u.email, 'users', 'an email address');
    const existing = new Map((await this.ports.users.findByIds(updates.map((u) => u.id))).map((u) => [u.id, u]));
    const changed = updates.filter((u) => changes(u, existing.get(u.id)));
    if (changed.length === 0) return { changed: [] };
    await this.ports.users.upsert(changed);
    const ids = changed.map((u) => u.id);
    await recordUnscoped(this.ports, operator, 'users.upserted', { targetUserId: ids.length === 1 ? (ids[0] ?? null) : null, after: { users: ids } });
    return { changed: ids };
  }
}
