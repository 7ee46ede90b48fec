import { connect } from 'node:net';
import { expect } from 'chai';
import { TestServer } from './test-support/test-server.js';

/** Sends a request whose body stops after its first bytes, then drops the connection, as a client that gives up does. */
async function abortedBody(baseUrl: string, path: string, headers: Record<string, string>): Promise<void> {
  const { hostname, port } = new URL(baseUrl);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve).once('error', reject);
  });
  const head = Object.entries({ host: `${hostname}:${port}`, 'content-type': 'application/json', 'content-length': '200', ...headers })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n{"email":"half`);
  // Long enough for the server to be reading the body when the client goes away.
  await new Promise((resolve) => setTimeout(resolve, 50));
  socket.destroy();
}

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

  it('treats an aborted request body as the client’s doing: no 5xx, no error line', async function () {
    const server = await TestServer.start();
    try {
      const ada = await server.signIn('ada');
      const headers = { cookie: `partner_session=${ada.token ?? ''}`, 'x-csrf-token': ada.csrfToken ?? '' };
      for (let n = 0; n < 20; n += 1) await abortedBody(server.baseUrl, '/api/partner-team/invitations', headers);
      await abortedBody(server.baseUrl, '/demo/sign-in', {});
      const aborted = () => server.logger.lines.filter((l) => l.message === 'request' && l.fields.route === 'POST /invitations');
      for (let wait = 0; wait < 200 && aborted().length < 20; wait += 1) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(aborted(), 'one request line per aborted request').to.have.length(20);
      expect(aborted().map((l) => l.fields.status).filter((status) => Number(status) >= 500)).to.deep.equal([]);
      expect(server.logger.lines.filter((l) => l.level === 'error').map((l) => l.message)).to.deep.equal([]);
      // The server still answers, and nothing was invited.
      expect((await ada.get('/invitations')).status).to.equal(200);
      expect(server.notifier.delivered).to.deep.equal([]);
    } finally {
      await server.close();
    }
  });
});
