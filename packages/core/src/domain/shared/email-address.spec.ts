import { expect } from 'chai';
import { ValidationError } from './errors.js';
import { normaliseEmail } from './email-address.js';

describe('normaliseEmail', function () {
  it('trims, lower-cases and NFC-normalises', function () {
    expect(normaliseEmail('  Ada.Lovelace@ACME.Example ')).to.equal('ada.lovelace@acme.example');
    expect(normaliseEmail('JOSE\u0301@example.test')).to.equal('jos\u00e9@example.test');
  });

  it('refuses what cannot be an address', function () {
    for (const bad of [undefined, 42, '', ' ', 'plain', 'a@b', 'a b@example.test', 'a@@example.test', `a@${'x'.repeat(260)}.test`, 'a\u0000@example.test', '\u202Eevil@example.test', 'zero\u200Bwidth@example.test', 'nb\u00A0sp@example.test']) {
      expect(() => normaliseEmail(bad), String(bad)).to.throw(ValidationError);
    }
  });
});
