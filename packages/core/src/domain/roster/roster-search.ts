/**
 * Substring search over the roster's name and email keys through an n-gram index: postings for
 * every 1-, 2- and 3-character substring of each member's keys. A term of up to three characters
 * is answered exactly from its own posting; a longer one is verified on the members of its rarest
 * trigram's posting. Matches are marked in a stamp array indexed by member ordinal, so that a
 * page is a walk of the sorted rows testing one typed-array slot per row.
 */

interface Posting {
  ids: Uint32Array;
  length: number;
  /** Members of the posting that are still present (removals are lazy). */
  live: number;
}

function gramsOf(texts: readonly string[]): Set<string> {
  const grams = new Set<string>();
  for (const text of texts) {
    for (let n = 1; n <= 3; n += 1) {
      for (let i = 0; i + n <= text.length; i += 1) grams.add(text.slice(i, i + n));
    }
  }
  return grams;
}

export interface SearchMatches {
  readonly count: number;
  /** `stamps[ordinal] === stamp` for every matching member. */
  readonly stamps: Uint32Array;
  readonly stamp: number;
  /** The matching ordinals, when there are at most `collectUpTo` of them. */
  readonly ordinals: readonly number[] | undefined;
}

export class RosterSearch {
  private texts: (readonly string[] | undefined)[] = [];
  private readonly postings = new Map<string, Posting>();
  private stamps = new Uint32Array(1024);
  private stamp = 0;

  /** Indexes a member's (already normalised) name and email keys; returns its ordinal. */
  add(keys: readonly string[]): number {
    const ordinal = this.texts.length;
    this.texts.push(keys);
    for (const gram of gramsOf(keys)) {
      let posting = this.postings.get(gram);
      if (posting === undefined) {
        posting = { ids: new Uint32Array(4), length: 0, live: 0 };
        this.postings.set(gram, posting);
      }
      if (posting.length === posting.ids.length) {
        const grown = new Uint32Array(posting.ids.length * 2);
        grown.set(posting.ids);
        posting.ids = grown;
      }
      posting.ids[posting.length] = ordinal;
      posting.length += 1;
      posting.live += 1;
    }
    return ordinal;
  }

  remove(ordinal: number): void {
    const keys = this.texts[ordinal];
    if (keys === undefined) return;
    this.texts[ordinal] = undefined;
    for (const gram of gramsOf(keys)) {
      const posting = this.postings.get(gram);
      if (posting === undefined) continue;
      posting.live -= 1;
      if (posting.live === 0) this.postings.delete(gram);
      else if (posting.length > 2 * posting.live + 64) this.compact(posting);
    }
  }

  /**
   * Marks the members whose keys contain `term` (already normalised and non-empty), and lists them
   * when there are at most `collectUpTo`.
   */
  matches(term: string, collectUpTo = 0): SearchMatches {
    this.nextStamp();
    const { stamps, stamp } = this;
    let count = 0;
    const ordinals: number[] = [];
    const result = (): SearchMatches => ({ count, stamps, stamp, ordinals: count <= collectUpTo ? ordinals : undefined });
    if (term.length <= 3) {
      const posting = this.postings.get(term);
      if (posting !== undefined) {
        for (let i = 0; i < posting.length; i += 1) {
          const ordinal = posting.ids[i] as number;
          if (this.texts[ordinal] !== undefined && stamps[ordinal] !== stamp) {
            stamps[ordinal] = stamp;
            count += 1;
            if (count <= collectUpTo) ordinals.push(ordinal);
          }
        }
      }
      return result();
    }
    let rarest: Posting | undefined;
    for (let i = 0; i + 3 <= term.length; i += 1) {
      const posting = this.postings.get(term.slice(i, i + 3));
      if (posting === undefined) return result();
      if (rarest === undefined || posting.live < rarest.live) rarest = posting;
    }
    if (rarest === undefined) return result();
    for (let i = 0; i < rarest.length; i += 1) {
      const ordinal = rarest.ids[i] as number;
      const keys = this.texts[ordinal];
      if (keys !== undefined && stamps[ordinal] !== stamp && keys.some((k) => k.includes(term))) {
        stamps[ordinal] = stamp;
        count += 1;
        if (count <= collectUpTo) ordinals.push(ordinal);
      }
    }
    return result();
  }

  private nextStamp(): void {
    if (this.stamps.length < this.texts.length) {
      const grown = new Uint32Array(Math.max(this.texts.length, this.stamps.length * 2));
      grown.set(this.stamps);
      this.stamps = grown;
    }
    this.stamp += 1;
    if (this.stamp === 0xffffffff) {
      this.stamps.fill(0);
      this.stamp = 1;
    }
  }

  private compact(posting: Posting): void {
    let kept = 0;
    for (let i = 0; i < posting.length; i += 1) {
      const ordinal = posting.ids[i] as number;
      if (this.texts[ordinal] !== undefined) {
        posting.ids[kept] = ordinal;
        kept += 1;
      }
    }
    posting.length = kept;
  }
}
