import type { Clock, Logger, UserActivity, UserDirectory } from '@partner-team/core';
import type { Session, SessionAuthenticator } from '@partner-team/express';
import type { Request } from 'express';

export interface ActivityRecorderOptions {
  /** At most one write per user per interval. */
  readonly intervalMs: number;
  /** How long seen users wait to be written together (default 1 s). */
  readonly flushDelayMs?: number;
  /** Most users per directory write (default 500). */
  readonly maxBatch?: number;
}

/**
 * Records when users were last active, off the request's critical path: `seen(userId)` is a map
 * lookup; a user is queued at most once per interval; queued users are written together shortly
 * after, through `UserDirectory.recordActivity` (which never lowers a stored time). A store that
 * fails loses that batch's times (logged) and never fails a request.
 */
export class ActivityRecorder {
  /** When each user was last queued (monotonic ms), pruned once older than the interval. */
  private readonly lastQueued = new Map<string, number>();
  private pending = new Map<string, Date>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** Directory writes issued so far (for tests and the log). */
  writes = 0;

  constructor(
    private readonly users: Pick<UserDirectory, 'recordActivity'>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: ActivityRecorderOptions,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Notes that `userId` was active now; cheap, never throws, never waits. */
  seen(userId: string): void {
    const now = this.now();
    const last = this.lastQueued.get(userId);
    if (last !== undefined && now - last < this.options.intervalMs) return;
    this.lastQueued.set(userId, now);
    this.pending.set(userId, this.clock.now());
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.options.flushDelayMs ?? 1000).unref();
  }

  /** Notes that `userId`'s activity was just written elsewhere (at sign-in): the interval starts now. */
  written(userId: string): void {
    this.lastQueued.set(userId, this.now());
  }

  /** Writes what is queued now (the timer does this by itself; shutdown and tests call it). */
  flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = [...this.pending].map(([userId, at]): UserActivity => ({ userId, at }));
    this.pending = new Map();
    this.prune();
    if (batch.length === 0) return this.flushing;
    const size = this.options.maxBatch ?? 500;
    this.flushing = this.flushing.then(async () => {
      for (let start = 0; start < batch.length; start += size) {
        const chunk = batch.slice(start, start + size);
        this.writes += 1;
        try {
          await this.users.recordActivity(chunk);
        } catch (error: unknown) {
          this.logger.warn('last activity not recorded', { users: chunk.length, error: error instanceof Error ? error.name : 'unknown' });
        }
      }
    });
    return this.flushing;
  }

  private prune(): void {
    const now = this.now();
    for (const [userId, at] of this.lastQueued) if (now - at >= this.options.intervalMs) this.lastQueued.delete(userId);
  }
}

/** An authenticator that tells the recorder who was authenticated, without waiting for it. */
export class ActivityRecordingAuthenticator implements SessionAuthenticator {
  constructor(
    private readonly inner: SessionAuthenticator,
    private readonly recorder: ActivityRecorder,
  ) {}

  authenticate(request: Request): Session | undefined | Promise<Session | undefined> {
    const result = this.inner.authenticate(request);
    if (result instanceof Promise) return result.then((session) => this.note(session));
    return this.note(result);
  }

  private note(session: Session | undefined): Session | undefined {
    if (session !== undefined) this.recorder.seen(session.userId);
    return session;
  }
}
