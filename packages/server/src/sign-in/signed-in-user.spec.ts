import { expect } from 'chai';
import { directoryUserId } from '@partner-team/express';
import { cleanDisplayText, safeReturnPath, signedInUser } from './signed-in-user.js';
import { SealedBox } from './sealed-box.js';

const policy = { userClaim: 'sub', mfaAmr: ['mfa', 'otp', 'hwk', 'swk'], mfaAcr: ['urn:example:acr:mfa'] };

describe('signedInUser', function () {
  it('takes the name, the email only when verified, and MFA from amr or acr', function () {
    expect(signedInUser({ sub: 'ada', name: 'Ada Lovelace', email: 'Ada@Acme.Example', email_verified: true, amr: ['pwd', 'otp'] }, policy)).to.deep.equal({
      userId: 'ada',
      name: 'Ada Lovelace',
      email: 'ada@acme.example',
      mfaEnabled: true,
    });
    expect(signedInUser({ sub: 'ada', email: 'ada@acme.example', email_verified: false, amr: ['pwd'] }, policy)).to.deep.equal({ userId: 'ada', name: undefined, email: undefined, mfaEnabled: false });
    expect(signedInUser({ sub: 'ada', email: 'ada@acme.example', amr: 'otp' }, policy)?.email, 'email_verified absent').to.equal(undefined);
    expect(signedInUser({ sub: 'ada', email: 'not an address', email_verified: true }, policy)?.email).to.equal(undefined);
    expect(signedInUser({ sub: 'ada', acr: 'urn:example:acr:mfa' }, policy)?.mfaEnabled).to.equal(true);
    expect(signedInUser({ sub: 'ada', acr: 'urn:example:acr:pwd', amr: ['pwd', 'kba'] }, policy)?.mfaEnabled).to.equal(false);
    for (const amr of ['mfa', 'otp', 'hwk', 'swk']) expect(signedInUser({ sub: 'ada', amr: [amr] }, policy)?.mfaEnabled, amr).to.equal(true);
    expect(signedInUser({ sub: 'ada', given_name: 'Ada', family_name: 'Lovelace' }, policy)?.name).to.equal('Ada Lovelace');
    expect(signedInUser({ sub: 'ada', preferred_username: 'ada.l' }, policy)?.name).to.equal('ada.l');
    expect(signedInUser({ sub: 'auth0|42', name: 'X' }, policy)?.userId).to.equal(directoryUserId('auth0|42'));
    expect(signedInUser({ name: 'X' }, policy)).to.equal(undefined);
    expect(signedInUser({ oid: 'u-1' }, { ...policy, userClaim: 'oid' })?.userId).to.equal('u-1');
  });

  it('cleans names of CR/LF, controls and bidirectional overrides', function () {
    expect(cleanDisplayText('Eve\r\nBcc: x@evil.test')).to.equal('Eve Bcc: x@evil.test');
    expect(cleanDisplayText('\u202Egnp.exe\u2066x\u2069 \u0000')).to.equal('gnp.exe x');
    expect(cleanDisplayText('<b>Eve</b>'), 'markup is escaped where shown, not here').to.equal('<b>Eve</b>');
    expect(cleanDisplayText('   ')).to.equal(undefined);
    expect(cleanDisplayText('x'.repeat(300))).to.have.length(200);
  });
});

describe('safeReturnPath', function () {
  it('keeps paths of this server and refuses every other destination', function () {
    expect(safeReturnPath('/')).to.equal('/');
    expect(safeReturnPath('/?tab=members&q=a')).to.equal('/?tab=members&q=a');
    expect(safeReturnPath('/a/../b#frag')).to.equal('/b');
    for (const hostile of ['//evil.test', '/\\evil.test', '\\\\evil.test', 'https://evil.test/', 'http:evil.test', 'javascript:alert(1)', '/\t/evil.test', '/%0d%0aSet-Cookie:x', ' /x', '', 'x'.repeat(600), undefined, ['/a', '/b']]) {
      const result = safeReturnPath(hostile);
      expect(result.startsWith('/') && !result.startsWith('//'), String(hostile)).to.equal(true);
      expect(new URL(result, 'https://app.test').origin, String(hostile)).to.equal('https://app.test');
    }
    expect(safeReturnPath('//evil.test')).to.equal('/');
    expect(safeReturnPath('/\\evil.test')).to.equal('/');
  });
});

describe('SealedBox', function () {
  it('opens what it sealed until it expires; refuses tampering, other purposes and other keys', function () {
    const box = new SealedBox('a-session-secret-that-is-long-enough-32', 'tx');
    const sealed = box.seal({ state: 's' }, 2000);
    expect(box.open(sealed, 1000)).to.deep.equal({ value: { state: 's' } });
    expect(box.open(sealed, 2000)).to.deep.equal({ error: 'expired' });
    expect(box.open(undefined, 1000)).to.deep.equal({ error: 'missing' });
    const flipped = `${sealed.slice(0, 20)}${sealed[20] === 'A' ? 'B' : 'A'}${sealed.slice(21)}`;
    expect(box.open(flipped, 1000)).to.deep.equal({ error: 'malformed' });
    expect(new SealedBox('a-session-secret-that-is-long-enough-32', 'other').open(sealed, 1000)).to.deep.equal({ error: 'malformed' });
    expect(new SealedBox('another-secret-that-is-long-enough-32!', 'tx').open(sealed, 1000)).to.deep.equal({ error: 'malformed' });
    expect(box.open('not base64url!', 1000)).to.deep.equal({ error: 'malformed' });
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.to.include('state');
  });
});
