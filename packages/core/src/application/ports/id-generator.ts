/** Generates unique identifiers (they must satisfy `parseIdentifier`). */
export interface IdGenerator {
  next(kind: 'invitation' | 'event'): string;
}
