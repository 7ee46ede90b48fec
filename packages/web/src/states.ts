import { h } from './dom.js';
import { noSecretsAdvice, supportAdvice } from './messages.js';
import type { Me } from './types.js';

/** The banner for a suspended or archived organisation; null while it is active. */
export function organisationBanner(me: Me): HTMLElement | null {
  const { organisation } = me;
  if (organisation.status === 'active') return null;
  const what = organisation.status === 'suspended' ? 'suspended' : 'archived';
  const detail =
    me.role === 'partner_admin'
      ? 'Inviting people, changing roles, revoking invitations and removing members are blocked until AiDial support resolves the organisation status. You can still view the team and assigned clients.'
      : 'Team management is blocked until AiDial support resolves the organisation status. You can still view the team and your assigned clients.';
  return h(
    'section',
    { class: 'banner banner-warning', id: 'organisation-banner', 'aria-labelledby': 'organisation-banner-title' },
    h('h2', { class: 'banner-title', id: 'organisation-banner-title' }, `${organisation.name} is ${what}`),
    h('p', { id: 'organisation-banner-text' }, detail),
    h('p', { class: 'banner-small' }, `Contact AiDial support about the organisation status. ${noSecretsAdvice}`),
  );
}

export type UnableReason = { readonly kind: 'bootstrap_pending'; readonly organisationName: string } | { readonly kind: 'no_membership' };

/** The "unable to load" state: there is no team this user can see, and only AiDial support can change that. */
export function unableToLoad(reason: UnableReason): HTMLElement {
  const explanation =
    reason.kind === 'bootstrap_pending'
      ? `AiDial has not completed partner bootstrap for ${reason.organisationName} yet, so the team roster and assigned clients cannot be loaded.`
      : 'Your account is not a member of a partner organisation, so there is no partner team to show.';
  return h(
    'section',
    { class: 'card state state-unable', id: 'unable-to-load', 'aria-labelledby': 'unable-heading' },
    h('h2', { id: 'unable-heading', tabindex: -1 }, 'We could not load your partner team'),
    h('p', {}, explanation),
    h('p', { class: 'state-advice' }, supportAdvice),
    h('p', { class: 'banner-small' }, noSecretsAdvice),
  );
}

/** A failure to load the page at all (server down, unexpected answer), with a way to try again. */
export function loadFailed(message: string, retry: () => void): HTMLElement {
  const button = h('button', { type: 'button', class: 'button button-primary' }, 'Try again');
  button.addEventListener('click', retry);
  return h(
    'section',
    { class: 'card state', 'aria-labelledby': 'load-failed-heading' },
    h('h2', { id: 'load-failed-heading', tabindex: -1 }, 'The page could not be loaded'),
    h('p', {}, message),
    button,
  );
}

export function loading(text: string): HTMLElement {
  return h('p', { class: 'loading' }, text);
}
