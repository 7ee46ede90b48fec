/** A customer a partner member may support, as the member's assigned-client list shows it. */
export interface AssignedClient {
  readonly clientId: string;
  readonly name: string;
}

/**
 * One assignment of an organisation: `userId` may support the client `clientId` (shown as `name`)
 * within that organisation. An assignment always names a member of its organisation; the support
 * report lists stored assignments that break this, and the repair removes them.
 */
export interface ClientAssignment {
  readonly userId: string;
  readonly clientId: string;
  readonly name: string;
}

/** Which assignment a removal names. */
export type ClientAssignmentKey = Pick<ClientAssignment, 'userId' | 'clientId'>;

/** Longest client name an assignment may carry. */
export const maxClientNameLength = 200;
