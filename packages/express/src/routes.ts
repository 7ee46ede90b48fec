import { NotAPartnerMemberError, StoreUnavailableError, type PartnerTeam } from '@partner-team/core';
import type { z } from 'zod';
import type { CsrfTokens } from './csrf.js';
import type { ProblemCode, WithProblemExtensions } from './problem.js';
import { auditEventJson, invitationJson, issuedInvitationJson, memberJson } from './serialisation.js';
import * as schemas from './schemas.js';
import type { Session } from './session.js';

export type HttpMethod = 'get' | 'post' | 'patch' | 'delete';

/** What a handler answers; the router serialises it. */
export interface RouteResult {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RouteInput<P, Q, B> {
  readonly session: Session;
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly requestId: string;
}

/**
 * One endpoint: its schemas (used for validation *and* the OpenAPI document, so the two cannot
 * drift), the problems it documents, and its handler.
 */
export interface RouteSpec<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  readonly method: HttpMethod;
  readonly path: string;
  readonly summary: string;
  readonly authenticated: boolean;
  readonly params: P;
  readonly query: Q;
  readonly body?: B;
  readonly success: {
    readonly status: number;
    readonly description: string;
    readonly schema?: z.ZodType;
    /** Headers every success answer carries (beyond X-Request-Id), with what they hold. */
    readonly headers?: Readonly<Record<string, string>>;
  };
  /** Every code this endpoint can answer with (`internal` aside: any endpoint may fail). */
  readonly problems: readonly ProblemCode[];
  /** Extension members some of its problems always carry, by code. */
  readonly problemExtensions?: Partial<Record<ProblemCode, z.ZodObject>>;
  readonly handle: (input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>) => Promise<RouteResult>;
}

function route<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(spec: RouteSpec<P, Q, B>): RouteSpec {
  return spec;
}

const readProblems = ['unauthenticated', 'not_a_partner_member', 'partner_bootstrap_incomplete', 'validation_failed', 'unavailable'] as const;
const mutationProblems = [
  'unavailable',
  'unauthenticated',
  'csrf_failed',
  'not_a_partner_member',
  'partner_bootstrap_incomplete',
  'organisation_not_active',
  'forbidden',
  'validation_failed',
  'rate_limited',
  'concurrency_conflict',
] as const;

/** Thrown by `GET /me` for a non-member; carries the CSRF token so they can still accept an invitation. */
class NotAMemberWithCsrf extends NotAPartnerMemberError implements WithProblemExtensions {
  readonly problemExtensions: Readonly<Record<string, string>>;

  constructor(csrfToken: string) {
    super();
    this.problemExtensions = { csrfToken };
  }
}

export interface RouteDependencies {
  readonly team: PartnerTeam;
  readonly csrf: CsrfTokens;
  readonly ready: () => Promise<boolean>;
}

/** Every Partner Team endpoint, relative to the router's mount point (`/api/partner-team`). */
export function partnerTeamRoutes({ team, csrf, ready }: RouteDependencies): RouteSpec[] {
  const actor = (input: { session: Session; requestId: string }) => ({ actorUserId: input.session.userId, requestId: input.requestId });
  return [
    route({
      method: 'get',
      path: '/healthz',
      summary: 'The process is up',
      authenticated: false,
      params: schemas.noParams,
      query: schemas.noQuery,
      success: { status: 200, description: 'Up', schema: schemas.healthResponse },
      problems: ['validation_failed'],
      handle: () => Promise.resolve({ status: 200, body: { status: 'ok' } }),
    }),
    route({
      method: 'get',
      path: '/readyz',
      summary: 'The store is reachable',
      authenticated: false,
      params: schemas.noParams,
      query: schemas.noQuery,
      success: { status: 200, description: 'Ready', schema: schemas.healthResponse },
      problems: ['validation_failed', 'unavailable'],
      handle: async () => {
        if (!(await ready())) throw new StoreUnavailableError('The store does not answer');
        return { status: 200, body: { status: 'ok' } };
      },
    }),
    route({
      method: 'get',
      path: '/me',
      summary: 'The signed-in member, their organisation, role, permissions and CSRF token',
      authenticated: true,
      params: schemas.noParams,
      query: schemas.noQuery,
      success: { status: 200, description: 'The member context', schema: schemas.meResponse },
      problems: ['unauthenticated', 'not_a_partner_member', 'validation_failed', 'unavailable'],
      problemExtensions: { not_a_partner_member: schemas.csrfTokenExtension },
      handle: async (input) => {
        const csrfToken = csrf.tokenFor(input.session.sessionId);
        try {
          const me = await team.getMyContext.execute(actor(input));
          const { id, name, status, bootstrapped, invitationsEnabled } = me.organisation;
          return {
            status: 200,
            body: { user: me.user, organisation: { id, name, status, bootstrapped, invitationsEnabled }, role: me.role, permissions: me.permissions, csrfToken },
          };
        } catch (error: unknown) {
          if (error instanceof NotAPartnerMemberError) throw new NotAMemberWithCsrf(csrfToken);
          throw error;
        }
      },
    }),
    route({
      method: 'get',
      path: '/members',
      summary: 'Search, sort and page the roster',
      authenticated: true,
      params: schemas.noParams,
      query: schemas.membersQuery,
      success: { status: 200, description: 'A page of members', schema: schemas.membersResponse },
      problems: [...readProblems, 'forbidden'],
      handle: async (input) => {
        const list = await team.listMembers.execute({ ...actor(input), ...input.query });
        return { status: 200, body: { items: list.items.map(memberJson), nextCursor: list.nextCursor, total: list.total } };
      },
    }),
    route({
      method: 'get',
      path: '/members/:userId/clients',
      summary: 'The clients a member may support',
      authenticated: true,
      params: schemas.userIdParams,
      query: schemas.noQuery,
      success: { status: 200, description: 'Assigned clients', schema: schemas.clientsResponse },
      problems: [...readProblems, 'forbidden', 'member_not_found'],
      handle: async (input) => ({
        status: 200,
        body: await team.listAssignedClients.execute({ ...actor(input), targetUserId: input.params.userId }),
      }),
    }),
    route({
      method: 'patch',
      path: '/members/:userId',
      summary: 'Move another member between partner_admin and partner_user',
      authenticated: true,
      params: schemas.userIdParams,
      query: schemas.noQuery,
      body: schemas.changeRoleBody,
      success: { status: 200, description: 'The member', schema: schemas.memberResponse },
      problems: [...mutationProblems, 'self_role_change_forbidden', 'member_not_found', 'last_admin', 'payload_too_large', 'unsupported_media_type'],
      handle: async (input) => ({
        status: 200,
        body: memberJson(await team.changeMemberRole.execute({ ...actor(input), targetUserId: input.params.userId, role: input.body.role })),
      }),
    }),
    route({
      method: 'delete',
      path: '/members/:userId',
      summary: 'Remove another member',
      authenticated: true,
      params: schemas.userIdParams,
      query: schemas.noQuery,
      success: { status: 204, description: 'Removed' },
      problems: [...mutationProblems, 'self_removal_forbidden', 'member_not_found', 'last_admin'],
      handle: async (input) => {
        await team.removeMember.execute({ ...actor(input), targetUserId: input.params.userId });
        return { status: 204 };
      },
    }),
    route({
      method: 'get',
      path: '/invitations',
      summary: 'Pending invitations (partner_admins)',
      authenticated: true,
      params: schemas.noParams,
      query: schemas.noQuery,
      success: { status: 200, description: 'Pending invitations', schema: schemas.invitationsResponse },
      problems: [...readProblems, 'forbidden'],
      handle: async (input) => {
        const { items } = await team.listPendingInvitations.execute(actor(input));
        return { status: 200, body: { items: items.map(invitationJson) } };
      },
    }),
    route({
      method: 'post',
      path: '/invitations',
      summary: 'Invite an email address with a role',
      authenticated: true,
      params: schemas.noParams,
      query: schemas.noQuery,
      body: schemas.inviteBody,
      success: {
        status: 201,
        description: 'The invitation (never its token) and whether its email went out (`delivery`): when it `failed`, the invitation exists all the same and POST /invitations/{invitationId}/resend sends a new link',
        schema: schemas.issuedInvitationResponse,
        headers: { Location: 'the invitation, relative to /invitations' },
      },
      problems: [...mutationProblems, 'invitations_disabled', 'already_member', 'invitation_pending', 'too_many_pending_invitations', 'payload_too_large', 'unsupported_media_type'],
      handle: async (input) => {
        const invitation = await team.inviteUser.execute({ ...actor(input), email: input.body.email, role: input.body.role });
        return { status: 201, body: issuedInvitationJson(invitation), headers: { Location: `invitations/${invitation.id}` } };
      },
    }),
    route({
      method: 'post',
      path: '/invitations/accept',
      summary: 'Accept an invitation with its token',
      authenticated: true,
      params: schemas.noParams,
      query: schemas.noQuery,
      body: schemas.acceptInvitationBody,
      success: { status: 200, description: 'Joined', schema: schemas.acceptInvitationResponse },
      problems: [
        'unauthenticated',
        'csrf_failed',
        'validation_failed',
        'rate_limited',
        'invitation_not_found',
        'invitation_email_mismatch',
        'invitation_expired',
        'already_member',
        'member_of_another_organisation',
        'partner_bootstrap_incomplete',
        'organisation_not_active',
        'invitations_disabled',
        'concurrency_conflict',
        'payload_too_large',
        'unsupported_media_type',
        'unavailable',
      ],
      handle: async (input) => ({ status: 200, body: await team.acceptInvitation.execute({ ...actor(input), token: input.body.token }) }),
    }),
    route({
      method: 'delete',
      path: '/invitations/:invitationId',
      summary: 'Revoke a pending invitation',
      authenticated: true,
      params: schemas.invitationIdParams,
      query: schemas.noQuery,
      success: { status: 204, description: 'Revoked' },
      problems: [...mutationProblems, 'invitation_not_found', 'invitation_expired'],
      handle: async (input) => {
        await team.revokeInvitation.execute({ ...actor(input), invitationId: input.params.invitationId });
        return { status: 204 };
      },
    }),
    route({
      method: 'post',
      path: '/invitations/:invitationId/resend',
      summary: 'Resend a pending invitation: a new link (the old one stops working) and a renewed expiry',
      authenticated: true,
      params: schemas.invitationIdParams,
      query: schemas.noQuery,
      success: {
        status: 200,
        description: 'The invitation with its renewed expiry (never its token) and whether the new link went out (`delivery`; when it `failed`, resend again)',
        schema: schemas.issuedInvitationResponse,
      },
      problems: [...mutationProblems, 'invitations_disabled', 'invitation_not_found', 'invitation_expired'],
      handle: async (input) => ({
        status: 200,
        body: issuedInvitationJson(await team.resendInvitation.execute({ ...actor(input), invitationId: input.params.invitationId })),
      }),
    }),
    route({
      method: 'get',
      path: '/audit-events',
      summary: 'The organisation’s audit events, newest first (partner_admins)',
      authenticated: true,
      params: schemas.noParams,
      query: schemas.auditEventsQuery,
      success: { status: 200, description: 'A page of audit events', schema: schemas.auditEventsResponse },
      problems: [...readProblems, 'forbidden'],
      handle: async (input) => {
        const page = await team.listAuditEvents.execute({ ...actor(input), ...input.query });
        return { status: 200, body: { items: page.items.map(auditEventJson), nextCursor: page.nextCursor } };
      },
    }),
  ];
}
