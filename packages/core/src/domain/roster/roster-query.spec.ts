import { expect } from 'chai';
import fc from 'fast-check';
import { ForbiddenError, ValidationError } from '../shared/errors.js';
import {
  compareText,
  encodeRosterCursor,
  parseRosterQuery,
  referenceRosterPage,
  rosterPosition,
  type RosterEntry,
} from './roster-query.js';

const entry = (userId: string, name: string, lastActiveAt: Date | null = null): RosterEntry => ({
  userId,
  name,
  email: `${userId}@example.test`,
  role: 'partner_user',
  mfaEnabled: false,
  lastActiveAt,
});

describe('roster query', function () {
  it('compares text by code point, as UTF-8 byte order does', function () {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        const bytes = Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
        expect(Math.sign(compareText(a, b))).to.equal(bytes);
      }),
      { numRuns: 2000 },
    );
    expect(compareText('\uFF21', '😀')).to.be.lessThan(0);
  });

  it('round-trips a cursor bound to sort, order and term', function () {
    const query = parseRosterQuery({ q: 'Ann', sort: 'role', order: 'desc', limit: 5 }, 'partner_admin');
    const position = rosterPosition(entry('u1', 'Ánna'), 'role');
    const cursor = encodeRosterCursor(query, position);
    const next = parseRosterQuery({ q: 'ann', sort: 'role', order: 'desc', limit: 5, cursor }, 'partner_admin');
    expect(next.after).to.deep.equal(position);
    expect(next.term).to.equal('ann');
  });

  it('rejects cursors that were tampered with', function () {
    const query = parseRosterQuery({ sort: 'lastActiveAt' }, 'partner_admin');
    const cursor = encodeRosterCursor(query, rosterPosition(entry('u1', 'A', new Date(5)), 'lastActiveAt'));
    const body = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as Record<string, unknown>;
    const forged = (patch: Record<string, unknown>) => Buffer.from(JSON.stringify({ ...body, ...patch })).toString('base64url');
    for (const patch of [{ k: ['x'] }, { k: [1, 2] }, { k: [1.5] }, { u: '$ne' }, { v: 2 }, { s: 'name' }]) {
      expect(() => parseRosterQuery({ sort: 'lastActiveAt', cursor: forged(patch) }, 'partner_admin'), JSON.stringify(patch)).to.throw(ValidationError);
    }
  });

  it('keeps sorting by last activity to admins', function () {
    expect(() => parseRosterQuery({ sort: 'lastActiveAt' }, 'partner_user')).to.throw(ForbiddenError);
  });

  it('orders unknown last activity first ascending and last descending, ties by user id', function () {
    const rows = [entry('b', 'B', null), entry('a', 'A', new Date(10)), entry('c', 'C', null), entry('d', 'D', new Date(10))];
    const asc = referenceRosterPage(rows, parseRosterQuery({ sort: 'lastActiveAt' }, 'partner_admin'));
    expect(asc.items.map((r) => r.userId)).to.deep.equal(['b', 'c', 'a', 'd']);
    const desc = referenceRosterPage(rows, parseRosterQuery({ sort: 'lastActiveAt', order: 'desc' }, 'partner_admin'));
    expect(desc.items.map((r) => r.userId)).to.deep.equal(['d', 'a', 'c', 'b']);
  });
});
