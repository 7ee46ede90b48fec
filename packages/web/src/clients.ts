import { api, ApiProblem } from './api.js';
import { showInformation } from './dialogs.js';
import { h, replaceChildren } from './dom.js';
import { messageFor } from './messages.js';
import type { AssignedClient } from './types.js';
import type { ProblemHandler } from './app-context.js';

function clientList(clients: readonly AssignedClient[], emptyText: string): HTMLElement {
  if (clients.length === 0) return h('p', { class: 'empty' }, emptyText);
  return h('ul', { class: 'client-list' }, ...clients.map((c) => h('li', {}, c.name)));
}

async function fill(target: HTMLElement, userId: string, emptyText: string, onProblem: ProblemHandler): Promise<void> {
  target.setAttribute('aria-busy', 'true');
  try {
    const { items } = await api.clientsOf(userId);
    replaceChildren(target, clientList(items, emptyText));
  } catch (error: unknown) {
    if (!(error instanceof ApiProblem)) throw error;
    if (onProblem(error)) return;
    replaceChildren(target, h('p', { class: 'inline-error', role: 'alert' }, messageFor(error)));
  } finally {
    target.removeAttribute('aria-busy');
  }
}

/** Opens a dialog listing the clients `member` may support (partner_admins: any member of their organisation). */
export function openMemberClients(member: { readonly userId: string; readonly name: string }, onProblem: ProblemHandler): void {
  const content = h('div', { class: 'dialog-body', 'aria-live': 'polite' }, h('p', { class: 'loading' }, 'Loading clients…'));
  showInformation(`Clients of ${member.name}`, content);
  void fill(content, member.userId, `No clients are assigned to ${member.name}.`, onProblem);
}

/** The "My clients" panel: the clients the signed-in member may support. */
export function createMyClients(userId: string, onProblem: ProblemHandler): HTMLElement {
  const body = h('div', { 'aria-live': 'polite' }, h('p', { class: 'loading' }, 'Loading your clients…'));
  const section = h(
    'section',
    { class: 'card', 'aria-labelledby': 'my-clients-heading' },
    h('h2', { id: 'my-clients-heading' }, 'My clients'),
    h('p', { class: 'section-hint' }, 'The clients you are assigned to support.'),
    body,
  );
  void fill(body, userId, 'No clients are assigned to you.', onProblem);
  return section;
}
