import { connect, type Socket } from 'node:net';
import { expect } from 'chai';
import { TestServer } from './test-support/test-server.js';

const requestTimeoutMs = 1500;
const headersTimeoutMs = 1000;

interface SlowClient {
  readonly socket: Socket;
  readonly opened: number;
  /** When the server closed the connection (we never close it before the end of the test). */
  closedAt: number | undefined;
  answer: string;
}

/** A client that sends its request (headers, or body after complete headers) one byte every 200 ms, for ever. */
async function slowClient(baseUrl: string, part: 'headers' | 'body'): Promise<SlowClient> {
  const { hostname, port } = new URL(baseUrl);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const client: SlowClient = { socket, opened: Date.now(), closedAt: undefined, answer: '' };
  socket.on('data', (chunk: Buffer) => {
    client.answer += chunk.toString('latin1');
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    client.closedAt = Date.now();
    clearInterval(drip);
  });
  if (part === 'body') socket.write(`POST /demo/sign-in HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n`);
  else socket.write(`GET /api/partner-team/healthz HTTP/1.1\r\n`);
  const drip = setInterval(() => {
    if (!socket.destroyed) socket.write(part === 'body' ? ' ' : 'x');
  }, 200);
  return client;
}

describe('slow clients', function () {
  this.timeout(30_000);

  it('cuts off slow bodies and slow headers within the configured bounds, while normal requests are answered', async function () {
    const server = await TestServer.start({ env: { REQUEST_TIMEOUT_MS: String(requestTimeoutMs), HEADERS_TIMEOUT_MS: String(headersTimeoutMs) } });
    const clients: SlowClient[] = [];
    try {
      for (let n = 0; n < 50; n += 1) clients.push(await slowClient(server.baseUrl, 'body'));
      for (let n = 0; n < 10; n += 1) clients.push(await slowClient(server.baseUrl, 'headers'));
      // While every slow connection is open, a normal request is answered.
      const ada = await server.signIn('ada');
      const members = await ada.get('/members');
      expect(members.status).to.equal(200);
      expect(clients.filter((c) => c.closedAt !== undefined), 'all slow connections were still open').to.have.length(0);

      // The server checks its connections at least every second: each bound plus that and some slack.
      const slack = 1000 + 1000;
      const deadline = Date.now() + requestTimeoutMs + slack;
      while (Date.now() < deadline && clients.some((c) => c.closedAt === undefined)) await new Promise((resolve) => setTimeout(resolve, 50));
      const open = clients.filter((c) => c.closedAt === undefined);
      expect(open, `${open.length} slow connections still open`).to.have.length(0);
      for (const c of clients.slice(0, 50)) {
        expect(c.closedAt! - c.opened, 'slow body closed within the request timeout').to.be.at.most(requestTimeoutMs + slack);
        expect(c.answer).to.match(/^HTTP\/1\.1 408 /);
      }
      for (const c of clients.slice(50)) expect(c.closedAt! - c.opened, 'slow headers closed within the headers timeout').to.be.at.most(headersTimeoutMs + slack);
      // Cutting them off is not our error.
      expect(server.logger.lines.filter((l) => l.level === 'error').map((l) => l.message)).to.deep.equal([]);
      expect((await ada.get('/members')).status).to.equal(200);
    } finally {
      for (const c of clients) c.socket.destroy();
      await server.close();
    }
  });
});
