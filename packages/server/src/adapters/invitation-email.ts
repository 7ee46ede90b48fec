import type { InvitationMessage } from '@partner-team/core';
import { cleanDisplayText } from '../sign-in/signed-in-user.js';

/** An invitation as an email: subject, plain text and HTML. */
export interface InvitationEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const roleNames = { partner_admin: 'partner admin', partner_user: 'partner user' } as const;

/**
 * The email that carries an invitation's accept link. Every user-supplied string (the
 * organisation's and the inviter's names) is cleaned of control characters (CR/LF can never reach
 * a header) and bidirectional overrides, and escaped in the HTML part, where it is also isolated
 * (`<bdi>`) so that right-to-left text cannot reorder the sentence around it.
 */
export function invitationEmail(message: InvitationMessage, acceptUrl: string): InvitationEmail {
  const organisation = cleanDisplayText(message.organisationName, 200) ?? 'a partner organisation';
  const inviter = cleanDisplayText(message.inviterName, 200);
  const role = roleNames[message.role];
  const expires = message.expiresAt.toISOString().replace('T', ' ').replace(/:\d\d\.\d{3}Z$/, ' UTC');
  const who = inviter ?? 'An administrator';
  const subject = `${who} invited you to ${organisation} on the partner portal`;
  const text = [
    `${who} invited you to join ${organisation} as a ${role} on the partner portal.`,
    '',
    'Accept the invitation:',
    acceptUrl,
    '',
    `The link works once and expires on ${expires}. Sign in with this email address (${message.email}) to accept it.`,
    'If you did not expect this invitation, ignore this email.',
    '',
  ].join('\r\n');
  const b = (value: string) => `<strong><bdi>${escapeHtml(value)}</bdi></strong>`;
  const html = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Invitation</title></head><body>',
    `<p>${inviter === undefined ? 'An administrator' : b(inviter)} invited you to join ${b(organisation)} as a ${escapeHtml(role)} on the partner portal.</p>`,
    `<p><a href="${escapeHtml(acceptUrl)}">Accept the invitation</a></p>`,
    `<p>Or open this address: <span>${escapeHtml(acceptUrl)}</span></p>`,
    `<p>The link works once and expires on ${escapeHtml(expires)}. Sign in with this email address (<bdi>${escapeHtml(message.email)}</bdi>) to accept it.</p>`,
    '<p>If you did not expect this invitation, ignore this email.</p>',
    '</body></html>',
  ].join('\r\n');
  return { subject, text, html };
}
