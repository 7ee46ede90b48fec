import { ConcurrencyConflictError, MemberOfAnotherOrganisationError } from '@partner-team/core';
import type { Filter } from 'mongodb';
import type { Collections } from './collections.js';
import { maxTimeMS, type CommitLog } from './commit-log.js';
import { idRange, pad, type ClaimDoc } from './documents.js';
import { guarded, isDuplicateKey } from './store-errors.js';

/** How long past its expiry an abandoned invitation's claim still blocks a takeover. */
export const claimGraceMs = 10 * 60 * 1000;


/**
 * "A user belongs to at most one partner organisation", across organisations and processes,
 * without transactions. Before a commit adds a member, the writer must hold the user's latest
 * claim: claims are inserted under `_id = "<userId>/<epoch>"`, so two writers racing for one user
 * cannot both insert the next epoch. The claim is not the membership (the organisation's head is);
 * it only fences concurrent joins:
 *
 * - latest claim is ours (same organisation and invitation) → proceed (a retry of the same accept);
 * - latest claim is another organisation's, and the user is a member there → refuse;
 * - …and that organisation's invitation is still pending (a join in flight) → conflict, retry later;
 * - …otherwise it is stale (the user left, or the join never committed) → take the next epoch.
 *
 * A join in flight can only become final through a commit of its own organisation, which a
 * takeover re-reads, so a taken-over claim can never later turn into a second membership.
 */
export class MembershipClaims {
  /**
   * Latest claims seen by this process, by user. Claims only change when a user joins, and a claim
   * never grants anything by itself (the head decides), so a stale entry can only make an answer
   * "not a member" — and readers then re-read the claim before saying so.
   */
  private readonly cache = new Map<string, { claim: ClaimDoc; readAt: number }>();

  constructor(
    private readonly c: Collections,
    private readonly log: CommitLog,
    private readonly cacheTtlMs = 60_000,
    private readonly cacheSize = 100_000,
  ) {}

  /** The user's latest claim, read from the store (and remembered). */
  async latest(userId: string): Promise<ClaimDoc | undefined> {
    const doc = await guarded(() =>
      this.c.claims.findOne({ _id: idRange(userId) } as Filter<ClaimDoc>, { sort: { _id: -1 }, maxTimeMS }),
    );
    if (doc === null) {
      this.cache.delete(userId);
      return undefined;
    }
    this.remember(doc);
    return doc;
  }

  /** The user's latest claim as this process last saw it (within the TTL), else from the store. */
  async latestCached(userId: string): Promise<{ claim: ClaimDoc | undefined; cached: boolean }> {
    const hit = this.cache.get(userId);
    if (hit !== undefined && Date.now() - hit.readAt < this.cacheTtlMs) return { claim: hit.claim, cached: true };
    return { claim: await this.latest(userId), cached: false };
  }

  private remember(claim: ClaimDoc): void {
    this.cache.delete(claim.u);
    if (this.cache.size >= this.cacheSize) {
      const oldest = this.cache.keys().next();
      if (oldest.done !== true) this.cache.delete(oldest.value);
    }
    this.cache.set(claim.u, { claim, readAt: Date.now() });
  }

  async claim(userId: string, organisationId: string, invitationId: string | null, now: Date): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const latest = await this.latest(userId);
      if (latest !== undefined && latest.o === organisationId && latest.i === invitationId) return;
      if (latest !== undefined && latest.o !== organisationId) await this.assertReleased(latest, userId, now);
      const epoch = (latest?.e ?? 0) + 1;
      const claim: ClaimDoc = { _id: `${userId}/${pad(epoch)}`, u: userId, o: organisationId, i: invitationId, e: epoch, at: now };
      try {
        await guarded(() => this.c.claims.insertOne(claim));
        this.remember(claim);
        return;
      } catch (error: unknown) {
        if (!isDuplicateKey(error)) throw error;
      }
    }
    throw new ConcurrencyConflictError(organisationId);
  }

  private async assertReleased(claim: ClaimDoc, userId: string, now: Date): Promise<void> {
    const head = await this.log.head(claim.o);
    // No commit yet: the claimed organisation is being created right now, or its creation failed.
    if (head === undefined) {
      if (now.getTime() - claim.at.getTime() < claimGraceMs) throw new ConcurrencyConflictError(claim.o);
      return;
    }
    if (Object.values(head.state.members).some((m) => m.u === userId)) throw new MemberOfAnotherOrganisationError();
    if (claim.i === null) return;
    const invitation = head.state.invitations.find((i) => i.id === claim.i);
    if (invitation?.status === 'pending' && invitation.expiresAt.getTime() + claimGraceMs > now.getTime()) {
      throw new ConcurrencyConflictError(claim.o);
    }
  }
}
