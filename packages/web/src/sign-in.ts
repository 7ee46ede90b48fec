import { api, ApiProblem, pendingInvitation } from './api.js';
import { h, replaceChildren } from './dom.js';
import { roleLabel, statusLabel } from './format.js';
import { messageFor } from './messages.js';
import { Notice } from './notice.js';
import type { DemoUser } from './types.js';

export interface SignInOptions {
  /** Why the user sees this (e.g. their session ended), shown above the picker. */
  readonly reason: string | undefined;
  readonly invitationWaiting: boolean;
  /** The invitation token of the link that opened the page, kept across a sign-in through the provider. */
  readonly invitationToken: string | undefined;
  readonly onSignedIn: () => void;
}

/** The sign-in button of the portal's identity provider, or null when the server has none. */
async function providerSignIn(options: SignInOptions): Promise<HTMLElement | null> {
  let provider;
  try {
    provider = await api.signInProvider();
  } catch (error: unknown) {
    if (error instanceof ApiProblem) return null;
    throw error;
  }
  const link = h('a', { class: 'button button-primary', id: 'provider-sign-in', href: `${provider.loginUrl}?returnTo=${encodeURIComponent('/')}` }, `Sign in with ${provider.name}`);
  link.addEventListener('click', () => {
    if (options.invitationToken !== undefined) pendingInvitation.keep(options.invitationToken);
  });
  return h(
    'div',
    { class: 'stack' },
    h('p', {}, 'Sign in through the portal to manage your partner team.'),
    options.invitationWaiting && h('p', { class: 'callout' }, 'Sign in as the person the invitation was sent to; you can accept it when you are back.'),
    h('p', {}, link),
  );
}

/** The demo sign-in picker, or, where the server has no demo sign-in (production), a pointer to the portal. */
export async function renderSignIn(container: HTMLElement, options: SignInOptions): Promise<void> {
  const notice = new Notice();
  const heading = h('h2', { id: 'sign-in-heading', tabindex: -1 }, 'Sign in');
  const body = h('div', { class: 'stack' }, h('p', { class: 'loading' }, 'Loading…'));
  const section = h('section', { class: 'card', id: 'sign-in', 'aria-labelledby': 'sign-in-heading' }, heading, notice.element, body);
  replaceChildren(container, section);
  if (options.reason !== undefined) notice.show(options.reason, 'info');
  const provider = await providerSignIn(options);
  let users: readonly DemoUser[];
  try {
    users = (await api.demoUsers()).items;
  } catch (error: unknown) {
    if (!(error instanceof ApiProblem)) throw error;
    if (provider !== null) {
      replaceChildren(body, provider);
    } else if (error.status === 404) {
      replaceChildren(
        body,
        h('p', {}, 'Sign in through the portal to manage your partner team.'),
        options.invitationWaiting && h('p', {}, 'Then open the invitation link from your email again to accept it.'),
      );
    } else {
      replaceChildren(body, h('p', { class: 'inline-error' }, messageFor(error)));
    }
    return;
  }
  replaceChildren(
    body,
    provider,
    h('p', { class: 'section-hint' }, 'This server runs in demo mode: choose a person to see the page as they would. A real portal signs people in itself.'),
    options.invitationWaiting && h('p', { class: 'callout' }, 'Sign in as the person the invitation was sent to, then accept it.'),
    ...groups(users).map((group) => groupSection(group, notice, options.onSignedIn)),
  );
}

interface Group {
  readonly key: string;
  readonly title: string;
  readonly status: string;
  readonly users: DemoUser[];
}

function groups(users: readonly DemoUser[]): Group[] {
  const byKey = new Map<string, Group>();
  for (const user of users) {
    const org = user.organisation;
    const key = org?.id ?? '';
    let group = byKey.get(key);
    if (group === undefined) {
      const status = org === null ? 'No membership' : !org.bootstrapped ? 'Setup pending' : statusLabel(org.status);
      group = { key, title: org?.name ?? 'Not in a partner organisation', status, users: [] };
      byKey.set(key, group);
    }
    group.users.push(user);
  }
  // People without an organisation last: they see the "unable to load" state.
  return [...byKey.values()].sort((a, b) => Number(a.key === '') - Number(b.key === ''));
}

function groupSection(group: Group, notice: Notice, onSignedIn: () => void): HTMLElement {
  const headingId = `sign-in-group-${group.key === '' ? 'none' : group.key}`;
  return h(
    'section',
    { class: 'user-group', 'aria-labelledby': headingId },
    h('h3', { id: headingId }, group.title, ' ', h('span', { class: `badge badge-status badge-status-${group.status.toLowerCase().replace(/\s+/g, '-')}` }, group.status)),
    h('ul', { class: 'user-grid' }, ...group.users.map((user) => h('li', {}, userButton(user, notice, onSignedIn)))),
  );
}

function userButton(user: DemoUser, notice: Notice, onSignedIn: () => void): HTMLButtonElement {
  const button = h(
    'button',
    { type: 'button', class: 'user-card' },
    h('span', { class: 'user-card-name' }, user.name),
    h('span', { class: 'user-card-meta' }, user.role === null ? 'No role' : roleLabel(user.role)),
    h('span', { class: 'user-card-email' }, user.email),
  );
  button.addEventListener('click', () => {
    button.setAttribute('aria-busy', 'true');
    api.demoSignIn(user.userId).then(onSignedIn, (error: unknown) => {
      button.removeAttribute('aria-busy');
      notice.show(error instanceof ApiProblem ? messageFor(error) : 'Sign-in failed.', 'error');
    });
  });
  return button;
}
