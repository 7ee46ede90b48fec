import { expect } from 'chai';
import { CsrfTokens } from './csrf.js';

describe('CsrfTokens', function () {
  const csrf = new CsrfTokens('a-session-secret-that-is-long-enough-32');

  it('verifies a token only for the session it was issued to', function () {
    const token = csrf.tokenFor('session-a');
    expect(csrf.verify('session-a', token)).to.equal(true);
    expect(csrf.verify('session-b', token)).to.equal(false);
  });

  it('depends on the server secret', function () {
    expect(new CsrfTokens('another-secret-that-is-long-enough-32').verify('session-a', csrf.tokenFor('session-a'))).to.equal(false);
  });

  it('refuses a weak key: shorter than 32 characters or 32 bytes', function () {
    for (const weak of ['', 'x', 'a'.repeat(31), Buffer.alloc(0), Buffer.alloc(31, 7)]) {
      expect(() => new CsrfTokens(weak), `${weak.length}`).to.throw(RangeError, /at least 32/);
    }
    expect(new CsrfTokens('a'.repeat(32)).tokenFor('session-a')).to.have.length(43);
  });

  it('refuses missing, malformed and repeated headers', function () {
    const token = csrf.tokenFor('session-a');
    for (const bad of [undefined, '', token.slice(1), `${token}x`, [token, token], token.toUpperCase()]) {
      expect(csrf.verify('session-a', bad)).to.equal(false);
    }
  });
});
