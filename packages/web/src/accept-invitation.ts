import { api, ApiProblem } from './api.js';
import type { ProblemHandler } from './app-context.js';
import { h } from './dom.js';
import { messageFor } from './messages.js';
import { Notice } from './notice.js';
import type { AcceptedInvitation } from './types.js';

export interface AcceptOfferOptions {
  readonly token: string;
  readonly onProblem: ProblemHandler;
  readonly onAccepted: (accepted: AcceptedInvitation) => void;
  /** The offer is over (accepted, refused or dismissed): the token must not be offered again. */
  readonly onFinished: () => void;
}

/** Offers to accept the invitation whose link opened the page. Nothing happens until the user confirms. */
export function acceptOffer(options: AcceptOfferOptions): HTMLElement {
  const notice = new Notice();
  const accept = h('button', { type: 'button', class: 'button button-primary' }, 'Accept invitation');
  const dismiss = h('button', { type: 'button', class: 'button' }, 'Not now');
  const actions = h('div', { class: 'button-row' }, accept, dismiss);
  const section = h(
    'section',
    { class: 'card card-highlight', id: 'accept-invitation', 'aria-labelledby': 'accept-heading' },
    h('h2', { id: 'accept-heading', tabindex: -1 }, 'You have been invited to a partner team'),
    h('p', {}, 'Accept the invitation to join the partner organisation with the role you were invited for.'),
    notice.element,
    actions,
  );
  dismiss.addEventListener('click', () => {
    section.remove();
    options.onFinished();
  });
  accept.addEventListener('click', () => {
    accept.disabled = true;
    accept.setAttribute('aria-busy', 'true');
    api.acceptInvitation(options.token).then(
      (accepted) => {
        options.onFinished();
        options.onAccepted(accepted);
      },
      (error: unknown) => {
        if (!(error instanceof ApiProblem)) throw error;
        options.onFinished();
        if (options.onProblem(error)) return;
        accept.remove();
        dismiss.textContent = 'Close';
        dismiss.focus();
        notice.show(messageFor(error), 'error');
      },
    );
  });
  return section;
}
