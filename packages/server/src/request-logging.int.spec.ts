import { expect } from 'chai';
import { TestServer } from './test-support/test-server.js';

describe('request logging', function () {
  it('logs one structured line per request, with no session token, session id, CSRF value or invitation token', async function () {
    const server = await TestServer.start();
    try {
      const ada = await server.signIn('ada');
      await ada.get('/members?q=turing');
      await ada.patch('/members/cy', { role: 'partner_admin' });
      expect((await ada.post('/invitations', { email: 'logged@example.test', role: 'partner_user' })).status).to.equal(201);
      const newbie = await server.signIn('newbie');
      expect((await newbie.post('/invitations/accept', { token: server.seedTokens[0] })).status).to.equal(200);
      await ada.get('/me', { headers: { 'x-request-id': 'trace-me-1' } });

      // Seven requests were answered; their lines are written on the responses' 'finish' events.
      for (let wait = 0; wait < 50 && server.logger.lines.filter((l) => l.message === 'request').length < 7; wait += 1) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const text = JSON.stringify(server.logger.lines);
      const sessionIds = [ada, newbie].map((c) => server.sessions.verify(c.token!)?.sessionId);
      const secrets = [ada.token, newbie.token, ada.csrfToken, newbie.csrfToken, ...sessionIds, server.seedTokens[0], server.notifier.tokenFor('logged@example.test')];
      expect(secrets).to.have.length(8);
      for (const secret of secrets) {
        // `not.include(undefined)` would pass: each value looked for must be a real one.
        expect(secret).to.be.a('string').and.not.equal('');
        expect(text).not.to.include(secret);
      }
      const requests = server.logger.lines.filter((l) => l.message === 'request');
      expect(requests).to.have.length(7);
      expect(requests.find((l) => l.fields.requestId === 'trace-me-1')?.fields).to.include({ method: 'GET', route: 'GET /me', status: 200, userId: 'ada' });
      expect(requests.every((l) => typeof l.fields.durationMs === 'number')).to.equal(true);
    } finally {
      await server.close();
    }
  });
});
