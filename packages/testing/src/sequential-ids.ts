import type { IdGenerator } from '@partner-team/core';

/** Deterministic ids: `inv-0001`, `evt-0001`, … counted per kind. */
export class SequentialIds implements IdGenerator {
  private readonly counters = new Map<string, number>();

  next(kind: 'invitation' | 'event'): string {
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    return `${kind === 'invitation' ? 'inv' : 'evt'}-${String(n).padStart(4, '0')}`;
  }
}
