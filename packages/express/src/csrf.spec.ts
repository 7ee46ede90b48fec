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

  it('refuses missing, malformed and repeated headers', function () {
    const token = csrf.tokenFor('session-a');
    for (const bad of [undefined, '', token.slice(1), `${token}x`, [token, token], token.toUpperCase()]) {
      expect(csrf.verify('session-a', bad)).to.equal(false);
    }
  });
});
