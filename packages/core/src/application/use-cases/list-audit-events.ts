import type { AuditEvent } from '../../domain/audit/audit-event.js';
import { decodeJsonCursor, encodeBase64Url } from '../../domain/shared/base64url.js';
import { roleAllows } from '../../domain/organisation/permissions.js';
import { ForbiddenError, ValidationError } from '../../domain/shared/errors.js';
import { authorizeTeamRead } from '../authorization.js';
import type { Actor, PartnerTeamPorts } from '../partner-team-ports.js';

export const defaultAuditPageSize = 25;
export const maxAuditPageSize = 100;

function invalid(path: string, message: string): ValidationError {
  return new ValidationError(`Invalid audit query: ${path} ${message}`, [{ path, message }]);
}

function decodeCursor(cursor: string): number {
  const body = decodeJsonCursor(cursor, 64);
  const position = (body as { v?: unknown; p?: unknown } | undefined)?.p;
  if ((body as { v?: unknown } | undefined)?.v !== 1 || !Number.isSafeInteger(position) || (position as number) < 0) {
    throw invalid('cursor', 'is not a cursor this server issued');
  }
  return position as number;
}

/**
 * The audit events of the actor's own organisation, newest first, paginated. Needs `audit.view`
 * (partner_admins);
 * an organisation's events are never readable from another organisation.
 *
 * @throws `NotAPartnerMemberError`, `PartnerBootstrapIncompleteError`, `ForbiddenError`,
 *   `ValidationError` for a bad limit or cursor.
 */
export class ListAuditEvents {
  constructor(private readonly ports: Pick<PartnerTeamPorts, 'memberships' | 'auditLog'>) {}

  async execute(
    input: Actor & { readonly limit?: number | undefined; readonly cursor?: string | undefined },
  ): Promise<{ items: AuditEvent[]; nextCursor: string | null }> {
    const { organisation, membership } = await authorizeTeamRead(this.ports.memberships, input.actorUserId);
    if (!roleAllows(membership.role, 'audit.view')) throw new ForbiddenError('Only partner_admins can read audit events');
    const limit = input.limit ?? defaultAuditPageSize;
    if (!Number.isInteger(limit) || limit < 1 || limit > maxAuditPageSize) {
      throw invalid('limit', `must be an integer from 1 to ${maxAuditPageSize}`);
    }
    const beforePosition = input.cursor === undefined || input.cursor === '' ? null : decodeCursor(input.cursor);
    const page = await this.ports.auditLog.page(organisation.id, { limit, beforePosition });
    const last = page.items.at(-1);
    return {
      items: page.items.map((logged) => logged.event),
      nextCursor: page.hasMore && last !== undefined ? encodeBase64Url(JSON.stringify({ v: 1, p: last.position })) : null,
    };
  }
}
