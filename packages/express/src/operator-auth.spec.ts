import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import type { Request } from 'express';
import { SignJWT } from 'jose';
import { JwtOperatorAuthenticator, operatorRoleAllows } from './operator-auth.js';
import { JwtSessionAuthenticator } from './session.js';

const operationsSecret = 'an-operations-secret-that-is-long-enough';
const sessionSecret = 'a-session-secret-that-is-long-enough-32';
const now = Date.UTC(2026, 0, 15, 9, 0, 0);
const audience = 'partner-team-operations';
const operators = new JwtOperatorAuthenticator(operationsSecret, { audience }, () => now);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const request = (headers: Record<string, string>) => ({ headers }) as unknown as Request;
const valid = { sub: 'op-jane', role: 'support_operator', aud: audience, iat: now / 1000, exp: now / 1000 + 600 };

async function sign(claims: Record<string, unknown>, secret = operationsSecret): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
}

describe('JwtOperatorAuthenticator', function () {
  it('accepts an operator token signed elsewhere (jose) with its role, from the bearer header', async function () {
    expect(operators.authenticate(request({ authorization: `Bearer ${await sign(valid)}` }))).to.deep.equal({ operatorId: 'op-jane', role: 'support_operator' });
    expect(operators.verify(await sign({ ...valid, role: 'support_viewer', aud: ['other', audience] }))).to.deep.equal({ operatorId: 'op-jane', role: 'support_viewer' });
  });

  it('refuses a partner session, whoever signed it, and any token without the operations audience or a known role', async function () {
    const sessions = new JwtSessionAuthenticator(sessionSecret, () => now);
    const session = sessions.issue({ userId: 'ada', sessionId: 'session-0001' }, 600);
    expect(operators.authenticate(request({ authorization: `Bearer ${session}` }))).to.equal(undefined);
    expect(operators.authenticate(request({ cookie: `operator_session=${session}; partner_session=${session}` }))).to.equal(undefined);
    // Even with every operator claim, the session secret's signature is not the operations secret's.
    expect(operators.verify(await sign(valid, sessionSecret))).to.equal(undefined);
    for (const claims of [
      { ...valid, aud: undefined },
      { ...valid, aud: 'partner-team' },
      { ...valid, role: undefined },
      { ...valid, role: 'partner_admin' },
      { ...valid, role: 'SUPPORT_OPERATOR' },
      { ...valid, sub: 'jane doe' },
      { ...valid, exp: now / 1000 - 1 },
      { ...valid, exp: now / 1000 + 13 * 3600 },
      { ...valid, iat: now / 1000 - 13 * 3600 },
    ]) {
      expect(operators.verify(await sign(claims)), JSON.stringify(claims)).to.equal(undefined);
    }
    // Correctly signed, but the header's algorithm is refused.
    const body = b64(valid);
    for (const header of [{ alg: 'none' }, { alg: 'HS512' }, { alg: 'HS256', crit: ['role'] }]) {
      const signed = `${b64(header)}.${body}`;
      expect(operators.verify(`${signed}.${createHmac('sha256', operationsSecret).update(signed).digest('base64url')}`)).to.equal(undefined);
    }
  });

  it('an operator token never passes for a partner session', function () {
    const sessions = new JwtSessionAuthenticator(sessionSecret, () => now);
    const token = operators.issue({ operatorId: 'op-jane', role: 'support_operator', sessionId: 'operator-session-1' }, 600);
    expect(sessions.authenticate(request({ authorization: `Bearer ${token}` }))).to.equal(undefined);
    expect(sessions.authenticate(request({ cookie: `partner_session=${token}` }))).to.equal(undefined);
  });

  it('binds a cookie credential to its session id (for request verification); a bearer credential has none', function () {
    const withSid = operators.issue({ operatorId: 'op-jane', role: 'support_viewer', sessionId: 'operator-session-1' }, 600);
    const withoutSid = operators.issue({ operatorId: 'op-jane', role: 'support_viewer' }, 600);
    expect(operators.authenticate(request({ cookie: `a=1; operator_session=${withSid}` }))).to.deep.equal({ operatorId: 'op-jane', role: 'support_viewer', sessionId: 'operator-session-1' });
    expect(operators.authenticate(request({ cookie: `operator_session=${withoutSid}` })), 'a cookie needs a session id').to.equal(undefined);
    expect(operators.authenticate(request({ authorization: `Bearer ${withSid}`, cookie: `operator_session=${withSid}` }))).to.deep.equal({ operatorId: 'op-jane', role: 'support_viewer' });
    expect(operators.authenticate(request({}))).to.equal(undefined);
  });

  it('lets support_viewer read and support_operator do everything', function () {
    expect(operatorRoleAllows('support_viewer', 'support_viewer')).to.equal(true);
    expect(operatorRoleAllows('support_viewer', 'support_operator')).to.equal(false);
    expect(operatorRoleAllows('support_operator', 'support_operator')).to.equal(true);
    expect(operatorRoleAllows('support_operator', 'support_viewer')).to.equal(true);
  });
});
