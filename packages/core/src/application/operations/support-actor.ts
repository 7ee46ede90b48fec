import type { AuditAction, AuditDetail } from '../../domain/audit/audit-event.js';
import type { SupportContext } from '../../domain/organisation/partner-organisation.js';
import { parseIdentifier } from '../../domain/shared/identifier.js';
import { parseSupportReason } from '../../domain/support/support-reason.js';
import type { PartnerTeamPorts } from '../partner-team-ports.js';

/**
 * Who calls a support operation: an AiDial support operator (an identity of AiDial's, never a
 * partner member) and why. The reason is required and lands in the operation's audit event.
 */
export interface SupportActor {
  readonly operatorId: string;
  readonly reason: string;
  /** Correlates the audit event with the request that caused it. */
  readonly requestId?: string | null;
}

/** A {@link SupportActor} whose id and reason passed their checks. */
export interface CheckedSupportActor {
  readonly operatorId: string;
  readonly reason: string;
  readonly requestId: string | null;
}

/**
 * Checks the operator id (an identifier) and the reason (see `parseSupportReason`).
 *
 * @throws `ValidationError` for either.
 */
export function checkSupportActor(actor: SupportActor): CheckedSupportActor {
  return {
    operatorId: parseIdentifier(actor.operatorId, 'operatorId'),
    reason: parseSupportReason(actor.reason),
    requestId: actor.requestId ?? null,
  };
}

/** The context of one support decision: now, and a fresh event id. */
export function supportContext(ports: Pick<PartnerTeamPorts, 'clock' | 'ids'>, operator: CheckedSupportActor): SupportContext {
  return { operatorId: operator.operatorId, reason: operator.reason, at: ports.clock.now(), eventId: ports.ids.next('event'), requestId: operator.requestId };
}

/**
 * Records a support action that belongs to no organisation (a read of another organisation's data,
 * a directory change): one event naming the operator and their reason.
 */
export async function recordUnscoped(
  ports: Pick<PartnerTeamPorts, 'clock' | 'ids' | 'auditLog'>,
  operator: CheckedSupportActor,
  action: AuditAction,
  details: { readonly targetUserId?: string | null; readonly before?: AuditDetail | null; readonly after: AuditDetail | null },
): Promise<void> {
  const context = supportContext(ports, operator);
  await ports.auditLog.record({
    id: context.eventId,
    organisationId: null,
    action,
    actorKind: 'support_operator',
    actorUserId: operator.operatorId,
    reason: operator.reason,
    targetUserId: details.targetUserId ?? null,
    invitationId: null,
    before: details.before ?? null,
    after: details.after,
    at: context.at,
    requestId: operator.requestId,
  });
}
