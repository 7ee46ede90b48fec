import type { AuditEvent, ClientAssignment, Membership, OrganisationProfile, RosterEntry, SupportActor, SupportOperations } from '@partner-team/core';
import type { z } from 'zod';
import type { CsrfTokens } from './csrf.js';
import { isoOf } from './iso-dates.js';
import type { Operator, OperatorRole } from './operator-auth.js';
import * as schemas from './operations-schemas.js';
import { HttpProblem, type ProblemCode } from './problem.js';
import type { RouteResult } from './routes.js';
import { auditEventJson, invitationJson, memberJson } from './serialisation.js';
import { noParams, noQuery } from './schemas.js';

export interface OperationRouteInput<P, Q, B> {
  readonly operator: Operator;
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly requestId: string;
}

/** One endpoint of the operations API: its schemas (validation and OpenAPI), the role it needs, its problems and handler. */
export interface OperationRouteSpec<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  readonly method: 'get' | 'post';
  readonly path: string;
  readonly summary: string;
  /** The least role that may call it; null: no credential needed (the OpenAPI document). */
  readonly role: OperatorRole | null;
  readonly params: P;
  readonly query: Q;
  readonly body?: B;
  readonly success: { readonly status: number; readonly description: string; readonly schema?: z.ZodType };
  readonly problems: readonly ProblemCode[];
  readonly handle: (input: OperationRouteInput<z.output<P>, z.output<Q>, z.output<B>>) => Promise<RouteResult>;
}

function route<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(spec: OperationRouteSpec<P, Q, B>): OperationRouteSpec {
  return spec;
}

// The JSON forms of the operations API's answers; instants as ISO 8601.

const organisationJson = (o: OrganisationProfile) => ({ id: o.id, name: o.name, status: o.status, bootstrapped: o.bootstrapped, invitationsEnabled: o.invitationsEnabled });
const membershipJson = (m: Membership) => ({ userId: m.userId, role: m.role, joinedAt: isoOf(m.joinedAt) });
const assignmentJson = (a: ClientAssignment) => ({ userId: a.userId, clientId: a.clientId, name: a.name });

/** An audit event as support sees it: the partner surface's form, with its organisation (null: it belongs to none). */
export function operationsAuditEventJson(e: AuditEvent) {
  const { id, ...rest } = auditEventJson(e);
  return { id, organisationId: e.organisationId, ...rest };
}

const read = ['unauthenticated', 'forbidden', 'validation_failed', 'rate_limited'] as const;
const write = ['unauthenticated', 'csrf_failed', 'forbidden', 'validation_failed', 'rate_limited', 'payload_too_large', 'unsupported_media_type', 'concurrency_conflict'] as const;
const onOrganisation = [...write, 'organisation_not_found'] as const;

/** Every operations endpoint, relative to the router's mount point (`/api/operations`). */
export function operationsRoutes({ operations, csrf }: { readonly operations: SupportOperations; readonly csrf: CsrfTokens }): OperationRouteSpec[] {
  const actor = (input: { operator: Operator; requestId: string }, reason: string): SupportActor => ({ operatorId: input.operator.operatorId, reason, requestId: input.requestId });
  return [
    route({
      method: 'get',
      path: '/me',
      summary: 'The signed-in operator, their role, and the CSRF token of a cookie credential',
      role: 'support_viewer',
      params: noParams,
      query: noQuery,
      success: { status: 200, description: 'The operator', schema: schemas.operatorResponse },
      problems: ['unauthenticated', 'validation_failed'],
      handle: (input) =>
        Promise.resolve({
          status: 200,
          body: {
            operatorId: input.operator.operatorId,
            role: input.operator.role,
            csrfToken: input.operator.sessionId === undefined ? null : csrf.tokenFor(input.operator.sessionId),
          },
        }),
    }),
    route({
      method: 'post',
      path: '/organisations',
      summary: 'Provision an organisation (active, bootstrap pending, no members)',
      role: 'support_operator',
      params: noParams,
      query: noQuery,
      body: schemas.provisionBody,
      success: { status: 201, description: 'Provisioned', schema: schemas.provisionedResponse },
      problems: [...write, 'organisation_exists'],
      handle: async (input) => {
        const { organisationId, name, invitationsEnabled, reason } = input.body;
        const organisation = await operations.provisionOrganisation.execute({ ...actor(input, reason), organisationId, name, ...(invitationsEnabled === undefined ? {} : { invitationsEnabled }) });
        return { status: 201, body: { organisation: organisationJson(organisation) }, headers: { Location: `organisations/${organisation.id}` } };
      },
    }),
    route({
      method: 'get',
      path: '/organisations/:organisationId',
      summary: 'An organisation: profile, admin count and roster (admins first by default)',
      role: 'support_viewer',
      params: schemas.organisationParams,
      query: schemas.inspectQuery,
      success: { status: 200, description: 'The organisation', schema: schemas.inspectionResponse },
      problems: [...read, 'organisation_not_found'],
      handle: async (input) => {
        const { reason, ...roster } = input.query;
        const seen = await operations.inspectOrganisation.execute({ ...actor(input, reason), organisationId: input.params.organisationId, ...roster });
        return {
          status: 200,
          body: {
            organisation: organisationJson(seen.organisation),
            adminCount: seen.adminCount,
            members: { items: seen.members.items.map((m: RosterEntry) => memberJson(m)), nextCursor: seen.members.nextCursor, total: seen.members.total },
          },
        };
      },
    }),
    route({
      method: 'post',
      path: '/organisations/:organisationId/bootstrap',
      summary: 'Complete partner bootstrap with its first partner_admin',
      role: 'support_operator',
      params: schemas.organisationParams,
      query: noQuery,
      body: schemas.bootstrapBody,
      success: { status: 200, description: 'Bootstrapped', schema: schemas.bootstrappedResponse },
      problems: [...onOrganisation, 'user_not_found', 'organisation_archived', 'already_bootstrapped', 'member_of_another_organisation'],
      handle: async (input) => {
        const done = await operations.completeBootstrap.execute({ ...actor(input, input.body.reason), organisationId: input.params.organisationId, userId: input.body.userId });
        return { status: 200, body: { organisation: organisationJson(done.organisation), admin: membershipJson(done.admin) } };
      },
    }),
    route({
      method: 'post',
      path: '/organisations/:organisationId/status',
      summary: 'Set the organisation status: active, suspended or archived',
      role: 'support_operator',
      params: schemas.organisationParams,
      query: noQuery,
      body: schemas.statusBody,
      success: { status: 200, description: 'The organisation, and whether it changed', schema: schemas.organisationOutcomeResponse },
      problems: onOrganisation,
      handle: async (input) => {
        const done = await operations.changeOrganisationStatus.execute({ ...actor(input, input.body.reason), organisationId: input.params.organisationId, status: input.body.status });
        return { status: 200, body: { organisation: organisationJson(done.organisation), changed: done.changed } };
      },
    }),
    route({
      method: 'post',
      path: '/organisations/:organisationId/invitations-switch',
      summary: 'Turn the organisation’s invitations on or off',
      role: 'support_operator',
      params: schemas.organisationParams,
      query: noQuery,
      body: schemas.invitationsSwitchBody,
      success: { status: 200, description: 'The organisation, and whether it changed', schema: schemas.organisationOutcomeResponse },
      problems: [...onOrganisation, 'organisation_archived'],
      handle: async (input) => {
        const done = await operations.switchInvitations.execute({ ...actor(input, input.body.reason), organisationId: input.params.organisationId, enabled: input.body.enabled });
        return { status: 200, body: { organisation: organisationJson(done.organisation), changed: done.changed } };
      },
    }),
    route({
      method: 'post',
      path: '/organisations/:organisationId/admins',
      summary: 'Grant partner_admin to a member (last-admin recovery)',
      role: 'support_operator',
      params: schemas.organisationParams,
      query: noQuery,
      body: schemas.grantAdminBody,
      success: { status: 200, description: 'The member, now a partner_admin', schema: schemas.memberOutcomeResponse },
      problems: [...onOrganisation, 'organisation_archived', 'member_not_found', 'already_partner_admin'],
      handle: async (input) => ({
        status: 200,
        body: { member: membershipJson(await operations.grantPartnerAdmin.execute({ ...actor(input, input.body.reason), organisationId: input.params.organisationId, userId: input.body.userId })) },
      }),
    }),
    route({
      method: 'post',
      path: '/organisations/:organisationId/members',
      summary: 'Restore a removed member (or any directory user) with a role',
      role: 'support_operator',
      params: schemas.organisationParams,
      query: noQuery,
      body: schemas.restoreMemberBody,
      success: { status: 201, description: 'The member', schema: schemas.memberOutcomeResponse },
      problems: [...onOrganisation, 'user_not_found', 'organisation_archived', 'already_member', 'member_of_another_organisation'],
      handle: async (input) => ({
        status: 201,
        body: {
          member: membershipJson(await operations.restoreMember.execute({ ...actor(input, input.body.reason), organisationId: input.params.organisationId, userId: input.body.userId, role: input.body.role })),
        },
      }),
    }),
    route({
      method: 'post',
      path: '/organisations/:organisationId/members/import',
      summary: 'Add many members (and pending invitations) in one operation and one audit event',
      role: 'support_operator',
      params: schemas.organisationParams,
      query: noQuery,
      body: schemas.importMembersBody,
      success: { status: 200, description: 'Imported', schema: schemas.importedResponse },
      problems: [...onOrganisation, 'user_not_found', 'organisation_archived', 'already_member', 'member_of_another_organisation', 'invitation_pending', 'too_many_pending_invitations'],
      handle: async (input) => {
        const { members, invitations, reason } = input.body;
        const done = await operations.importMembers.execute({
          ...actor(input, reason),
          organisationId: input.params.organisationId,
          members,
          ...(invitations === undefined ? {} : { invitations: invitations.map((i) => ({ ...i, expiresAt: i.expiresAt === undefined ? undefined : new Date(i.expiresAt) })) }),
        });
        return { status: 200, body: { members: done.members, invitations: done.invitations.map(invitationJson) } };
      },
    }),
    route({
      method: 'post',
      path: '/organisations/:organisationId/assignments',
      summary: 'Assign clients to members of the organisation',
      role: 'support_operator',
      params: schemas.organisationParams,
      query: noQuery,
      body: schemas.assignClientsBody,
      success: { status: 200, description: 'The assignments added (none when all existed)', schema: schemas.assignedResponse },
      problems: [...onOrganisation, 'organisation_archived', 'member_not_found'],
      handle: async (input) => {
        const done = await operations.assignClients.execute({ ...actor(input, input.body.reason), organisationId: input.params.organisationId, assignments: input.body.assignments });
        return { status: 200, body: { assigned: done.assigned.map(assignmentJson) } };
      },
    }),
    route({
      method: 'post',
      path: '/organisations/:organisationId/assignments/unassign',
      summary: 'Remove client assignments',
      role: 'support_operator',
      params: schemas.organisationParams,
      query: noQuery,
      body: schemas.unassignClientsBody,
      success: { status: 200, description: 'The assignments removed', schema: schemas.unassignedResponse },
      problems: [...onOrganisation, 'assignment_not_found'],
      handle: async (input) => {
        const done = await operations.unassignClients.execute({ ...actor(input, input.body.reason), organisationId: input.params.organisationId, assignments: input.body.assignments });
        return { status: 200, body: { unassigned: done.unassigned.map(assignmentJson) } };
      },
    }),
    route({
      method: 'get',
      path: '/organisations/:organisationId/assignments/broken',
      summary: 'Assignments that name someone who is not a member (suspected cross-organisation assignments)',
      role: 'support_viewer',
      params: schemas.organisationParams,
      query: schemas.reasonQuery,
      success: { status: 200, description: 'The broken assignments', schema: schemas.brokenAssignmentsResponse },
      problems: [...read, 'organisation_not_found'],
      handle: async (input) => ({
        status: 200,
        body: { items: (await operations.reportBrokenAssignments.execute({ ...actor(input, input.query.reason), organisationId: input.params.organisationId })).items },
      }),
    }),
    route({
      method: 'post',
      path: '/organisations/:organisationId/assignments/repair',
      summary: 'Remove every assignment that names someone who is not a member',
      role: 'support_operator',
      params: schemas.organisationParams,
      query: noQuery,
      body: schemas.reasonBody,
      success: { status: 200, description: 'The assignments removed (none: nothing to repair)', schema: schemas.repairedResponse },
      problems: onOrganisation,
      handle: async (input) => {
        const done = await operations.repairAssignments.execute({ ...actor(input, input.body.reason), organisationId: input.params.organisationId });
        return { status: 200, body: { removed: done.removed.map(assignmentJson) } };
      },
    }),
    route({
      method: 'get',
      path: '/audit-events',
      summary: 'Search the audit log across organisations, newest first',
      role: 'support_viewer',
      params: noParams,
      query: schemas.auditSearchQuery,
      success: { status: 200, description: 'A page of audit events', schema: schemas.auditSearchResponse },
      problems: read,
      handle: async (input) => {
        const { reason, organisationId, unscoped, from, to, ...filters } = input.query;
        if (unscoped !== undefined && organisationId !== undefined) {
          throw new HttpProblem('validation_failed', 'Ask for one organisation or for unscoped events, not both');
        }
        const page = await operations.searchAuditEvents.execute({
          ...actor(input, reason),
          ...filters,
          ...(unscoped === undefined ? (organisationId === undefined ? {} : { organisationId }) : { organisationId: null }),
          ...(from === undefined ? {} : { from: new Date(from) }),
          ...(to === undefined ? {} : { to: new Date(to) }),
        });
        return { status: 200, body: { items: page.items.map(operationsAuditEventJson), nextCursor: page.nextCursor } };
      },
    }),
    route({
      method: 'post',
      path: '/users',
      summary: 'Add or update directory users in bulk (for portals that sync users)',
      role: 'support_operator',
      params: noParams,
      query: noQuery,
      body: schemas.upsertUsersBody,
      success: { status: 200, description: 'The users that changed', schema: schemas.usersUpsertedResponse },
      problems: [...write, 'email_in_use'],
      handle: async (input) => {
        const { users, reason } = input.body;
        const done = await operations.upsertDirectoryUsers.execute({
          ...actor(input, reason),
          users: users.map((u) => ({ ...u, lastActiveAt: u.lastActiveAt === undefined ? undefined : u.lastActiveAt === null ? null : new Date(u.lastActiveAt) })),
        });
        return { status: 200, body: done };
      },
    }),
  ];
}
