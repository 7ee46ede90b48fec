import { expect } from 'chai';
import { RandomIds } from './random-ids.js';
import { Sha256InvitationTokens } from './sha256-invitation-tokens.js';
import { SystemClock } from './system-clock.js';

describe('Node.js adapters', function () {
  it('issues invitation tokens of 256 random bits, never twice, stored only as SHA-256', function () {
    const tokens = new Sha256InvitationTokens();
    const issued = Array.from({ length: 2000 }, () => tokens.issue());
    expect(new Set(issued.map((i) => i.token)).size).to.equal(2000);
    for (const { token, hash } of issued.slice(0, 50)) {
      expect(token).to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, 'base64url')).to.have.length(32);
      expect(hash).to.equal(tokens.hash(token)).and.not.equal(token);
    }
    // Every bit position takes both values across the sample: no constant bits.
    const ones = new Array<number>(256).fill(0);
    for (const { token } of issued) Buffer.from(token, 'base64url').forEach((byte, i) => {
      for (let bit = 0; bit < 8; bit += 1) ones[i * 8 + bit]! += (byte >> bit) & 1;
    });
    expect(ones.every((n) => n > 800 && n < 1200)).to.equal(true);
  });

  it('issues random identifiers of the domain shape, never twice', function () {
    const ids = new RandomIds();
    const issued = Array.from({ length: 1000 }, (_, n) => ids.next(n % 2 === 0 ? 'invitation' : 'event'));
    expect(new Set(issued).size).to.equal(1000);
    for (const id of issued.slice(0, 4)) expect(id).to.match(/^(inv|evt)_[0-9a-f-]{36}$/);
  });

  it('tells the time of the system', function () {
    const before = Date.now();
    const now = new SystemClock().now().getTime();
    expect(now).to.be.within(before, Date.now());
  });
});
