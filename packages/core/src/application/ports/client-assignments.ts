/** A customer a partner member may support. */
export interface AssignedClient {
  readonly clientId: string;
  readonly name: string;
}

/** Read access to which clients each member of an organisation may support (managed by AiDial). */
export interface ClientAssignments {
  /** Clients assigned to `userId` within `organisationId` only, sorted by name. */
  assignedTo(organisationId: string, userId: string): Promise<AssignedClient[]>;
}
