import { api, ApiProblem } from './api.js';
import type { ProblemHandler } from './app-context.js';
import { h, hiddenText, preservingFocus, replaceChildren } from './dom.js';
import { formatDate, formatDateTime, roleLabel } from './format.js';
import { blockedSentence, messageFor, validEmailSentence } from './messages.js';
import { Notice } from './notice.js';
import type { Invitation, Me, Role } from './types.js';

export interface InvitationsOptions {
  readonly me: Me;
  readonly blocked: boolean;
  readonly onProblem: ProblemHandler;
  /** A member's name when the page knows it (for "Invited by"). */
  readonly nameOf: (userId: string) => string | undefined;
}

/** The invite form (or why there is none) and the pending invitations list, as the viewer's permissions allow. */
export class Invitations {
  /** Null when the viewer may not invite and there is nothing to explain (partner_users). */
  readonly inviteSection: HTMLElement | null;
  /** Null without `invitations.view`. */
  readonly pendingSection: HTMLElement | null;
  private readonly pendingNotice = new Notice();
  private readonly pendingBody = h('div', { class: 'pending-body' }, h('p', { class: 'loading' }, 'Loading invitations…'));
  private readonly pendingHeading = h('h2', { id: 'pending-heading', tabindex: -1 }, 'Pending invitations');
  private readonly canRevoke: boolean;
  /** Resending sends a new link, so it needs what inviting needs. */
  private readonly canResend: boolean;
  private busy = false;

  constructor(private readonly options: InvitationsOptions) {
    const granted = new Set(options.me.permissions);
    this.canRevoke = granted.has('invitations.revoke') || options.blocked;
    this.canResend = granted.has('invitations.create') || options.blocked;
    this.inviteSection = this.createInviteSection(granted.has('invitations.create'));
    this.pendingSection = granted.has('invitations.view')
      ? h(
          'section',
          { class: 'card', 'aria-labelledby': 'pending-heading' },
          h('div', { class: 'section-head' }, this.pendingHeading),
          this.pendingNotice.element,
          this.pendingBody,
        )
      : null;
  }

  private createInviteSection(canCreate: boolean): HTMLElement | null {
    const { me, blocked } = this.options;
    const section = (...content: Node[]) =>
      h('section', { class: 'card', 'aria-labelledby': 'invite-heading' }, h('h2', { id: 'invite-heading' }, 'Invite someone'), ...content);
    if (canCreate) return section(this.inviteForm());
    if (me.role !== 'partner_admin') return null;
    if (blocked) return section(h('p', { class: 'section-hint' }, blockedSentence));
    if (!me.organisation.invitationsEnabled) {
      return section(h('p', { class: 'section-hint' }, 'Invitations are turned off for your organisation. Contact AiDial support if you need them.'));
    }
    return null;
  }

  private inviteForm(): HTMLFormElement {
    const notice = new Notice();
    const error = h('p', { id: 'invite-email-error', class: 'field-error', hidden: true });
    const email = h('input', { id: 'invite-email', name: 'email', type: 'email', required: true, maxlength: 254, autocomplete: 'off', 'aria-describedby': 'invite-email-hint' });
    const role = h(
      'select',
      { id: 'invite-role', name: 'role' },
      h('option', { value: 'partner_user', selected: true }, roleLabel('partner_user')),
      h('option', { value: 'partner_admin' }, roleLabel('partner_admin')),
    );
    const submit = h('button', { type: 'submit', class: 'button button-primary' }, 'Send invitation');
    const form = h(
      'form',
      { class: 'invite-form', novalidate: true, 'aria-labelledby': 'invite-heading' },
      h(
        'div',
        { class: 'field field-grow' },
        h('label', { for: 'invite-email' }, 'Email address'),
        email,
        h('p', { id: 'invite-email-hint', class: 'field-hint' }, 'They get a link to accept; it expires after 7 days.'),
        error,
      ),
      h('div', { class: 'field' }, h('label', { for: 'invite-role' }, 'Role'), role),
      h('div', { class: 'field field-submit' }, submit),
      notice.element,
    );
    const showFieldError = (text: string | null) => {
      error.hidden = text === null;
      error.textContent = text ?? '';
      if (text === null) {
        email.removeAttribute('aria-invalid');
        email.setAttribute('aria-describedby', 'invite-email-hint');
      } else {
        email.setAttribute('aria-invalid', 'true');
        email.setAttribute('aria-describedby', 'invite-email-hint invite-email-error');
      }
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (this.busy) return;
      notice.clear();
      const address = email.value.trim();
      if (address === '' || !email.checkValidity()) {
        showFieldError(address === '' ? 'Enter the email address of the person to invite.' : validEmailSentence);
        email.focus();
        return;
      }
      showFieldError(null);
      void this.invite(address, role.value === 'partner_admin' ? 'partner_admin' : 'partner_user', notice, () => {
        form.reset();
      });
    });
    return form;
  }

  private async invite(email: string, role: Role, notice: Notice, done: () => void): Promise<void> {
    this.busy = true;
    try {
      const invitation = await api.invite(email, role);
      done();
      const as = `as ${roleLabel(invitation.role).toLowerCase()}`;
      if (invitation.delivery === 'failed') {
        notice.show(`The invitation for ${invitation.email} ${as} was created, but its email could not be sent. Use Resend in the pending invitations below to try again.`, 'error');
      } else if (invitation.delivery === 'queued') {
        notice.show(`Invitation created for ${invitation.email} ${as}; its link is queued for delivery. It expires on ${formatDate(invitation.expiresAt)}.`, 'success');
      } else {
        notice.show(`Invitation sent to ${invitation.email} ${as}. It expires on ${formatDate(invitation.expiresAt)}.`, 'success');
      }
      await this.reload();
    } catch (error: unknown) {
      if (!(error instanceof ApiProblem)) throw error;
      if (!this.options.onProblem(error)) notice.show(messageFor(error), 'error');
    } finally {
      this.busy = false;
    }
  }

  /** Fetches the pending invitations again. */
  async reload(): Promise<void> {
    if (this.pendingSection === null) return;
    this.pendingBody.setAttribute('aria-busy', 'true');
    try {
      const { items } = await api.invitations();
      preservingFocus(this.pendingSection, () => {
        replaceChildren(this.pendingBody, items.length === 0 ? h('p', { class: 'empty' }, 'There are no pending invitations.') : this.table(items));
      }, () => this.pendingHeading);
    } catch (error: unknown) {
      if (!(error instanceof ApiProblem)) throw error;
      if (!this.options.onProblem(error)) this.pendingNotice.show(messageFor(error), 'error');
    } finally {
      this.pendingBody.removeAttribute('aria-busy');
    }
  }

  private table(items: readonly Invitation[]): HTMLElement {
    const header = ['Email', 'Role', 'Invited by', 'Sent', 'Expires', ...(this.canRevoke || this.canResend ? ['Actions'] : [])];
    return h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'invitations-table', id: 'invitations-table' },
        h('caption', { class: 'visually-hidden' }, 'Invitations that have not been accepted yet'),
        h('thead', {}, h('tr', {}, ...header.map((label) => h('th', { scope: 'col', class: label === 'Actions' ? 'actions-column' : undefined }, label)))),
        h('tbody', {}, ...items.map((i) => this.row(i))),
      ),
    );
  }

  private row(invitation: Invitation): HTMLTableRowElement {
    const inviter = invitation.invitedBy === this.options.me.user.id ? 'You' : (this.options.nameOf(invitation.invitedBy) ?? invitation.invitedBy);
    const cells = [
      h('th', { scope: 'row', 'data-label': 'Email', class: 'email' }, invitation.email),
      h('td', { 'data-label': 'Role' }, h('span', { class: `badge badge-role-${invitation.role}` }, roleLabel(invitation.role))),
      h('td', { 'data-label': 'Invited by' }, inviter),
      h('td', { 'data-label': 'Sent' }, h('time', { datetime: invitation.createdAt }, formatDateTime(invitation.createdAt))),
      h('td', { 'data-label': 'Expires' }, h('time', { datetime: invitation.expiresAt }, formatDate(invitation.expiresAt))),
    ];
    const actions: HTMLButtonElement[] = [];
    const action = (label: 'Resend' | 'Revoke', style: string | undefined, run: () => Promise<void>) => {
      const button = h(
        'button',
        {
          type: 'button',
          class: style === undefined ? 'button button-small' : `button button-small ${style}`,
          'data-focus-key': `${label.toLowerCase()}-${invitation.id}`,
          'aria-disabled': this.options.blocked ? 'true' : undefined,
          'aria-describedby': this.options.blocked ? 'organisation-banner-text' : undefined,
        },
        label,
        hiddenText(` invitation for ${invitation.email}`),
      );
      button.addEventListener('click', () => {
        void run();
      });
      actions.push(button);
    };
    if (this.canResend) action('Resend', undefined, () => this.resend(invitation));
    if (this.canRevoke) action('Revoke', 'button-danger-quiet', () => this.revoke(invitation));
    if (actions.length > 0) cells.push(h('td', { 'data-label': 'Actions', class: 'actions' }, h('div', { class: 'action-group' }, ...actions)));
    return h('tr', { 'data-invitation-id': invitation.id }, ...cells);
  }

  private async resend(invitation: Invitation): Promise<void> {
    if (this.options.blocked) {
      this.pendingNotice.show(blockedSentence, 'error');
      return;
    }
    if (this.busy) return;
    this.busy = true;
    this.pendingNotice.clear();
    try {
      const resent = await api.resendInvitation(invitation.id);
      if (resent.delivery === 'failed') {
        this.pendingNotice.show(`A new link was made for ${resent.email} (the previous one no longer works), but its email could not be sent. Try Resend again later.`, 'error');
      } else {
        this.pendingNotice.show(
          `A new link was ${resent.delivery === 'queued' ? 'queued for' : 'sent to'} ${resent.email}; the previous link no longer works. It expires on ${formatDate(resent.expiresAt)}.`,
          'success',
        );
      }
    } catch (error: unknown) {
      if (!(error instanceof ApiProblem)) throw error;
      if (this.options.onProblem(error)) return;
      this.pendingNotice.show(
        error.code === 'invitation_expired' ? `The invitation for ${invitation.email} has expired. Invite them again to send a new link.` : messageFor(error),
        'error',
      );
    } finally {
      this.busy = false;
    }
    await this.reload();
  }

  private async revoke(invitation: Invitation): Promise<void> {
    if (this.options.blocked) {
      this.pendingNotice.show(blockedSentence, 'error');
      return;
    }
    if (this.busy) return;
    this.busy = true;
    this.pendingNotice.clear();
    try {
      await api.revokeInvitation(invitation.id);
      this.pendingNotice.show(`The invitation for ${invitation.email} was revoked.`, 'success');
    } catch (error: unknown) {
      if (!(error instanceof ApiProblem)) throw error;
      if (this.options.onProblem(error)) return;
      this.pendingNotice.show(messageFor(error), 'error');
    } finally {
      this.busy = false;
    }
    await this.reload();
  }
}
