import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InvitationMessage, InvitationNotifier, Logger } from '@partner-team/core';

/**
 * Delivers invitations the way a development or demo server can: the accept link is logged (it is
 * the delivery channel, so it is the one log line that carries a token) and, when an outbox
 * directory is configured, written as one JSON file per message (mode 0600). The token travels in
 * the URL fragment, which browsers never send to a server, so it cannot leak into access logs.
 */
export class LoggingInvitationNotifier implements InvitationNotifier {
  /** Nothing is sent: the link waits in the log or the outbox for someone to pass it on. */
  readonly outcome = 'queued' as const;

  /** `logLinks`: write the accept link to the log (development only; production uses the outbox). */
  constructor(
    private readonly logger: Logger,
    private readonly publicBaseUrl: string,
    private readonly outboxDir: string | undefined,
    private readonly logLinks = true,
  ) {}

  acceptUrl(token: string): string {
    return `${this.publicBaseUrl}/#accept=${encodeURIComponent(token)}`;
  }

  async deliver(message: InvitationMessage): Promise<void> {
    const acceptUrl = this.acceptUrl(message.token);
    if (this.logLinks) this.logger.info('invitation link', { invitationId: message.invitationId, to: message.email, acceptUrl });
    else this.logger.info('invitation queued for delivery', { invitationId: message.invitationId });
    if (this.outboxDir === undefined) return;
    await mkdir(this.outboxDir, { recursive: true, mode: 0o700 });
    const file = join(this.outboxDir, `${Date.now()}-${message.invitationId}.json`);
    const mail = {
      to: message.email,
      subject: `You are invited to join ${message.organisationName} on the partner portal`,
      text: `You have been invited as ${message.role}. Accept before ${message.expiresAt.toISOString()}: ${acceptUrl}`,
      acceptUrl,
      invitationId: message.invitationId,
      organisationId: message.organisationId,
      role: message.role,
      expiresAt: message.expiresAt.toISOString(),
    };
    await writeFile(file, `${JSON.stringify(mail, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  }
}
