import { Writable } from 'node:stream';
import { expect } from 'chai';
import winston from 'winston';
import { WinstonLogger, redact } from './winston-logger.js';

describe('winston logging', function () {
  it('redacts secret-looking fields at any depth', function () {
    expect(redact({ token: 'abc', nested: { csrfToken: 'x', sessionId: 'y', ok: 1 }, list: [{ authorization: 'Bearer z' }] })).to.deep.equal({
      token: '[redacted]',
      nested: { csrfToken: '[redacted]', sessionId: '[redacted]', ok: 1 },
      list: [{ authorization: '[redacted]' }],
    });
  });

  it('writes one JSON line per entry through winston', function () {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    // winston's typings declare its transports apart from TransportStream, though they extend it.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    const logger = new WinstonLogger('info', new winston.transports.Stream({ stream: sink }));
    logger.info('request', { requestId: 'r1', cookie: 'partner_session=secret' });
    logger.debug('hidden');
    expect(lines).to.have.length(1);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).to.include({ level: 'info', message: 'request', requestId: 'r1', cookie: '[redacted]' });
    expect(lines[0]).not.to.include('secret');
  });
});

describe('CoalescingStdoutTransport', function () {
  it('writes every line, several per write when they arrive in one turn of the event loop', async function () {
    const { CoalescingStdoutTransport } = await import('./coalescing-stdout.js');
    const writes: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        writes.push(chunk.toString());
        callback();
      },
    });
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    const logger = new WinstonLogger('info', new CoalescingStdoutTransport(sink));
    for (let n = 0; n < 5; n += 1) logger.info('request', { n });
    await new Promise((resolve) => setImmediate(resolve));
    logger.info('later', {});
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).to.have.length(2);
    const lines = writes.join('').trim().split('\n').map((l) => JSON.parse(l) as { message: string; n?: number });
    expect(lines.map((l) => l.n ?? l.message)).to.deep.equal([0, 1, 2, 3, 4, 'later']);
  });
});
