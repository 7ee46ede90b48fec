import type {
  AuditActorKind,
  AuditDetail,
  AuditEvent,
  Invitation,
  Membership,
  OrganisationState,
  OrganisationStatus,
  PartnerRole,
} from '@partner-team/core';

// Explicit document mapping: short, stable field names; every write goes through these functions.

/** Sequence numbers are zero-padded so that string `_id`s sort as numbers. */
export const pad = (n: number): string => String(n).padStart(10, '0');

/** `_id` of commit `seq` of an organisation (within {@link idRange} of the organisation). */
export const commitId = (organisationId: string, seq: number): string => `${organisationId}/${pad(seq)}`;
/**
 * Every `_id` of the form "<prefix>/…" (an organisation's commits, a user's claims): identifiers
 * never contain "/", and "0" sorts right after it.
 */
export const idRange = (prefix: string) => ({ $gt: `${prefix}/`, $lt: `${prefix}0` });

/** Member map keys: prefixed (never integer-like, so BSON and JS keep insertion order) and without ".". */
export const memberKey = (userId: string): string => `u${userId.replaceAll('.', '%2E')}`;

export interface MemberDoc {
  u: string;
  r: PartnerRole;
  j: Date;
}

export interface InvitationDoc {
  id: string;
  email: string;
  role: PartnerRole;
  status: Invitation['status'];
  tokenHash: string;
  invitedBy: string;
  createdAt: Date;
  expiresAt: Date;
  closedAt: Date | null;
  acceptedBy: string | null;
}

/** One client assignment of a member, inside the organisation's state. */
export interface AssignmentEntryDoc {
  /** Client id. */
  c: string;
  /** Client name. */
  n: string;
}

export interface StateDoc {
  name: string;
  status: OrganisationStatus;
  bootstrapped: boolean;
  invitationsEnabled: boolean;
  members: Record<string, MemberDoc>;
  invitations: InvitationDoc[];
  /**
   * Client assignments by member key (as `members`): versioned with the state, dropped with a
   * membership. Absent from states written before assignments moved here.
   */
  assignments?: Record<string, AssignmentEntryDoc[]>;
}

export interface AuditEventDoc {
  id: string;
  action: AuditEvent['action'];
  /** Absent from events written before support operations existed: a partner member. */
  kind?: AuditActorKind;
  actor: string;
  /** The support operator's reason; absent or null for partner members. */
  reason?: string | null;
  target: string | null;
  invitation: string | null;
  before: AuditDetail | null;
  after: AuditDetail | null;
  at: Date;
  requestId: string | null;
}

/**
 * One commit of an organisation: the whole new state together with the audit events of the change
 * that produced it. Its `_id` is the compare-and-set: two writers of the same sequence number
 * cannot both insert.
 */
export interface CommitDoc {
  _id: string;
  /** Organisation id. */
  o: string;
  /** Sequence number (the aggregate's version). */
  s: number;
  at: Date;
  /** Full state; removed from old commits by compaction (the head always keeps it). */
  state?: StateDoc;
  events: AuditEventDoc[];
  /** Number of audit events (indexable, unlike an array's length). */
  ev: number;
  /** Token hashes of the invitations this commit created. */
  tokens: string[];
  /** Random id of the writer, to recognise its own commit after an ambiguous insert. */
  w: string;
  /**
   * Number of members in `state`, kept when compaction drops the state, so that a membership check
   * can return the team size without transferring the member map. Absent from commits written
   * before it was introduced.
   */
  mc?: number;
}

/** A user's claim to be joining (or to be in) an organisation: `_id` = "<userId>/<epoch>". */
export interface ClaimDoc {
  _id: string;
  u: string;
  o: string;
  /** The invitation being accepted; null for memberships provisioned directly (fixtures, bootstrap). */
  i: string | null;
  e: number;
  at: Date;
}

/** A roster row: `_id` = "<organisationId>/<userId>"; the projection mark is "<organisationId>/~" (no `o`). */
export interface MemberRowDoc {
  _id: string;
  o: string;
  u: string;
  /** Active (false: removed, kept as a tombstone so that an older write cannot resurrect it). */
  a: boolean;
  r: PartnerRole;
  /** Commit sequence that last wrote the row. */
  s: number;
  name: string;
  email: string;
  /** textKey(name), textKey(email): what the roster sorts and searches. */
  n: string;
  e: string;
  mfa: boolean;
  last: Date | null;
  /** lastActiveAt in epoch ms, -1 when unknown. */
  l: number;
}

export interface ProjectionMarkDoc {
  _id: string;
  s: number;
  at: Date;
}

export interface UserDoc {
  _id: string;
  name: string;
  email: string;
  mfa: boolean;
  last: Date | null;
}

/**
 * An audit event that belongs to no organisation (a directory change, a support read): `_id` =
 * the event id; `stored` = when it was written (the search orders by it, as by a commit's `at`).
 */
export interface UnscopedEventDoc extends AuditEventDoc {
  _id: string;
  stored: Date;
}

export interface ClientDoc {
  _id: string;
  name: string;
}

export function stateToDoc(state: OrganisationState): StateDoc {
  const members: Record<string, MemberDoc> = {};
  for (const m of state.memberships) members[memberKey(m.userId)] = { u: m.userId, r: m.role, j: m.joinedAt };
  return {
    name: state.name,
    status: state.status,
    bootstrapped: state.bootstrapped,
    invitationsEnabled: state.invitationsEnabled,
    members,
    invitations: state.invitations.map((i) => ({ ...i })),
  };
}

export function stateFromDoc(organisationId: string, doc: StateDoc): OrganisationState {
  return {
    id: organisationId,
    name: doc.name,
    status: doc.status,
    bootstrapped: doc.bootstrapped,
    invitationsEnabled: doc.invitationsEnabled,
    memberships: Object.values(doc.members).map((m): Membership => ({ userId: m.u, role: m.r, joinedAt: new Date(m.j.getTime()) })),
    invitations: doc.invitations.map((i) => ({
      ...i,
      createdAt: new Date(i.createdAt.getTime()),
      expiresAt: new Date(i.expiresAt.getTime()),
      closedAt: i.closedAt === null ? null : new Date(i.closedAt.getTime()),
    })),
  };
}

export function eventToDoc(e: AuditEvent): AuditEventDoc {
  return {
    id: e.id,
    action: e.action,
    kind: e.actorKind,
    actor: e.actorUserId,
    reason: e.reason,
    target: e.targetUserId,
    invitation: e.invitationId,
    before: e.before,
    after: e.after,
    at: e.at,
    requestId: e.requestId,
  };
}

export function eventFromDoc(organisationId: string | null, d: AuditEventDoc): AuditEvent {
  return {
    id: d.id,
    organisationId,
    action: d.action,
    actorKind: d.kind ?? 'partner_member',
    actorUserId: d.actor,
    reason: d.reason ?? null,
    targetUserId: d.target,
    invitationId: d.invitation,
    before: d.before,
    after: d.after,
    at: d.at,
    requestId: d.requestId,
  };
}
