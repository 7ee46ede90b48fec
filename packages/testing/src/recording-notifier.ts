import type { InvitationMessage, InvitationNotifier } from '@partner-team/core';

/** Keeps every delivered invitation message; can be told to fail. */
export class RecordingNotifier implements InvitationNotifier {
  readonly delivered: InvitationMessage[] = [];
  failWith: Error | undefined;
  /** What a resolved delivery means (see `InvitationNotifier.outcome`); `sent` unless set. */
  outcome: 'sent' | 'queued' = 'sent';

  deliver(message: InvitationMessage): Promise<void> {
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    this.delivered.push(message);
    return Promise.resolve();
  }

  /** The token delivered for `email` most recently. */
  tokenFor(email: string): string | undefined {
    return this.delivered.findLast((m) => m.email === email)?.token;
  }
}
