import { defaultRetryPolicy } from '../conflict-retry.js';
import type { PartnerTeamOptions, PartnerTeamPorts } from '../partner-team-ports.js';
import { AssignClients, RepairAssignments, ReportBrokenAssignments, UnassignClients } from './client-assignment-operations.js';
import { ImportMembers } from './import-members.js';
import { GrantPartnerAdmin, RestoreMember } from './member-recovery.js';
import { ChangeOrganisationStatus, CompleteBootstrap, SwitchInvitations } from './organisation-settings.js';
import { ProvisionOrganisation } from './provision-organisation.js';
import { InspectOrganisation, SearchAuditEvents } from './support-reads.js';
import { UpsertDirectoryUsers } from './upsert-directory-users.js';

/**
 * Every AiDial support operation, wired to one set of ports: the escalation boundaries of the
 * partner surface. Each is called by a support operator with a reason and records exactly one
 * audit event (or, when it changes nothing, none). Which operator may call which operation is the
 * calling adapter's decision (the operations API grants reads to `support_viewer` and everything
 * to `support_operator`).
 */
export interface SupportOperations {
  readonly provisionOrganisation: ProvisionOrganisation;
  readonly completeBootstrap: CompleteBootstrap;
  readonly changeOrganisationStatus: ChangeOrganisationStatus;
  readonly switchInvitations: SwitchInvitations;
  readonly grantPartnerAdmin: GrantPartnerAdmin;
  readonly restoreMember: RestoreMember;
  readonly importMembers: ImportMembers;
  readonly assignClients: AssignClients;
  readonly unassignClients: UnassignClients;
  readonly reportBrokenAssignments: ReportBrokenAssignments;
  readonly repairAssignments: RepairAssignments;
  readonly inspectOrganisation: InspectOrganisation;
  readonly searchAuditEvents: SearchAuditEvents;
  readonly upsertDirectoryUsers: UpsertDirectoryUsers;
}

/** Builds every support operation over `ports` (the same ports as the partner use cases). */
export function createSupportOperations(ports: PartnerTeamPorts, options: PartnerTeamOptions = {}): SupportOperations {
  const retry = options.retry ?? defaultRetryPolicy;
  return {
    provisionOrganisation: new ProvisionOrganisation(ports, retry),
    completeBootstrap: new CompleteBootstrap(ports, retry),
    changeOrganisationStatus: new ChangeOrganisationStatus(ports, retry),
    switchInvitations: new SwitchInvitations(ports, retry),
    grantPartnerAdmin: new GrantPartnerAdmin(ports, retry),
    restoreMember: new RestoreMember(ports, retry),
    importMembers: new ImportMembers(ports, retry, options.invitationTtlMs),
    assignClients: new AssignClients(ports, retry),
    unassignClients: new UnassignClients(ports, retry),
    reportBrokenAssignments: new ReportBrokenAssignments(ports),
    repairAssignments: new RepairAssignments(ports, retry),
    inspectOrganisation: new InspectOrganisation(ports),
    searchAuditEvents: new SearchAuditEvents(ports),
    upsertDirectoryUsers: new UpsertDirectoryUsers(ports),
  };
}
