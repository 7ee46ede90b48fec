import type { MemberContext, MembershipLookup } from '@partner-team/core';
import type { MembershipClaims } from './membership-claims.js';
import { organisationOfMember } from './membership-of.js';
import type { OrganisationLog } from './organisation-log.js';

/** Membership by user, from the confirmed view of the organisation their claim names. */
export class MongoMembershipLookup implements MembershipLookup {
  constructor(
    private readonly claims: MembershipClaims,
    private readonly log: OrganisationLog,
  ) {}

  async findByUser(userId: string): Promise<MemberContext | undefined> {
    return (await organisationOfMember(this.claims, this.log, userId))?.memberContext(userId);
  }
}
