import {
  auditActions,
  auditActorKinds,
  identifierPattern,
  invitationStatuses,
  maxAuditPageSize,
  maxRosterPageSize,
  maxSearchTermLength,
  normaliseEmail,
  organisationStatuses,
  partnerRoles,
  permissions,
  rosterSorts,
} from '@partner-team/core';
import { z } from 'zod';

// Requests: strict objects at every level (unknown keys, including "__proto__", are refused),
// strings only where the query parser yields strings, bounded lengths everywhere.

export const identifier = z.string().regex(identifierPattern, 'expected an identifier (1-64 letters, digits, "_", ".", ":" or "-")');
export const base64url = (max: number) => z.string().min(1).max(max).regex(/^[A-Za-z0-9_-]+$/, 'expected base64url characters');
export const pageSize = (max: number) =>
  z
    .string()
    .regex(/^[0-9]{1,3}$/, `expected a whole number from 1 to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(1).max(max));
export const role = z.enum(partnerRoles);

export const userIdParams = z.strictObject({ userId: identifier });
export const invitationIdParams = z.strictObject({ invitationId: identifier });
export const noParams = z.strictObject({});
export const noQuery = z.strictObject({});

export const membersQuery = z.strictObject({
  q: z.string().max(maxSearchTermLength).optional(),
  sort: z.enum(rosterSorts).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  limit: pageSize(maxRosterPageSize).optional(),
  cursor: base64url(2048).optional(),
});

export const auditEventsQuery = z.strictObject({
  limit: pageSize(maxAuditPageSize).optional(),
  cursor: base64url(64).optional(),
});

/** An address core's one rule (`normaliseEmail`) accepts; the use case normalises it. */
const emailAddress = z
  .string()
  .min(3)
  .max(254)
  .refine((value) => {
    try {
      normaliseEmail(value);
      return true;
    } catch {
      return false;
    }
  }, 'expected an email address (local@domain.tld)');

export const inviteBody = z.strictObject({
  email: emailAddress,
  role,
});

export const changeRoleBody = z.strictObject({ role });

export const acceptInvitationBody = z.strictObject({ token: base64url(256).min(22) });

// Responses: what each endpoint promises; HTTP tests validate real answers against these.

export const instant = z.iso.datetime();

export const problemResponse = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.string(),
  detail: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  requestId: z.string(),
});

export const meResponse = z.strictObject({
  user: z.strictObject({ id: identifier, name: z.string(), email: z.string() }),
  organisation: z.strictObject({
    id: identifier,
    name: z.string(),
    status: z.enum(organisationStatuses),
    bootstrapped: z.boolean(),
    invitationsEnabled: z.boolean(),
  }),
  role,
  permissions: z.array(z.enum(permissions)),
  csrfToken: z.string(),
});

const memberSummary = z.strictObject({ userId: identifier, name: z.string(), email: z.string(), role });
export const memberDetails = z.strictObject({
  userId: identifier,
  name: z.string(),
  email: z.string(),
  role,
  mfaEnabled: z.boolean(),
  lastActiveAt: instant.nullable(),
});

export const memberResponse = memberDetails;

export const membersResponse = z.strictObject({
  items: z.array(z.union([memberDetails, memberSummary])),
  nextCursor: z.string().nullable(),
  total: z.number().int().min(0),
});

export const clientsResponse = z.strictObject({
  items: z.array(z.strictObject({ clientId: identifier, name: z.string() })),
});

export const invitationResponse = z.strictObject({
  id: identifier,
  email: z.string(),
  role,
  invitedBy: identifier,
  createdAt: instant,
  expiresAt: instant,
});

export const invitationsResponse = z.strictObject({ items: z.array(invitationResponse) });

/**
 * An invitation just issued or reissued, with what became of its email: `sent` (a mail server took
 * it), `queued` (written for a relay, or logged by a demo server), `failed` (not delivered: the
 * invitation exists all the same; resend it).
 */
export const issuedInvitationResponse = invitationResponse.extend({
  delivery: z.enum(['sent', 'queued', 'failed']).describe('sent: a mail server accepted the email; queued: written for later delivery (outbox, demo log); failed: not delivered — the invitation exists, resend it'),
});

export const acceptInvitationResponse = z.strictObject({
  organisation: z.strictObject({ id: identifier, name: z.string() }),
  role,
});

const assignmentDetail = z.strictObject({ userId: identifier, clientId: identifier, name: z.string().optional() });

/** Before / after of an audit event: each action uses a few of these fields. */
export const auditDetail = z
  .strictObject({
    role: role.optional(),
    status: z.enum(invitationStatuses).optional(),
    email: z.string().optional(),
    revokedInvitations: z.array(identifier).optional(),
    name: z.string().optional(),
    organisationStatus: z.enum(organisationStatuses).optional(),
    bootstrapped: z.boolean().optional(),
    invitationsEnabled: z.boolean().optional(),
    members: z.array(z.strictObject({ userId: identifier, role })).optional(),
    invitations: z.array(identifier).optional(),
    assignments: z.array(assignmentDetail).optional(),
    users: z.array(identifier).optional(),
    organisationId: identifier.optional(),
    filters: z
      .strictObject({
        organisationId: identifier.nullable().optional(),
        actorUserId: identifier.optional(),
        targetUserId: identifier.optional(),
        action: z.enum(auditActions).optional(),
        from: instant.optional(),
        to: instant.optional(),
      })
      .optional(),
    count: z.number().int().min(0).optional(),
  })
  .nullable();

/** An audit event as the partner surface answers it (always of the reader's own organisation). */
export const auditEvent = z.strictObject({
  id: identifier,
  action: z.enum(auditActions),
  /** `support_operator`: an AiDial support action on this organisation (the page may label it "AiDial support"). */
  actorKind: z.enum(auditActorKinds),
  actorUserId: identifier,
  /** The support operator's reason; null for partner members. */
  reason: z.string().nullable(),
  targetUserId: identifier.nullable(),
  invitationId: identifier.nullable(),
  before: auditDetail,
  after: auditDetail,
  at: instant,
  requestId: z.string().nullable(),
});

export const auditEventsResponse = z.strictObject({
  items: z.array(auditEvent),
  nextCursor: z.string().nullable(),
});

export const healthResponse = z.strictObject({ status: z.literal('ok') });

/** This API's own description (its members are OpenAPI's). */
export const openApiResponse = z.looseObject({ openapi: z.literal('3.1.0'), info: z.looseObject({}), paths: z.record(z.string(), z.unknown()) });

/** What `GET /me` adds to its `not_a_partner_member` problem: the CSRF token, so that the user can still accept an invitation. */
export const csrfTokenExtension = z.strictObject({ csrfToken: z.string() });
