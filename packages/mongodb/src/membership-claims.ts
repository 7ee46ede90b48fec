import { ConcurrencyConflictError, MemberOfAnotherOrganisationError } from '@partner-team/core';
import { maxTimeMS, type Collections } from './collections.js';
import { claimId, claimPointerId, type ClaimDoc } from './documents.js';
import type { OrganisationLog } from './organisation-log.js';
import { guarded, isDuplicateKey } from './store-errors.js';

/** How long a claim on an organisation that does not exist (yet) blocks a takeover: its creation may be in flight. */
export const claimGraceMs = 10 * 60 * 1000;

/** A user's claim as the lookups need it. */
export type Claim = Pick<ClaimDoc, 'o' | 'i' | 'e' | 'at'>;

/**
 * "A user belongs to at most one partner organisation", across organisations and processes,
 * without transactions. Before an entry adds a member, the writer must hold the user's latest
 * claim: claims are inserted under `_id = "<userId>/<epoch>"`, so two writers racing for one user
 * cannot both insert the next epoch. The claim is not the membership (the organisation's entries
 * are); it only fences concurrent joins:
 *
 * - latest claim is ours (same organisation and invitation) → proceed (a retry of the same join);
 * - latest claim is another organisation's, and the user is a member there → refuse;
 * - …and that organisation does not exist (yet): it is being created, or its creation failed →
 *   conflict for a grace period, then the claim is stale;
 * - …otherwise the claim may still be turned into a membership by a writer between its claim and
 *   its entry, so the taker **fences** that organisation: it appends an empty entry at the head it
 *   just confirmed (the user not a member there). Of the fence and the holder's entry only one can
 *   take that number: if the holder's wins, the fence conflicts and the taker reads again (and
 *   finds the member); if the fence wins, the holder's insert conflicts, and its retry reads the
 *   claims again and finds the newer one. Then the taker takes the next epoch.
 *
 * Each user also has a pointer (`~p/<userId>`) to their latest claim, raised after every claim: a
 * lookup reads it with one `_id` equality. It may lag (a writer died before raising it, a raise
 * failed, or two raisers interleaved on a server without atomic updates), so every answer that
 * could be wrong because of it — "not a member", "the latest claim is ours", the epoch a new claim
 * takes — reads the claims past it.
 */
export class MembershipClaims {
  /** Latest claims seen by this process, by user (null: none). A claim grants nothing by itself. */
  private readonly cache = new Map<string, { claim: Claim | null; readAt: number }>();

  constructor(
    private readonly c: Collections,
    private readonly log: OrganisationLog,
    private readonly cacheTtlMs = 60_000,
    private readonly cacheSize = 100_000,
  ) {}

  /** The user's latest claim as this process last saw it (within the TTL), else as its pointer says. */
  async latestCached(userId: string): Promise<{ claim: Claim | undefined; cached: boolean }> {
    const hit = this.cache.get(userId);
    if (hit !== undefined && Date.now() - hit.readAt < this.cacheTtlMs) return { claim: hit.claim ?? undefined, cached: true };
    const pointer = await guarded(() => this.c.claimPointers.findOne({ _id: claimPointerId(userId) }, { maxTimeMS }));
    const claim = pointer === null ? undefined : { o: pointer.o, i: pointer.i, e: pointer.e, at: pointer.at };
    this.remember(userId, claim ?? null);
    return { claim, cached: false };
  }

  /** The user's latest claim as its pointer records it. */
  private async pointed(userId: string): Promise<Claim | undefined> {
    const pointer = await guarded(() => this.c.claimPointers.findOne({ _id: claimPointerId(userId) }, { maxTimeMS }));
    return pointer === null ? undefined : { o: pointer.o, i: pointer.i, e: pointer.e, at: pointer.at };
  }

  /** The user's latest claim, read past its pointer (authoritative). */
  async latest(userId: string): Promise<Claim | undefined> {
    const pointer = await guarded(() => this.c.claimPointers.findOne({ _id: claimPointerId(userId) }, { maxTimeMS }));
    let latest: Claim | undefined = pointer === null ? undefined : { o: pointer.o, i: pointer.i, e: pointer.e, at: pointer.at };
    for (;;) {
      const next = await guarded(() => this.c.claims.findOne({ _id: claimId(userId, (latest?.e ?? 0) + 1) }, { maxTimeMS }));
      if (next === null) break;
      latest = { o: next.o, i: next.i, e: next.e, at: next.at };
    }
    if (latest !== undefined && latest.e > (pointer?.e ?? 0)) await this.raise(userId, latest);
    this.remember(userId, latest ?? null);
    return latest;
  }

  /**
   * Makes the writer the holder of the user's latest claim for `organisationId` (and the
   * invitation it accepts).
   *
   * @throws MemberOfAnotherOrganisationError when the user is a member elsewhere;
   *   ConcurrencyConflictError while another join of theirs is in flight.
   */
  async claim(userId: string, organisationId: string, invitationId: string | null, now: Date): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      // First as the pointer says: if it lags, the insert of its next epoch collides, and the next
      // attempt reads past it.
      let latest = attempt === 0 ? await this.pointed(userId) : await this.latest(userId);
      const ours = (claim: Claim | undefined): boolean => claim !== undefined && claim.o === organisationId && claim.i === invitationId;
      // "Ours" only as the claims past the pointer confirm it: a lagging pointer may hide a newer claim.
      if (attempt === 0 && ours(latest)) latest = await this.latest(userId);
      if (ours(latest)) return;
      if (latest !== undefined && latest.o !== organisationId) await this.release(latest, userId, now);
      const epoch = (latest?.e ?? 0) + 1;
      const claim: ClaimDoc = { _id: claimId(userId, epoch), u: userId, o: organisationId, i: invitationId, e: epoch, at: now };
      try {
        await guarded(() => this.c.claims.insertOne(claim));
        await this.raise(userId, claim);
        this.remember(userId, claim);
        return;
      } catch (error: unknown) {
        if (!isDuplicateKey(error)) throw error;
      }
    }
    throw new ConcurrencyConflictError(organisationId);
  }

  /**
   * Claims for many users of one organisation that has just been provisioned (no invitation): users
   * without any claim get their first one in one insert; the others go one by one.
   */
  async claimMany(userIds: readonly string[], organisationId: string, now: Date): Promise<void> {
    const pointers = new Set(
      (await guarded(() => this.c.claimPointers.find({ _id: { $in: userIds.map(claimPointerId) } }, { projection: { _id: 1 }, maxTimeMS }).toArray())).map((p) => p._id),
    );
    const fresh = userIds.filter((u) => !pointers.has(claimPointerId(u)));
    const docs: ClaimDoc[] = fresh.map((u) => ({ _id: claimId(u, 1), u, o: organisationId, i: null, e: 1, at: now }));
    const inserted = new Set<string>();
    if (docs.length > 0) {
      try {
        await guarded(() => this.c.claims.insertMany(docs, { ordered: false }));
        for (const d of docs) inserted.add(d.u);
      } catch (error: unknown) {
        const failed = new Set(([] as { index: number }[]).concat((error as { writeErrors?: { index: number }[] }).writeErrors ?? []).map((e) => e.index));
        if (failed.size === 0) throw error;
        docs.forEach((d, n) => {
          if (!failed.has(n)) inserted.add(d.u);
        });
      }
      const pointerDocs = docs.filter((d) => inserted.has(d.u)).map((d) => ({ _id: claimPointerId(d.u), o: d.o, i: d.i, e: d.e, at: d.at }));
      if (pointerDocs.length > 0) await guarded(() => this.c.claimPointers.insertMany(pointerDocs, { ordered: false })).catch(() => undefined);
      for (const d of docs) if (inserted.has(d.u)) this.remember(d.u, d);
    }
    for (const userId of userIds) if (!inserted.has(userId)) await this.claim(userId, organisationId, null, now);
  }

  /** Makes another organisation's claim on the user safe to take over, or refuses (see the class comment). */
  private async release(claim: Claim, userId: string, now: Date): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const view = await this.log.current(claim.o);
      // Not there (yet): the claimed organisation is being created right now, or its creation failed.
      if (view === undefined) {
        if (now.getTime() - claim.at.getTime() < claimGraceMs) throw new ConcurrencyConflictError(claim.o);
        return;
      }
      if (view.isMember(userId)) throw new MemberOfAnotherOrganisationError();
      try {
        await this.log.append(claim.o, view.seq, { c: null, p: {}, e: [] }, { addTokens: [], dropTokens: [] });
        return;
      } catch (error: unknown) {
        if (!(error instanceof ConcurrencyConflictError)) throw error;
      }
    }
    throw new ConcurrencyConflictError(claim.o);
  }

  private async raise(userId: string, claim: Claim): Promise<void> {
    // Best effort and never lowering: a lagging pointer only costs readers a few more reads.
    await guarded(() =>
      this.c.claimPointers.updateOne(
        { _id: claimPointerId(userId), e: { $lt: claim.e } },
        { $set: { o: claim.o, i: claim.i, e: claim.e, at: claim.at } },
        { upsert: true },
      ),
    ).catch(() => undefined);
  }

  private remember(userId: string, claim: Claim | null): void {
    this.cache.delete(userId);
    if (this.cache.size >= this.cacheSize) {
      const oldest = this.cache.keys().next();
      if (oldest.done !== true) this.cache.delete(oldest.value);
    }
    this.cache.set(userId, { claim: claim === null ? null : { o: claim.o, i: claim.i, e: claim.e, at: claim.at }, readAt: Date.now() });
  }
}
