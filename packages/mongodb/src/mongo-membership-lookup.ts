import type { MemberContext, MembershipLookup } from '@partner-team/core';
import type { CommitLog } from './commit-log.js';
import type { MembershipClaims } from './membership-claims.js';

/**
 * Membership by user: the latest claim names the candidate organisation, and that organisation's
 * head decides (read projected to the profile and this one member). A claim never grants anything
 * by itself, so a lagging, abandoned or cached claim can only make the answer "not a member" (fail
 * closed) — and before answering that from a cached claim, the claim is read again.
 */
export class MongoMembershipLookup implements MembershipLookup {
  constructor(
    private readonly claims: MembershipClaims,
    private readonly log: CommitLog,
  ) {}

  async findByUser(userId: string): Promise<MemberContext | undefined> {
    const { claim, cached } = await this.claims.latestCached(userId);
    const found = claim === undefined ? undefined : await this.memberOf(claim.o, userId);
    if (found !== undefined || !cached) return found;
    const fresh = await this.claims.latest(userId);
    return fresh === undefined || fresh.o === claim?.o ? undefined : this.memberOf(fresh.o, userId);
  }

  private async memberOf(organisationId: string, userId: string): Promise<MemberContext | undefined> {
    const head = await this.log.headMembers(organisationId, [userId]);
    const member = head?.members.get(userId);
    if (head === undefined || member === undefined) return undefined;
    return { organisation: { id: organisationId, ...head.profile }, membership: { userId, role: member.r, joinedAt: member.j } };
  }
}
