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

  it('refuses a local part that is not a dot-atom (RFC 5321/5322): leading, trailing or double dots, specials, over 64', function () {
    for (const bad of ['.a@b.example', 'a.@b.example', 'a..b@b.example', '"a b"@b.example', 'a(comment)@b.example', 'a,b@b.example', 'a[b]@b.example', 'a\\b@b.example', 'a:b@b.example', 'a;b@b.example', '<a>@b.example', `${'x'.repeat(65)}@b.example`]) {
      expect(() => normaliseEmail(bad), bad).to.throw(ValidationError);
    }
    for (const good of ["o'hara@b.example", 'a+tag@b.example', 'a.b-c_d@b.example', "!#$%&'*+-/=?^_`{|}~@b.example", `${'x'.repeat(64)}@b.example`]) {
      expect(normaliseEmail(good), good).to.equal(good);
    }
  });

  it('refuses a domain that is not a dotted host name with a letter TLD: empty labels, hyphens at a label edge, IP literals, IP addresses, trailing dot, long labels', function () {
    for (const bad of [
      'a@b..c',
      'a@.b.c',
      'a@b.c.',
      'a@-b.c',
      'a@b-.c',
      'a@b.-c',
      'a@[127.0.0.1]',
      'a@[IPv6:::1]',
      'a@127.0.0.1',
      'a@0x7f.1',
      'a@1.2.3.4',
      'a@b.c1',
      'a@b.123',
      'a@b_c.example',
      'a@b.example/x',
      'a@b.example?x',
      'a@b.example#x',
      'a@b.example:25',
      'a@b%41.example',
      'a@xn--.example',
      'a@xn--a.example',
      `a@${'x'.repeat(64)}.example`,
      `a@${'x'.repeat(63)}.${'y'.repeat(63)}.${'z'.repeat(63)}.${'w'.repeat(58)}.example`,
    ]) {
      expect(() => normaliseEmail(bad), bad).to.throw(ValidationError);
    }
    expect(normaliseEmail(`a@${'x'.repeat(63)}.example`)).to.equal(`a@${'x'.repeat(63)}.example`);
    const longest = `${'a'.repeat(64)}@${'x'.repeat(63)}.${'y'.repeat(63)}.${'z'.repeat(53)}.example`;
    expect(longest).to.have.length(254);
    expect(normaliseEmail(longest)).to.equal(longest);
    expect(() => normaliseEmail(`${'a'.repeat(64)}@${'x'.repeat(63)}.${'y'.repeat(63)}.${'z'.repeat(54)}.example`)).to.throw(ValidationError);
  });

  it('maps look-alikes to one address: NFKC compatibility forms, case, and the domain through IDNA (UTS #46)', function () {
    expect(normaliseEmail('\uFF41@\uFF42.\uFF43')).to.equal('a@b.c');
    expect(normaliseEmail('\uFF21\uFF24\uFF21\uFF20\uFF25\uFF38\uFF21\uFF2D\uFF30\uFF2C\uFF25\uFF0E\uFF34\uFF25\uFF33\uFF34')).to.equal('ada@example.test');
    expect(normaliseEmail('Ada@EXAMPLE.test')).to.equal(normaliseEmail('ada@example.test'));
    // The domain is kept in its ASCII (A-label) form, the one spelling every mail system agrees on.
    expect(normaliseEmail('Ünï@Bücher.Example')).to.equal('ünï@xn--bcher-kva.example');
    expect(normaliseEmail('uni@xn--bcher-kva.example')).to.equal(normaliseEmail('uni@BÜCHER.example'));
    expect(normaliseEmail('ann@b\u3002example')).to.equal('ann@b.example');
    expect(normaliseEmail('ﬁ@example.test')).to.equal('fi@example.test');
  });

  it('is idempotent', function () {
    for (const input of ['  Ada.Lovelace@ACME.Example ', 'JOSE\u0301@example.test', '\uFF41@\uFF42.\uFF43', 'Ünï@Bücher.Example', '\u0130stanbul@example.test', 'ß@straße.example']) {
      const once = normaliseEmail(input);
      expect(normaliseEmail(once), input).to.equal(once);
    }
  });
});
