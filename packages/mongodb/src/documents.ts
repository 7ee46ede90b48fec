import type {
  AuditActorKind,
  AuditDetail,
  AuditEvent,
  Invitation,
  Membership,
  OrganisationChange,
  OrganisationProfile,
  OrganisationStatus,
  PartnerRole,
} from '@partner-team/core';
import { isIdentifier } from '@partner-team/core';

// Explicit document mapping: short, stable field names; every write goes through these functions.
// Identifiers never contain "/", "~" or "@" (core's identifier rule, checked again here before an
// identifier becomes part of an `_id`), so the prefixes below cannot collide with them.

/** `id`, after checking it is an identifier: the `_id` shapes below rely on it. */
export function checkedId(id: string): string {
  if (!isIdentifier(id)) throw new RangeError(`not an identifier: ${JSON.stringify(String(id).slice(0, 80))}`);
  return id;
}

/** Sequence numbers are zero-padded so that string `_id`s sort as numbers. */
export const pad = (n: number): string => String(n).padStart(10, '0');

/** `_id` of entry `seq` of an organisation's sequence (history) and of its snapshot at `seq`. */
export const entryId = (organisationId: string, seq: number): string => `${checkedId(organisationId)}/${pad(seq)}`;
/** Every `_id` of the form "<prefix>/…": identifiers never contain "/", and "0" sorts right after it. */
export const idRange = (prefix: string) => ({ $gt: `${checkedId(prefix)}/`, $lt: `${prefix}0` });

/** Number of ring slots per organisation in the recent collection. */
export const ringSize = 64;
/** `_id` of the ring slot that holds entry `seq` until entry `seq + ringSize` replaces it. */
export const slotId = (organisationId: string, seq: number): string => `~r/${checkedId(organisationId)}/${seq % ringSize}`;
/** `_id` of the pointer to an organisation's latest snapshot (in the recent collection). */
export const snapshotPointerId = (organisationId: string): string => `~s/${checkedId(organisationId)}`;
/** `_id` of a user's claim of epoch `epoch` (in the claims collection). */
export const claimId = (userId: string, epoch: number): string => `${checkedId(userId)}/${pad(epoch)}`;
/** `_id` of a user's latest-claim pointer (in the claims collection). */
export const claimPointerId = (userId: string): string => `~p/${checkedId(userId)}`;
/** `_id` of the entry that maps an email address to its user (in the users collection). */
export const emailId = (email: string): string => `@${email}`;

/** Map keys for user ids: prefixed (never integer-like, so key order is insertion order) and without ".". */
export const userKey = (userId: string): string => `u${userId.replaceAll('.', '%2E')}`;

export interface ProfileStateDoc {
  name: string;
  status: OrganisationStatus;
  bootstrapped: boolean;
  invitationsEnabled: boolean;
}

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

/** One client assignment of a member: client id and (denormalised) name. */
export interface AssignmentEntryDoc {
  c: string;
  n: string;
}

/** A decision's change, as an entry stores it. */
export interface ChangeDoc {
  /** The new profile, when the change creates the organisation or alters it. */
  pr: ProfileStateDoc | null;
  um: MemberDoc[];
  rm: string[];
  ui: InvitationDoc[];
  ri: string[];
  /** Client assignments added or renamed, and removed (a removed member's end with them anyway). */
  aa: { u: string; c: string; n: string }[];
  ra: { u: string; c: string }[];
}

/** A user's profile as the roster shows it; `t` orders two writes of the same user (later wins). */
export interface ProfileDoc {
  u: string;
  n: string;
  e: string;
  m: boolean;
  l: Date | null;
  t: number;
}

export interface AuditEventDoc {
  id: string;
  action: AuditEvent['action'];
  kind: AuditActorKind;
  actor: string;
  /** The support operator's reason; null for partner members. */
  reason: string | null;
  target: string | null;
  invitation: string | null;
  before: AuditDetail | null;
  after: AuditDetail | null;
  at: Date;
  requestId: string | null;
}

/**
 * One step of an organisation's sequence, `_id = "<organisationId>/<seq>"` in the history collection:
 * a decision's change with its audit events, or a refresh of members' profiles. Its `_id` is the
 * compare-and-set: two writers of one sequence number cannot both insert. Immutable.
 */
export interface EntryDoc {
  _id: string;
  o: string;
  s: number;
  at: Date;
  /** Random id of the writer, to recognise its own entry after an ambiguous insert. */
  w: string;
  c: ChangeDoc | null;
  /** Profiles by user key: of the members the change adds, or refreshed by the directory. */
  p: Record<string, ProfileDoc>;
  e: AuditEventDoc[];
  /** Audit position of the first event (positions count an organisation's events from 1), and their number. */
  ep: number;
  ev: number;
}

/** A ring slot of the recent collection: a copy of the latest entry whose sequence maps to it. */
export type SlotDoc = Omit<EntryDoc, '_id'> & { _id: string };

/** The whole state of an organisation after entry `s`, `_id = "<organisationId>/<s>"`. */
export interface SnapshotDoc {
  _id: string;
  o: string;
  s: number;
  at: Date;
  profile: ProfileStateDoc;
  members: MemberDoc[];
  invitations: InvitationDoc[];
  profiles: Record<string, ProfileDoc>;
  /** Client assignments by user key. */
  assignments: Record<string, AssignmentEntryDoc[]>;
  /** The latest audit events (at most 100), oldest first, and the organisation's event count. */
  events: AuditEventDoc[];
  eventCount: number;
}

/** Which snapshots of an organisation exist: the latest (`s`) and the one before (`p`), 0 for none. */
export interface SnapshotPointerDoc {
  _id: string;
  s: number;
  p: number;
}

/**
 * The latest sequence number of an organisation as its writers last raised it (`_id` = organisation
 * id, in the heads collection): what a request reads to know whether its view is current.
 */
export interface HeadDoc {
  _id: string;
  s: number;
}

/** The organisation of an invitation token (`_id` = the token's hash, in the tokens collection). */
export interface TokenDoc {
  _id: string;
  o: string;
}

/** A user's claim to be joining (or to be in) an organisation: `_id` = "<userId>/<epoch>". */
export interface ClaimDoc {
  _id: string;
  u: string;
  o: string;
  /** The invitation being accepted; null for memberships provisioned directly. */
  i: string | null;
  e: number;
  at: Date;
}

/** A user's latest claim as last recorded (raised after each claim; may lag behind a crashed writer). */
export interface ClaimPointerDoc {
  _id: string;
  o: string;
  i: string | null;
  e: number;
  at: Date;
}

export interface UserDoc {
  _id: string;
  name: string;
  email: string;
  mfa: boolean;
  last: Date | null;
  /** When the profile was last written (ms), to order profile copies. */
  t: number;
  /**
   * Set on an existing user's document while the change it holds is not yet in the rosters of their
   * organisation: a retry of a write the store cut short finishes the refresh, even though the
   * document already holds the profile.
   */
  r?: true;
}

/** The user who holds an email address, with a copy of their profile: `_id` = "@<email>". */
export interface EmailDoc extends Omit<UserDoc, '_id'> {
  _id: string;
  u: string;
}

/** An audit event that belongs to no organisation (directory changes, support reads), in `audit_events`. */
export interface UnscopedEventDoc extends AuditEventDoc {
  _id: string;
  /** When it was stored: the order of the support search. */
  stored: Date;
}

export interface ClientDoc {
  _id: string;
  name: string;
}

export const profileStateOf = (p: OrganisationProfile): ProfileStateDoc => ({
  name: p.name,
  status: p.status,
  bootstrapped: p.bootstrapped,
  invitationsEnabled: p.invitationsEnabled,
});

export const memberToDoc = (m: Membership): MemberDoc => ({ u: m.userId, r: m.role, j: m.joinedAt });
export const memberFromDoc = (m: MemberDoc): Membership => ({ userId: m.u, role: m.r, joinedAt: new Date(m.j.getTime()) });

export const invitationToDoc = (i: Invitation): InvitationDoc => ({ ...i });
export const invitationFromDoc = (i: InvitationDoc): Invitation => ({
  id: i.id,
  email: i.email,
  role: i.role,
  status: i.status,
  tokenHash: i.tokenHash,
  invitedBy: i.invitedBy,
  createdAt: new Date(i.createdAt.getTime()),
  expiresAt: new Date(i.expiresAt.getTime()),
  closedAt: i.closedAt === null ? null : new Date(i.closedAt.getTime()),
  acceptedBy: i.acceptedBy,
});

export function changeToDoc(change: OrganisationChange): ChangeDoc {
  return {
    pr: change.profile === null ? null : profileStateOf(change.profile),
    um: change.upsertedMembers.map(memberToDoc),
    rm: [...change.removedMembers],
    ui: change.upsertedInvitations.map(invitationToDoc),
    ri: [...change.removedInvitations],
    aa: (change.addedAssignments ?? []).map((a) => ({ u: a.userId, c: a.clientId, n: a.name })),
    ra: (change.removedAssignments ?? []).map((a) => ({ u: a.userId, c: a.clientId })),
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
    actorKind: d.kind,
    actorUserId: d.actor,
    reason: d.reason,
    targetUserId: d.target,
    invitationId: d.invitation,
    before: d.before,
    after: d.after,
    at: d.at,
    requestId: d.requestId,
  };
}

export const profileOf = (user: Pick<UserDoc, '_id' | 'name' | 'email' | 'mfa' | 'last' | 't'>): ProfileDoc => ({
  u: user._id,
  n: user.name,
  e: user.email,
  m: user.mfa,
  l: user.last,
  t: user.t,
});
