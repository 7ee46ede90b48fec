import type { AuditEvent, InvitationView, IssuedInvitation, MemberView } from '@partner-team/core';
import { isoOf } from './iso-dates.js';

// The one JSON form of each resource, whichever endpoint answers it; instants as ISO 8601.

/** A member as the viewer may see them (MFA and last activity only in an admin's view). */
export function memberJson(m: MemberView) {
  if (!('mfaEnabled' in m)) return { userId: m.userId, name: m.name, email: m.email, role: m.role };
  return {
    userId: m.userId,
    name: m.name,
    email: m.email,
    role: m.role,
    mfaEnabled: m.mfaEnabled,
    lastActiveAt: m.lastActiveAt === null ? null : isoOf(m.lastActiveAt),
  };
}

/** An invitation as admins see it: never its token or hash. */
export function invitationJson(i: InvitationView) {
  return { id: i.id, email: i.email, role: i.role, invitedBy: i.invitedBy, createdAt: isoOf(i.createdAt), expiresAt: isoOf(i.expiresAt) };
}

/** An invitation just issued or reissued, and what became of its email. */
export function issuedInvitationJson(i: IssuedInvitation) {
  return { ...invitationJson(i), delivery: i.delivery };
}

/** An audit event on the partner surface: always of the reader's own organisation. */
export function auditEventJson(e: AuditEvent) {
  return {
    id: e.id,
    action: e.action,
    actorKind: e.actorKind,
    actorUserId: e.actorUserId,
    reason: e.reason,
    targetUserId: e.targetUserId,
    invitationId: e.invitationId,
    before: e.before,
    after: e.after,
    at: isoOf(e.at),
    requestId: e.requestId,
  };
}
