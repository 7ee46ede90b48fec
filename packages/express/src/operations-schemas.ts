import {
  auditActions,
  maxAuditPageSize,
  maxBulkSize,
  maxClientNameLength,
  maxReasonLength,
  maxRosterPageSize,
  maxSearchTermLength,
  organisationStatuses,
  rosterSorts,
} from '@partner-team/core';
import { z } from 'zod';
import { operatorRoles } from './operator-auth.js';
import { auditEvent, base64url, identifier, instant, invitationResponse, memberDetails, pageSize, role } from './schemas.js';

// The operations API's requests and answers. Requests are strict at every level and bounded; the
// domain then checks what only it can (the reason's characters, names, email addresses…).

/** Why the operator acts: required by every operation, recorded in its audit event. */
const reason = z.string().min(1).max(maxReasonLength);
const name = z.string().min(1).max(200);
const bulk = <T extends z.ZodType>(entry: T) => z.array(entry).min(1).max(maxBulkSize);
const isoInstant = z.iso.datetime({ offset: true });

export const organisationParams = z.strictObject({ organisationId: identifier });
export const reasonQuery = z.strictObject({ reason });
export const reasonBody = z.strictObject({ reason });

export const provisionBody = z.strictObject({ organisationId: identifier, name, invitationsEnabled: z.boolean().optional(), reason });
export const bootstrapBody = z.strictObject({ userId: identifier, reason });
export const statusBody = z.strictObject({ status: z.enum(organisationStatuses), reason });
export const invitationsSwitchBody = z.strictObject({ enabled: z.boolean(), reason });
export const grantAdminBody = z.strictObject({ userId: identifier, reason });
export const restoreMemberBody = z.strictObject({ userId: identifier, role, reason });
export const importMembersBody = z.strictObject({
  members: z.array(z.strictObject({ userId: identifier, role })).max(maxBulkSize),
  invitations: z
    .array(z.strictObject({ email: z.string().min(3).max(254), role, invitedBy: identifier, expiresAt: isoInstant.optional() }))
    .max(200)
    .optional(),
  reason,
});
export const assignClientsBody = z.strictObject({
  assignments: bulk(z.strictObject({ userId: identifier, clientId: identifier, name: z.string().min(1).max(maxClientNameLength) })),
  reason,
});
export const unassignClientsBody = z.strictObject({ assignments: bulk(z.strictObject({ userId: identifier, clientId: identifier })), reason });
export const upsertUsersBody = z.strictObject({
  users: bulk(
    z.strictObject({
      id: identifier,
      name,
      email: z.string().min(3).max(254),
      mfaEnabled: z.boolean(),
      lastActiveAt: isoInstant.nullable().optional(),
    }),
  ),
  reason,
});

export const inspectQuery = z.strictObject({
  reason,
  q: z.string().max(maxSearchTermLength).optional(),
  sort: z.enum(rosterSorts).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  limit: pageSize(maxRosterPageSize).optional(),
  cursor: base64url(2048).optional(),
});

export const auditSearchQuery = z.strictObject({
  reason,
  organisationId: identifier.optional(),
  /** `true`: only events that belong to no organisation (directory changes, support reads). */
  unscoped: z.enum(['true']).optional(),
  actorUserId: identifier.optional(),
  targetUserId: identifier.optional(),
  action: z.enum(auditActions).optional(),
  from: isoInstant.optional(),
  to: isoInstant.optional(),
  limit: pageSize(maxAuditPageSize).optional(),
  cursor: base64url(512).optional(),
});

// Answers.

export const organisationResponse = z.strictObject({
  id: identifier,
  name: z.string(),
  status: z.enum(organisationStatuses),
  bootstrapped: z.boolean(),
  invitationsEnabled: z.boolean(),
});
const membership = z.strictObject({ userId: identifier, role, joinedAt: instant });
const assignment = z.strictObject({ userId: identifier, clientId: identifier, name: z.string() });

export const operatorResponse = z.strictObject({ operatorId: identifier, role: z.enum(operatorRoles), csrfToken: z.string().nullable() });
export const provisionedResponse = z.strictObject({ organisation: organisationResponse });
export const organisationOutcomeResponse = z.strictObject({ organisation: organisationResponse, changed: z.boolean() });
export const bootstrappedResponse = z.strictObject({ organisation: organisationResponse, admin: membership });
export const memberOutcomeResponse = z.strictObject({ member: membership });
export const importedResponse = z.strictObject({ members: z.number().int().min(0), invitations: z.array(invitationResponse) });
export const assignedResponse = z.strictObject({ assigned: z.array(assignment) });
export const unassignedResponse = z.strictObject({ unassigned: z.array(assignment) });
export const repairedResponse = z.strictObject({ removed: z.array(assignment) });
export const brokenAssignmentsResponse = z.strictObject({ items: z.array(z.strictObject({ userId: identifier, clientId: identifier, name: z.string(), memberOf: identifier.nullable() })) });
export const inspectionResponse = z.strictObject({
  organisation: organisationResponse,
  adminCount: z.number().int().min(0),
  members: z.strictObject({ items: z.array(memberDetails), nextCursor: z.string().nullable(), total: z.number().int().min(0) }),
});
/** An audit event as support sees it: the partner surface's form with its organisation (null: it belongs to none). */
export const operationsAuditEvent = auditEvent.extend({ organisationId: identifier.nullable() });
export const auditSearchResponse = z.strictObject({ items: z.array(operationsAuditEvent), nextCursor: z.string().nullable() });
export const usersUpsertedResponse = z.strictObject({ changed: z.array(identifier) });
