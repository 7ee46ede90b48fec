import { invitationMessage } from '@partner-team/core';
import { expect } from 'chai';
import { invitationEmail } from './invitation-email.js';

const message = (organisationName: string, inviterName: string | null) =>
  invitationMessage(
    { id: 'acme', name: organisationName },
    { id: 'inv-1', email: 'gus@outside.example', role: 'partner_user', expiresAt: new Date('2026-01-22T09:00:00.000Z'), invitedBy: 'ada' },
    'tok-en_123',
    inviterName,
  );

describe('invitationEmail', function () {
  it('names the organisation, the inviter and the role, with the accept link in both parts', function () {
    const email = invitationEmail(message('Acme', 'Ada Lovelace'), 'https://partners.example/#accept=tok-en_123');
    expect(email.subject).to.equal('Ada Lovelace invited you to Acme on the partner portal');
    expect(email.text).to.include('Ada Lovelace invited you to join Acme as a partner user').and.include('https://partners.example/#accept=tok-en_123').and.include('2026-01-22 09:00 UTC');
    expect(email.html).to.include('<strong><bdi>Ada Lovelace</bdi></strong>').and.include('<a href="https://partners.example/#accept=tok-en_123">Accept the invitation</a>');
    expect(invitationEmail(message('Acme', null), 'https://x.test/#accept=t').subject).to.equal('An administrator invited you to Acme on the partner portal');
  });

  it('escapes markup, drops CR/LF and bidi overrides from names, everywhere', function () {
    const email = invitationEmail(message('<img src=x onerror=alert(1)> & "Co"', 'Eve\r\nBcc: x@evil.test \u202Egnp.exe <script>alert(1)</script>'), 'https://x.test/#accept="><script>');
    expect(email.subject).not.to.match(/[\r\n\u202E]/);
    expect(email.subject).to.equal('Eve Bcc: x@evil.test gnp.exe <script>alert(1)</script> invited you to <img src=x onerror=alert(1)> & "Co" on the partner portal');
    expect(email.html).not.to.include('<script>').and.not.include('<img').and.not.include('\u202E');
    expect(email.html).to.include('&#60;script&#62;alert(1)&#60;/script&#62;').and.include('&#60;img src=x onerror=alert(1)&#62; &#38; &#34;Co&#34;');
    expect(email.html).to.include('href="https://x.test/#accept=&#34;&#62;&#60;script&#62;"');
    expect(email.text.split('\r\n')[0]).to.equal('Eve Bcc: x@evil.test gnp.exe <script>alert(1)</script> invited you to join <img src=x onerror=alert(1)> & "Co" as a partner user on the partner portal.');
  });
});
