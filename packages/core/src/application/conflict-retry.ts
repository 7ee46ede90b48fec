import { ConcurrencyConflictError } from '../domain/shared/errors.js';

/** How often a use case re-loads and re-decides after a concurrency conflict. */
export interface RetryPolicy {
  /** Total attempts, at least 1. */
  readonly attempts: number;
  /** Waits before attempt `attempt` (2, 3, …); spreads contending writers apart. */
  readonly pause: (attempt: number) => Promise<void>;
}

/** Eight attempts with a short randomised pause (up to 1, 2, 4 … 32 ms) between them. */
export const defaultRetryPolicy: RetryPolicy = {
  attempts: 8,
  pause: (attempt) =>
    new Promise((resolve) => {
      setTimeout(resolve, Math.random() * 2 ** Math.min(attempt - 1, 5));
    }),
};

/** Retries immediately; for in-memory tests that want determinism. */
export const immediateRetryPolicy: RetryPolicy = { attempts: 8, pause: () => Promise.resolve() };

/**
 * Runs `attempt` until it does not throw {@link ConcurrencyConflictError}, at most `policy.attempts`
 * times; the last conflict is rethrown.
 */
export async function retryOnConflict<T>(policy: RetryPolicy, attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n += 1) {
    try {
      return await attempt();
    } catch (error: unknown) {
      if (!(error instanceof ConcurrencyConflictError) || n >= policy.attempts) throw error;
      await policy.pause(n + 1);
    }
  }
}
