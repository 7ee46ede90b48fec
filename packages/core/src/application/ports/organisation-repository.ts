import type { OrganisationChange, OrganisationRecord } from '../../domain/organisation/organisation-record.js';

/**
 * Persistence of the PartnerOrganisation aggregate with optimistic concurrency.
 *
 * Loads answer the questions a decision asks: the organisation a user belongs to, or an
 * organisation by id, each with the memberships of the users the decision is about. Implementations
 * hand out copies (never a reference they keep) and make `save` atomic: the change and its audit
 * events are stored together at the next version, or nothing is. The contract suite in
 * `@partner-team/testing/contracts` checks all of this.
 */
export interface OrganisationRepository {
  /**
   * The organisation `userId` currently belongs to (a user belongs to at most one), with the
   * membership of `userId` and of each of `teammates` (null for those who are not members of it);
   * undefined when `userId` belongs to none.
   */
  loadForMember(userId: string, teammates?: readonly string[]): Promise<OrganisationRecord | undefined>;

  /**
   * The organisation `organisationId`, with the membership of each of `users` (null for those who
   * are not members); undefined when it does not exist.
   */
  load(organisationId: string, users?: readonly string[]): Promise<OrganisationRecord | undefined>;

  /**
   * The id of the organisation that keeps an invitation whose token hash is `tokenHash` (whatever
   * its status); undefined once the invitation was pruned or given a new token, and for a hash no
   * organisation issued.
   */
  findByInvitationTokenHash(tokenHash: string): Promise<string | undefined>;

  /**
   * Stores `change` as version `expectedVersion + 1`, if and only if the stored version still equals
   * `expectedVersion` (0: the change creates the organisation, which must not exist yet).
   *
   * @throws `ConcurrencyConflictError` when the version moved on; nothing is stored.
   * @throws `MemberOfAnotherOrganisationError` when the change adds a member who currently belongs
   *   to a different organisation; nothing is stored.
   */
  save(change: OrganisationChange, expectedVersion: number): Promise<void>;
}
