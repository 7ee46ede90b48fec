import { api, ApiProblem } from './api.js';
import type { ProblemHandler } from './app-context.js';
import { openMemberClients } from './clients.js';
import { confirmAction } from './dialogs.js';
import { h, hiddenText, preservingFocus, replaceChildren } from './dom.js';
import { formatDateTime, roleLabel } from './format.js';
import { blockedSentence, messageFor } from './messages.js';
import { Notice } from './notice.js';
import type { Me, Member, MemberPage, MemberSort, Role, SortOrder } from './types.js';

export const pageSize = 25;
const searchDelayMs = 300;

export interface MembersTableOptions {
  readonly me: Me;
  /** The viewer is a partner_admin of a suspended or archived organisation: show management controls, refuse their use. */
  readonly blocked: boolean;
  readonly onProblem: ProblemHandler;
  /** Told about every member loaded, so other sections can show names instead of ids. */
  readonly onMembersLoaded: (members: readonly Member[]) => void;
}

interface Column {
  readonly label: string;
  readonly sort?: MemberSort;
  readonly className?: string;
}

/** The roster: search, sortable columns, cursor pagination and the per-member actions the viewer may use. */
export class MembersTable {
  readonly element: HTMLElement;
  private readonly notice = new Notice();
  private readonly heading = h('h2', { id: 'members-heading', tabindex: -1 }, 'Members');
  private readonly search = h('input', {
    id: 'member-search',
    type: 'search',
    maxlength: 100,
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': 'member-search-hint',
  });
  private readonly table: HTMLTableElement;
  private readonly tbody = h('tbody');
  private readonly range = h('p', { class: 'range', 'aria-live': 'polite', 'aria-atomic': 'true' });
  private readonly previousButton = h('button', { type: 'button', class: 'button', disabled: true }, 'Previous page');
  private readonly nextButton = h('button', { type: 'button', class: 'button', disabled: true }, 'Next page');
  private readonly sortHeaders = new Map<MemberSort, HTMLTableCellElement>();
  private readonly columns: readonly Column[];

  private sort: MemberSort = 'name';
  private order: SortOrder = 'asc';
  private term = '';
  /** The cursor of every page up to the current one (null for the first): "previous" pops. */
  private cursors: (string | null)[] = [null];
  private page: MemberPage | undefined;
  private loads = 0;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  private busy = false;

  private readonly showActivity: boolean;
  private readonly canViewClients: boolean;
  private readonly canChangeRole: boolean;
  private readonly canRemove: boolean;

  constructor(private readonly options: MembersTableOptions) {
    const granted = new Set(options.me.permissions);
    this.showActivity = granted.has('members.view_activity');
    this.canViewClients = granted.has('clients.view_any');
    this.canChangeRole = granted.has('members.change_role') || options.blocked;
    this.canRemove = granted.has('members.remove') || options.blocked;
    this.columns = [
      { label: 'Name', sort: 'name' },
      { label: 'Email', sort: 'email' },
      { label: 'Role', sort: 'role' },
      ...(this.showActivity ? [{ label: 'MFA' }, { label: 'Last active', sort: 'lastActiveAt' } satisfies Column] : []),
      ...(this.hasActions ? [{ label: 'Actions', className: 'actions-column' }] : []),
    ];
    this.table = h(
      'table',
      { class: 'members-table', id: 'members-table' },
      h('caption', { class: 'visually-hidden' }, `Members of ${options.me.organisation.name}. Buttons in column headers sort the list.`),
      h('thead', {}, h('tr', {}, ...this.columns.map((c) => this.headerCell(c)))),
      this.tbody,
    );
    this.element = h(
      'section',
      { class: 'card', 'aria-labelledby': 'members-heading' },
      h('div', { class: 'section-head' }, this.heading),
      h(
        'div',
        { class: 'toolbar' },
        h(
          'div',
          { class: 'field' },
          h('label', { for: 'member-search' }, 'Search members'),
          this.search,
          h('p', { id: 'member-search-hint', class: 'field-hint' }, 'Matches names and email addresses.'),
        ),
      ),
      this.notice.element,
      h('div', { class: 'table-wrap' }, this.table),
      h('nav', { class: 'pager', 'aria-label': 'Member list pages' }, this.range, h('div', { class: 'pager-buttons' }, this.previousButton, this.nextButton)),
    );
    this.wireEvents();
    this.updateSortHeaders();
  }

  private get hasActions(): boolean {
    return this.canViewClients || this.canChangeRole || this.canRemove;
  }

  private headerCell(column: Column): HTMLTableCellElement {
    const th = h('th', { scope: 'col', class: column.className });
    if (column.sort === undefined) {
      th.textContent = column.label;
      return th;
    }
    const sort = column.sort;
    const button = h('button', { type: 'button', class: 'sort-button', 'data-focus-key': `sort-${sort}` }, column.label);
    button.addEventListener('click', () => {
      this.changeSort(sort);
    });
    th.append(button);
    this.sortHeaders.set(sort, th);
    return th;
  }

  private wireEvents(): void {
    this.search.addEventListener('input', () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => {
        this.applySearch();
      }, searchDelayMs);
    });
    this.search.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        clearTimeout(this.searchTimer);
        this.applySearch();
      }
    });
    this.previousButton.addEventListener('click', () => {
      if (this.cursors.length > 1) {
        this.cursors.pop();
        void this.reload();
      }
    });
    this.nextButton.addEventListener('click', () => {
      const next = this.page?.nextCursor ?? null;
      if (next !== null) {
        this.cursors.push(next);
        void this.reload();
      }
    });
  }

  private applySearch(): void {
    const term = this.search.value.trim();
    if (term === this.term) return;
    this.term = term;
    this.cursors = [null];
    void this.reload();
  }

  private changeSort(sort: MemberSort): void {
    if (this.sort === sort) this.order = this.order === 'asc' ? 'desc' : 'asc';
    else {
      this.sort = sort;
      // Most recent activity first is what people look for.
      this.order = sort === 'lastActiveAt' ? 'desc' : 'asc';
    }
    this.cursors = [null];
    this.updateSortHeaders();
    void this.reload();
  }

  private updateSortHeaders(): void {
    for (const [sort, th] of this.sortHeaders) {
      if (sort === this.sort) th.setAttribute('aria-sort', this.order === 'asc' ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    }
  }

  /** Fetches the current page again (after a change, or to show the first page). */
  async reload(): Promise<void> {
    this.loads += 1;
    const load = this.loads;
    this.table.setAttribute('aria-busy', 'true');
    try {
      const cursor = this.cursors[this.cursors.length - 1] ?? null;
      const page = await api.members({ q: this.term, sort: this.sort, order: this.order, limit: pageSize, cursor });
      if (load !== this.loads) return;
      if (page.items.length === 0 && this.cursors.length > 1) {
        // The last member of this page went away: show the page before it.
        this.cursors.pop();
        await this.reload();
        return;
      }
      this.page = page;
      this.options.onMembersLoaded(page.items);
      this.render();
    } catch (error: unknown) {
      if (load !== this.loads) return;
      this.fail(error, false);
      if (this.page === undefined) this.renderMessageRow('The member list could not be loaded.');
    } finally {
      if (load === this.loads) this.table.removeAttribute('aria-busy');
    }
  }

  private render(): void {
    const page = this.page;
    if (page === undefined) return;
    preservingFocus(
      this.element,
      () => {
        if (page.items.length === 0) {
          this.renderMessageRow(this.term === '' ? 'There are no members to show.' : `No members match “${this.term}”.`);
        } else {
          replaceChildren(this.tbody, ...page.items.map((m) => this.row(m)));
        }
      },
      () => this.heading,
    );
    const first = (this.cursors.length - 1) * pageSize + 1;
    const last = first + page.items.length - 1;
    this.range.textContent = page.items.length === 0 ? 'No members to show' : `Showing ${first}–${last} of ${page.total}`;
    const focusWasOnPager = document.activeElement === this.previousButton || document.activeElement === this.nextButton;
    this.previousButton.disabled = this.cursors.length <= 1;
    this.nextButton.disabled = page.nextCursor === null;
    if (focusWasOnPager && document.activeElement instanceof HTMLButtonElement && document.activeElement.disabled) {
      (this.previousButton.disabled ? this.nextButton : this.previousButton).focus();
    }
  }

  private renderMessageRow(text: string): void {
    replaceChildren(this.tbody, h('tr', {}, h('td', { colspan: this.columns.length, class: 'empty' }, text)));
  }

  private row(member: Member): HTMLTableRowElement {
    const isSelf = member.userId === this.options.me.user.id;
    const cells: HTMLTableCellElement[] = [
      h('th', { scope: 'row', 'data-label': 'Name' }, h('span', { class: 'member-name' }, member.name), isSelf && h('span', { class: 'badge badge-self' }, 'You')),
      h('td', { 'data-label': 'Email', class: 'email' }, member.email),
      h('td', { 'data-label': 'Role' }, h('span', { class: `badge badge-role-${member.role}` }, roleLabel(member.role))),
    ];
    if (this.showActivity) {
      cells.push(
        h('td', { 'data-label': 'MFA' }, member.mfaEnabled === true ? h('span', { class: 'badge badge-ok' }, 'On') : h('span', { class: 'badge badge-warn' }, 'Off')),
        h('td', { 'data-label': 'Last active' }, lastActive(member.lastActiveAt ?? null)),
      );
    }
    if (this.hasActions) cells.push(h('td', { 'data-label': 'Actions', class: 'actions' }, this.actions(member, isSelf)));
    return h('tr', { 'data-user-id': member.userId }, ...cells);
  }

  private actions(member: Member, isSelf: boolean): HTMLElement {
    const group = h('div', { class: 'action-group' });
    if (this.canViewClients) {
      const button = h('button', { type: 'button', class: 'button button-small', 'data-focus-key': `clients-${member.userId}` }, 'Clients', hiddenText(` of ${member.name}`));
      button.addEventListener('click', () => {
        openMemberClients(member, this.options.onProblem);
      });
      group.append(button);
    }
    // The server refuses self role changes and self removal; the page never offers them.
    if (isSelf) return group;
    if (this.canChangeRole) {
      const promote = member.role === 'partner_user';
      const button = this.managementButton(`role-${member.userId}`, promote ? 'Make admin' : 'Make user', ` (${member.name})`, false);
      button.addEventListener('click', () => {
        void this.changeRole(member, promote ? 'partner_admin' : 'partner_user');
      });
      group.append(button);
    }
    if (this.canRemove) {
      const button = this.managementButton(`remove-${member.userId}`, 'Remove', ` ${member.name}`, true);
      button.addEventListener('click', () => {
        void this.remove(member);
      });
      group.append(button);
    }
    return group;
  }

  private managementButton(focusKey: string, label: string, hidden: string, danger: boolean): HTMLButtonElement {
    // Blocked controls stay focusable (aria-disabled rather than disabled) so that keyboard users
    // can reach them and learn why they do nothing.
    return h(
      'button',
      {
        type: 'button',
        class: `button button-small${danger ? ' button-danger-quiet' : ''}`,
        'data-focus-key': focusKey,
        'aria-disabled': this.options.blocked ? 'true' : undefined,
        'aria-describedby': this.options.blocked ? 'organisation-banner-text' : undefined,
      },
      label,
      hiddenText(hidden),
    );
  }

  private refusedBecauseBlocked(): boolean {
    if (this.options.blocked) this.notice.show(blockedSentence, 'error');
    return this.options.blocked;
  }

  private async changeRole(member: Member, role: Role): Promise<void> {
    if (this.refusedBecauseBlocked() || this.busy) return;
    if (role === 'partner_user') {
      const confirmed = await confirmAction({
        title: `Make ${member.name} a partner user?`,
        body: [
          `${member.name} will no longer be able to invite people, change roles, revoke invitations or remove members.`,
          'You can make them a partner admin again later.',
        ],
        confirmLabel: 'Make partner user',
        danger: true,
      });
      if (!confirmed) return;
    }
    await this.mutate(() => api.changeRole(member.userId, role), `${member.name} is now a ${roleLabel(role).toLowerCase()}.`);
  }

  private async remove(member: Member): Promise<void> {
    if (this.refusedBecauseBlocked() || this.busy) return;
    const confirmed = await confirmAction({
      title: `Remove ${member.name} from ${this.options.me.organisation.name}?`,
      body: [
        `${member.name} (${member.email}) will lose access to the partner team and to the clients they support through it.`,
        'To bring them back later, invite them again.',
      ],
      confirmLabel: 'Remove member',
      danger: true,
    });
    if (!confirmed) return;
    await this.mutate(() => api.removeMember(member.userId), `${member.name} was removed from the team.`);
  }

  private async mutate(action: () => Promise<unknown>, success: string): Promise<void> {
    this.busy = true;
    this.notice.clear();
    try {
      await action();
      this.notice.show(success, 'success');
      await this.reload();
    } catch (error: unknown) {
      this.fail(error, true);
    } finally {
      this.busy = false;
    }
  }

  private fail(error: unknown, afterChange: boolean): void {
    if (!(error instanceof ApiProblem)) throw error;
    if (this.options.onProblem(error)) return;
    this.notice.show(messageFor(error), 'error');
    // The roster the user looked at was out of date: show them the current one.
    if (afterChange && (error.code === 'member_not_found' || error.code === 'concurrency_conflict')) void this.reload();
  }
}

function lastActive(iso: string | null): HTMLElement {
  if (iso === null) return h('span', { class: 'muted' }, h('span', { 'aria-hidden': 'true' }, '—'), hiddenText('Not recorded'));
  return h('time', { datetime: iso }, formatDateTime(iso));
}
