import {
  managesTeam,
  type AssignedClient,
  type ClientAssignment,
  type Invitation,
  type LoggedAuditEvent,
  type MemberContext,
  type Membership,
  type OrganisationProfile,
  type OrganisationRecord,
  type RosterEntry,
  type RosterQuery,
} from '@partner-team/core';
import { RosterIndex, type RosterIndexPage } from '@partner-team/core/roster';
import {
  entryId,
  eventFromDoc,
  invitationFromDoc,
  invitationToDoc,
  memberFromDoc,
  memberToDoc,
  userKey,
  type AuditEventDoc,
  type EntryDoc,
  type ProfileDoc,
  type SnapshotDoc,
} from './documents.js';

/** How many of the latest audit events a view keeps (the largest audit page). */
export const recentEventsKept = 100;

const copyDate = (d: Date): Date => new Date(d.getTime());
/** The user id of a user key (the inverse of `userKey`; identifiers never contain "%"). */
const userIdOfKey = (key: string): string => key.slice(1).replaceAll('%2E', '.');
const copyMembership = (m: Membership): Membership => ({ userId: m.userId, role: m.role, joinedAt: copyDate(m.joinedAt) });

/**
 * One organisation as this process knows it, exactly as of entry `seq` of its sequence: profile,
 * members, invitations, the members' profiles with a sorted, searchable roster index, and the latest
 * audit events. Built from a snapshot and the entries after it, and moved forward entry by entry; it
 * answers every read of the organisation without touching the store. Pure: no I/O.
 */
export class OrganisationView {
  seq = 0;
  profile: OrganisationProfile | undefined;
  private readonly members = new Map<string, Membership>();
  private admins = 0;
  private readonly invitations = new Map<string, Invitation>();
  private readonly profiles = new Map<string, ProfileDoc>();
  /** Client assignments by user (client id → name); they may name non-members only in planted legacy data. */
  private readonly assignments = new Map<string, Map<string, string>>();
  private readonly roster = new RosterIndex();
  private events: { doc: AuditEventDoc; position: number }[] = [];
  private eventCount = 0;
  /** Bytes of the entries applied since the snapshot this view started from (for the snapshot policy). */
  bytesSinceSnapshot = 0;
  /** Size of the last snapshot written or read (bytes). */
  snapshotBytes = 0;
  /** When the view was last confirmed to be the head (performance.now()). */
  verifiedAt = Number.NEGATIVE_INFINITY;
  /** When history (not only the ring) last confirmed there is no next entry. */
  historyCheckedAt = Number.NEGATIVE_INFINITY;

  constructor(readonly organisationId: string) {}

  static fromSnapshot(doc: SnapshotDoc, bytes: number): OrganisationView {
    const view = new OrganisationView(doc.o);
    view.seq = doc.s;
    view.profile = { id: doc.o, ...doc.profile };
    for (const p of Object.values(doc.profiles)) view.profiles.set(p.u, p);
    for (const m of doc.members) view.setMember(memberFromDoc(m), false);
    view.roster.load([...view.members.values()].map((m) => view.rosterEntry(m)));
    for (const i of doc.invitations) view.invitations.set(i.id, invitationFromDoc(i));
    for (const [key, list] of Object.entries(doc.assignments)) view.assignments.set(userIdOfKey(key), new Map(list.map((a) => [a.c, a.n])));
    view.eventCount = doc.eventCount;
    view.events = doc.events.map((e, n) => ({ doc: e, position: doc.eventCount - doc.events.length + n + 1 }));
    view.snapshotBytes = bytes;
    return view;
  }

  /** Whether the organisation exists as of this view. */
  get exists(): boolean {
    return this.profile !== undefined;
  }

  get memberCount(): number {
    return this.members.size;
  }

  /** Applies the entry that follows `seq`. */
  apply(entry: EntryDoc, bytes: number): void {
    if (entry.s !== this.seq + 1) throw new Error(`entry ${entry._id} does not follow ${entryId(this.organisationId, this.seq)}`);
    const change = entry.c;
    // Profiles first: a member the change adds takes the profile the entry carries.
    for (const p of Object.values(entry.p)) {
      const known = this.profiles.get(p.u);
      if (known !== undefined && known.t > p.t) continue;
      this.profiles.set(p.u, p);
      const member = this.members.get(p.u);
      if (member !== undefined && change?.um.some((m) => m.u === p.u) !== true) this.roster.upsert(this.rosterEntry(member));
    }
    if (change !== null) {
      if (change.pr !== null) this.profile = { id: this.organisationId, ...change.pr };
      for (const userId of change.rm) {
        const before = this.members.get(userId);
        if (before === undefined) continue;
        if (managesTeam(before.role)) this.admins -= 1;
        this.members.delete(userId);
        this.profiles.delete(userId);
        this.roster.remove(userId);
        // A member's client assignments end with their membership.
        this.assignments.delete(userId);
      }
      for (const doc of change.um) {
        const membership = memberFromDoc(doc);
        this.setMember(membership, true);
      }
      for (const id of change.ri) this.invitations.delete(id);
      for (const i of change.ui) this.invitations.set(i.id, invitationFromDoc(i));
      for (const a of change.ra) this.assignments.get(a.u)?.delete(a.c);
      for (const a of change.aa) {
        const clients = this.assignments.get(a.u) ?? new Map<string, string>();
        clients.set(a.c, a.n);
        this.assignments.set(a.u, clients);
      }
      for (const [userId, clients] of [...this.assignments]) if (clients.size === 0) this.assignments.delete(userId);
    }
    for (const [n, e] of entry.e.entries()) this.events.push({ doc: e, position: entry.ep + n });
    if (entry.e.length > 0) this.eventCount = entry.ep + entry.e.length - 1;
    if (this.events.length > recentEventsKept) this.events.splice(0, this.events.length - recentEventsKept);
    this.seq = entry.s;
    this.bytesSinceSnapshot += bytes;
  }

  /** The audit position the next event takes. */
  nextEventPosition(): number {
    return this.eventCount + 1;
  }

  /** The record a decision asks for: the profile, version, admin count, invitations and these users' memberships. */
  record(users: readonly string[]): OrganisationRecord {
    if (this.profile === undefined) throw new Error(`organisation ${this.organisationId} does not exist`);
    const members = new Map<string, Membership | null>();
    for (const userId of users) {
      const membership = this.members.get(userId);
      members.set(userId, membership === undefined ? null : copyMembership(membership));
    }
    return {
      profile: { ...this.profile },
      version: this.seq,
      adminCount: this.admins,
      members,
      assignments: new Map(users.map((userId) => [userId, this.assignedTo(userId)])),
      invitations: [...this.invitations.values()].map(invitationFromDoc),
    };
  }

  /** The clients assigned to `userId` here, in no particular order. */
  assignedTo(userId: string): AssignedClient[] {
    return [...(this.assignments.get(userId) ?? [])].map(([clientId, name]) => ({ clientId, name }));
  }

  /** Every assignment recorded for the organisation (members or not). */
  allAssignments(): ClientAssignment[] {
    return [...this.assignments].flatMap(([userId, clients]) => [...clients].map(([clientId, name]) => ({ userId, clientId, name })));
  }

  memberContext(userId: string): MemberContext | undefined {
    const membership = this.members.get(userId);
    if (this.profile === undefined || membership === undefined) return undefined;
    return { organisation: { ...this.profile }, membership: copyMembership(membership) };
  }

  isMember(userId: string): boolean {
    return this.members.has(userId);
  }

  /** The profile the roster shows for a member (name, email, MFA, last activity). */
  profileOf(userId: string): ProfileDoc | undefined {
    return this.members.has(userId) ? this.profiles.get(userId) : undefined;
  }

  /** Every token hash of the invitations the organisation keeps. */
  tokenHashes(): Map<string, string> {
    return new Map([...this.invitations.values()].map((i) => [i.id, i.tokenHash]));
  }

  rosterPage(query: RosterQuery): RosterIndexPage {
    return this.roster.page(query);
  }

  /**
   * Audit events before `beforePosition` (all when null), newest first, when this view holds them
   * all: undefined when the page reaches older events than the view keeps.
   */
  auditPage(query: { readonly limit: number; readonly beforePosition: number | null }): { items: LoggedAuditEvent[]; hasMore: boolean } | undefined {
    const before = query.beforePosition ?? Number.POSITIVE_INFINITY;
    const candidates = this.events.filter((e) => e.position < before).reverse();
    const oldestHeld = this.events[0]?.position ?? this.eventCount + 1;
    const toItem = (e: { doc: AuditEventDoc; position: number }): LoggedAuditEvent => ({ event: eventFromDoc(this.organisationId, e.doc), position: e.position });
    // Positions are contiguous from 1: a page ending at position p has older events iff p > 1.
    if (candidates.length >= query.limit) {
      const items = candidates.slice(0, query.limit);
      return { items: items.map(toItem), hasMore: (items.at(-1)?.position ?? 1) > 1 };
    }
    if (oldestHeld <= 1 || this.eventCount === 0 || before <= 1) return { items: candidates.map(toItem), hasMore: false };
    return undefined;
  }

  /** The whole state, as a snapshot document. */
  toSnapshot(at: Date): SnapshotDoc {
    if (this.profile === undefined) throw new Error(`organisation ${this.organisationId} does not exist`);
    const profile = { name: this.profile.name, status: this.profile.status, bootstrapped: this.profile.bootstrapped, invitationsEnabled: this.profile.invitationsEnabled };
    const profiles: Record<string, ProfileDoc> = {};
    for (const userId of this.members.keys()) {
      const p = this.profiles.get(userId);
      if (p !== undefined) profiles[userKey(userId)] = p;
    }
    const assignments: Record<string, { c: string; n: string }[]> = {};
    for (const [userId, clients] of this.assignments) assignments[userKey(userId)] = [...clients].map(([c, n]) => ({ c, n }));
    return {
      _id: entryId(this.organisationId, this.seq),
      o: this.organisationId,
      s: this.seq,
      at,
      profile,
      members: [...this.members.values()].map(memberToDoc),
      invitations: [...this.invitations.values()].map(invitationToDoc),
      profiles,
      assignments,
      events: this.events.map((e) => e.doc),
      eventCount: this.eventCount,
    };
  }

  /** Every membership (export and inspection). */
  allMembers(): Membership[] {
    return [...this.members.values()].map(copyMembership);
  }

  allInvitations(): Invitation[] {
    return [...this.invitations.values()].map(invitationFromDoc);
  }

  private setMember(membership: Membership, indexed: boolean): void {
    const before = this.members.get(membership.userId);
    if (before !== undefined && managesTeam(before.role)) this.admins -= 1;
    if (managesTeam(membership.role)) this.admins += 1;
    this.members.set(membership.userId, membership);
    if (indexed) this.roster.upsert(this.rosterEntry(membership));
  }

  private rosterEntry(m: Membership): RosterEntry {
    const p = this.profiles.get(m.userId);
    return { userId: m.userId, role: m.role, name: p?.n ?? '', email: p?.e ?? '', mfaEnabled: p?.m ?? false, lastActiveAt: p?.l ?? null };
  }
}
