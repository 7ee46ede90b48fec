import type { AssignedClient, ClientAssignment } from '../../domain/client/client-assignment.js';

export type { AssignedClient, ClientAssignment } from '../../domain/client/client-assignment.js';

/**
 * Which clients each member of an organisation may support. Assignments are written by AiDial
 * support through the organisation's versioned save (`OrganisationChange`), so they change with the
 * organisation's state and end with a member's membership; these are their reads.
 */
export interface ClientAssignments {
  /** Clients assigned to `userId` within `organisationId` only, sorted by name. */
  assignedTo(organisationId: string, userId: string): Promise<AssignedClient[]>;
  /**
   * Every assignment stored for `organisationId` (whether or not it names a current member: the
   * support report looks for those that do not), sorted by user id, then client id.
   */
  listForOrganisation(organisationId: string): Promise<ClientAssignment[]>;
}
