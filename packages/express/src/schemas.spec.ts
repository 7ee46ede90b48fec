import { expect } from 'chai';
import { inviteBody } from './schemas.js';

describe('request schemas', function () {
  it('checks an invitation address with core’s one email rule', function () {
    for (const email of ['a@b..example', '.a@b.example', 'a@-b.example', 'a@[127.0.0.1]', 'a@b.example.', 'a@127.0.0.1']) {
      const result = inviteBody.safeParse({ email, role: 'partner_user' });
      expect(result.success, email).to.equal(false);
      expect(result.error?.issues.map((i) => i.path.join('.')), email).to.deep.equal(['email']);
    }
    for (const email of ['\uFF41@\uFF42.\uFF43', 'Ann@Bücher.example', 'ok@example.test']) {
      expect(inviteBody.safeParse({ email, role: 'partner_user' }).success, email).to.equal(true);
    }
  });
});
