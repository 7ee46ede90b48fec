import { defaultRetryPolicy } from './conflict-retry.js';
import type { PartnerTeamOptions, PartnerTeamPorts } from './partner-team-ports.js';
import { AcceptInvitation } from './use-cases/accept-invitation.js';
import { ChangeMemberRole } from './use-cases/change-member-role.js';
import { GetMyContext } from './use-cases/get-my-context.js';
import { InviteUser } from './use-cases/invite-user.js';
import { ListAssignedClients } from './use-cases/list-assigned-clients.js';
import { ListAuditEvents } from './use-cases/list-audit-events.js';
import { ListMembers } from './use-cases/list-members.js';
import { ListPendingInvitations } from './use-cases/list-pending-invitations.js';
import { RemoveMember } from './use-cases/remove-member.js';
import { ResendInvitation } from './use-cases/resend-invitation.js';
import { RevokeInvitation } from './use-cases/revoke-invitation.js';

/** Every partner-team use case, wired to one set of ports. */
export interface PartnerTeam {
  readonly getMyContext: GetMyContext;
  readonly listMembers: ListMembers;
  readonly listAssignedClients: ListAssignedClients;
  readonly listPendingInvitations: ListPendingInvitations;
  readonly inviteUser: InviteUser;
  readonly revokeInvitation: RevokeInvitation;
  readonly resendInvitation: ResendInvitation;
  readonly changeMemberRole: ChangeMemberRole;
  readonly removeMember: RemoveMember;
  readonly acceptInvitation: AcceptInvitation;
  readonly listAuditEvents: ListAuditEvents;
}

/** Builds every use case over `ports`. */
export function createPartnerTeam(ports: PartnerTeamPorts, options: PartnerTeamOptions = {}): PartnerTeam {
  const retry = options.retry ?? defaultRetryPolicy;
  return {
    getMyContext: new GetMyContext(ports),
    listMembers: new ListMembers(ports),
    listAssignedClients: new ListAssignedClients(ports),
    listPendingInvitations: new ListPendingInvitations(ports),
    inviteUser: new InviteUser(ports, retry, options.invitationTtlMs),
    revokeInvitation: new RevokeInvitation(ports, retry),
    resendInvitation: new ResendInvitation(ports, retry, options.invitationTtlMs),
    changeMemberRole: new ChangeMemberRole(ports, retry),
    removeMember: new RemoveMember(ports, retry),
    acceptInvitation: new AcceptInvitation(ports, retry),
    listAuditEvents: new ListAuditEvents(ports),
  };
}
