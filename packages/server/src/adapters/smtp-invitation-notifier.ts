import { normaliseEmail, type InvitationMessage, type InvitationNotifier, type Logger } from '@partner-team/core';
import nodemailer, { type Transporter } from 'nodemailer';
import type { SmtpConfig } from '../config.js';
import { invitationEmail } from './invitation-email.js';

/** The recipient address was refused before anything was sent. */
export class InvalidRecipientError extends Error {
  readonly code = 'EINVALIDRECIPIENT';
  constructor() {
    super('The invitation address is not a deliverable email address');
    this.name = 'InvalidRecipientError';
  }
}

/**
 * Delivers invitations by email through an SMTP server (nodemailer): a plain-text and an HTML part
 * naming the organisation and the inviter, with the accept link (the token travels in the URL
 * fragment). The recipient is checked with core's one email rule first: nodemailer encodes display
 * names but not addresses, and a CR/LF in an address would change the recipients. Resolves when the
 * server accepted the message (`sent`); rejects otherwise (the use case answers `failed`, and the
 * admin can resend).
 */
export class SmtpInvitationNotifier implements InvitationNotifier {
  readonly outcome = 'sent' as const;
  private readonly transport: Transporter;
  private readonly from: { readonly name: string; readonly address: string };

  constructor(
    config: SmtpConfig,
    private readonly publicBaseUrl: string,
    private readonly logger: Logger,
  ) {
    // One connection per message (no pool): a restarted mail server is simply reconnected to.
    this.transport = nodemailer.createTransport({
      url: config.url,
      connectionTimeout: config.timeoutMs,
      greetingTimeout: config.timeoutMs,
      socketTimeout: config.timeoutMs,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    this.from = { name: config.fromName.replace(/[\p{Cc}]/gu, ' '), address: normaliseEmail(config.from) };
  }

  acceptUrl(token: string): string {
    return `${this.publicBaseUrl}/#accept=${encodeURIComponent(token)}`;
  }

  async deliver(message: InvitationMessage): Promise<void> {
    let to: string;
    try {
      to = normaliseEmail(message.email);
    } catch {
      throw new InvalidRecipientError();
    }
    if (to !== message.email) throw new InvalidRecipientError();
    const email = invitationEmail(message, this.acceptUrl(message.token));
    const info = (await this.transport.sendMail({
      from: this.from,
      to: { name: '', address: to },
      subject: email.subject,
      text: email.text,
      html: email.html,
      disableFileAccess: true,
      disableUrlAccess: true,
    })) as { messageId?: unknown };
    this.logger.info('invitation email sent', { invitationId: message.invitationId, messageId: typeof info.messageId === 'string' ? info.messageId : undefined });
  }

  close(): void {
    this.transport.close();
  }
}
