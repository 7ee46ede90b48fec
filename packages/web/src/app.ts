import { acceptOffer } from './accept-invitation.js';
import { api, ApiProblem, pendingInvitation, rememberCsrfToken } from './api.js';
import type { ProblemHandler } from './app-context.js';
import { createMyClients } from './clients.js';
import { h, replaceChildren, type Child } from './dom.js';
import { roleLabel } from './format.js';
import { Invitations } from './invitations.js';
import { MembersTable } from './members-table.js';
import { blockedSentence, messageFor } from './messages.js';
import { Notice, type Tone } from './notice.js';
import { renderSignIn } from './sign-in.js';
import { loadFailed, loading, organisationBanner, unableToLoad, type UnableReason } from './states.js';
import type { AcceptedInvitation, Me } from './types.js';

function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`The page is missing #${id}`);
  return element;
}

const view = byId('view', HTMLDivElement);
const account = byId('account', HTMLDivElement);
const title = byId('page-title', HTMLHeadingElement);
const subtitle = byId('page-subtitle', HTMLParagraphElement);
const pageNotice = new Notice(byId('page-notice', HTMLDivElement));

/** An invitation token from an accept link, held only in memory once it is out of the address bar. */
let invitationToken: string | undefined;
let demoMode: Promise<boolean> | undefined;
let providerSignIn: Promise<boolean> | undefined;

function takeInvitationToken(): void {
  // Back from signing in at the identity provider with an invitation link opened before.
  invitationToken = pendingInvitation.take();
  const match = /^#accept=([A-Za-z0-9_%-]+)$/.exec(window.location.hash);
  if (match?.[1] === undefined) return;
  // Out of the address bar and history, so that it is not bookmarked, shared or reused by accident.
  window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}`);
  try {
    invitationToken = decodeURIComponent(match[1]);
  } catch {
    invitationToken = undefined;
  }
}

function isDemoMode(): Promise<boolean> {
  demoMode ??= api.demoUsers().then(
    () => true,
    () => false,
  );
  return demoMode;
}

function hasProviderSignIn(): Promise<boolean> {
  providerSignIn ??= api.signInProvider().then(
    () => true,
    () => false,
  );
  return providerSignIn;
}

interface Announcement {
  readonly text: string;
  readonly tone: Tone;
}

/** (Re)loads the page for whoever is signed in; `focus` moves keyboard focus to the page heading afterwards. */
async function start(announcement?: Announcement, focus = false): Promise<void> {
  if (announcement === undefined) pageNotice.clear();
  else pageNotice.show(announcement.text, announcement.tone);
  replaceChildren(view, loading('Loading your team…'));
  rememberCsrfToken(undefined);
  let me: Me;
  try {
    me = await api.me();
  } catch (error: unknown) {
    if (!(error instanceof ApiProblem)) throw error;
    if (error.code === 'unauthenticated') {
      showSignedOut(announcement?.text);
    } else if (error.code === 'not_a_partner_member') {
      rememberCsrfToken(error.csrfToken);
      renderAccount(undefined);
      showUnable({ kind: 'no_membership' });
    } else {
      renderAccount(undefined);
      replaceChildren(view, loadFailed(messageFor(error), () => void start(undefined, true)));
    }
    if (focus) title.focus();
    return;
  }
  rememberCsrfToken(me.csrfToken);
  renderAccount(me);
  if (me.organisation.bootstrapped) showTeam(me);
  else showUnable({ kind: 'bootstrap_pending', organisationName: me.organisation.name });
  if (focus) title.focus();
}

function showSignedOut(reason: string | undefined): void {
  pageNotice.clear();
  account.replaceChildren();
  subtitle.textContent = 'Sign in to see your partner team.';
  document.title = 'Sign in · Partner team';
  void renderSignIn(view, {
    reason,
    invitationWaiting: invitationToken !== undefined,
    invitationToken,
    onSignedIn: () => void start(undefined, true),
  });
}

function renderAccount(me: Me | undefined): void {
  const signOut = h('button', { type: 'button', class: 'button button-small button-on-dark', hidden: true }, 'Sign out');
  const failed = (error: unknown) => {
    pageNotice.show(error instanceof ApiProblem ? messageFor(error) : 'Sign-out failed.', 'error');
  };
  signOut.addEventListener('click', () => {
    void hasProviderSignIn().then((provider) => {
      if (provider) {
        // The server ends its session; the provider ends its own and sends the browser back here.
        api.signOut().then(({ location }) => {
          window.location.assign(location);
        }, failed);
      } else {
        api.demoSignOut().then(() => void start({ text: 'You are signed out.', tone: 'info' }, true), failed);
      }
    });
  });
  void Promise.all([isDemoMode(), hasProviderSignIn()]).then(([demo, provider]) => {
    signOut.hidden = !demo && !provider;
  });
  const who =
    me === undefined
      ? h('p', { class: 'account-name' }, 'Signed in')
      : h(
          'p',
          { class: 'account-name' },
          h('span', {}, me.user.name),
          h('span', { class: 'account-meta' }, `${roleLabel(me.role)} · ${me.organisation.name}`),
        );
  replaceChildren(account, who, signOut);
}

const onProblem: ProblemHandler = (problem) => {
  switch (problem.code) {
    case 'unauthenticated':
      void start({ text: messageFor(problem), tone: 'info' }, true);
      return true;
    case 'not_a_partner_member':
    case 'partner_bootstrap_incomplete':
      void start(undefined, true);
      return true;
    case 'organisation_not_active':
      // Its status changed since the page loaded: reload so the banner and blocked controls appear.
      void start({ text: blockedSentence, tone: 'error' }, true);
      return true;
    default:
      return false;
  }
};

function invitationOffer(): HTMLElement | null {
  const token = invitationToken;
  if (token === undefined) return null;
  return acceptOffer({
    token,
    onProblem,
    onFinished: () => {
      invitationToken = undefined;
      title.focus();
    },
    onAccepted: (accepted: AcceptedInvitation) => {
      void start({ text: `You joined ${accepted.organisation.name} as a ${roleLabel(accepted.role).toLowerCase()}.`, tone: 'success' }, true);
    },
  });
}

function showUnable(reason: UnableReason): void {
  subtitle.textContent = '';
  document.title = 'Partner team';
  replaceChildren(view, invitationOffer(), unableToLoad(reason));
}

function showTeam(me: Me): void {
  const granted = new Set(me.permissions);
  const blocked = me.role === 'partner_admin' && me.organisation.status !== 'active';
  const names = new Map<string, string>([[me.user.id, me.user.name]]);
  const members = new MembersTable({
    me,
    blocked,
    onProblem,
    onMembersLoaded: (items) => {
      for (const m of items) names.set(m.userId, m.name);
    },
  });
  const invitations = new Invitations({ me, blocked, onProblem, nameOf: (id) => names.get(id) });
  subtitle.textContent =
    me.role !== 'partner_admin'
      ? `${me.organisation.name}: your partner team and the clients you support. This view is read-only.`
      : blocked
        ? `${me.organisation.name}: your partner team and the clients each member supports.`
        : `${me.organisation.name}: manage who is on your partner team and see which clients each member supports.`;
  document.title = `Partner team · ${me.organisation.name}`;
  const myClients = granted.has('clients.view_own') ? createMyClients(me.user.id, onProblem) : null;
  // Read-only members mostly come for their own clients; admins mostly for the roster.
  const ownClientsFirst = !granted.has('clients.view_any');
  const sections: Child[] = [
    organisationBanner(me),
    invitationOffer(),
    ownClientsFirst && myClients,
    granted.has('members.view') && members.element,
    invitations.inviteSection,
    invitations.pendingSection,
    !ownClientsFirst && myClients,
  ];
  replaceChildren(view, ...sections);
  void members.reload().then(() => invitations.reload());
}

takeInvitationToken();
window.addEventListener('hashchange', () => {
  const before = invitationToken;
  takeInvitationToken();
  if (invitationToken !== before) void start(undefined, true);
});
void start();
