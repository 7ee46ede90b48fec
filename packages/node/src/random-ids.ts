import { randomUUID } from 'node:crypto';
import type { IdGenerator } from '@partner-team/core';

/** Random, unguessable ids (`inv_<uuid>`, `evt_<uuid>`): an id of another organisation cannot be guessed. */
export class RandomIds implements IdGenerator {
  next(kind: 'invitation' | 'event'): string {
    return `${kind === 'invitation' ? 'inv' : 'evt'}_${randomUUID()}`;
  }
}
