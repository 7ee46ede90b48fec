import type { UserActivity } from '@partner-team/core';
import { JwtSessionAuthenticator } from '@partner-team/express';
import { FixedClock, MemoryLogger } from '@partner-team/testing';
import { expect } from 'chai';
import type { Request } from 'express';
import { ActivityRecorder, ActivityRecordingAuthenticator } from './activity-recorder.js';

class RecordingDirectory {
  readonly writes: UserActivity[][] = [];
  failWith: Error | undefined;
  recordActivity(activity: readonly UserActivity[]): Promise<void> {
    this.writes.push([...activity]);
    return this.failWith === undefined ? Promise.resolve() : Promise.reject(this.failWith);
  }
}

describe('ActivityRecorder', function () {
  const clock = new FixedClock('2026-01-15T09:00:00.000Z');
  let time = 0;
  const now = () => time;
  beforeEach(function () {
    time = 0;
  });

  it('writes a burst of requests as at most one write per user per interval, several users in one batch', async function () {
    const directory = new RecordingDirectory();
    const recorder = new ActivityRecorder(directory, clock, new MemoryLogger(), { intervalMs: 60_000, flushDelayMs: 10_000 }, now);
    for (let i = 0; i < 1000; i += 1) {
      recorder.seen(i % 2 === 0 ? 'ada' : 'bob');
      time += 10; // 10 s of requests in all
    }
    await recorder.flush();
    expect(directory.writes).to.deep.equal([[{ userId: 'ada', at: clock.now() }, { userId: 'bob', at: clock.now() }]]);
    for (let i = 0; i < 100; i += 1) recorder.seen('ada');
    await recorder.flush();
    expect(directory.writes, 'still inside the interval').to.have.length(1);
    time = 60_000;
    recorder.seen('ada');
    recorder.seen('ada');
    await recorder.flush();
    expect(directory.writes.map((w) => w.map((a) => a.userId))).to.deep.equal([['ada', 'bob'], ['ada']]);
  });

  it('flushes by itself shortly after a user is seen, off the request path', async function () {
    const directory = new RecordingDirectory();
    const recorder = new ActivityRecorder(directory, clock, new MemoryLogger(), { intervalMs: 60_000, flushDelayMs: 20 });
    recorder.seen('ada');
    expect(directory.writes, 'nothing written while the request runs').to.be.empty;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(directory.writes).to.deep.equal([[{ userId: 'ada', at: clock.now() }]]);
  });

  it('never fails a request when the store fails: the failure is logged, the next interval writes again', async function () {
    const directory = new RecordingDirectory();
    directory.failWith = new Error('store down');
    const logger = new MemoryLogger();
    const recorder = new ActivityRecorder(directory, clock, logger, { intervalMs: 1000, flushDelayMs: 10_000 }, now);
    const sessions = new JwtSessionAuthenticator('a-session-secret-that-is-long-enough-32');
    const authenticator = new ActivityRecordingAuthenticator(sessions, recorder);
    const token = sessions.issue({ userId: 'ada', sessionId: 'session-0001' }, 600);
    const request = { headers: { cookie: `partner_session=${token}` } } as unknown as Request;
    expect(authenticator.authenticate(request), 'answered at once, not awaited').to.deep.equal({ userId: 'ada', sessionId: 'session-0001', credential: 'cookie' });
    await recorder.flush();
    expect(directory.writes).to.have.length(1);
    expect(logger.lines.map((l) => [l.level, l.message])).to.deep.equal([['warn', 'last activity not recorded']]);
    directory.failWith = undefined;
    time = 1000;
    expect(authenticator.authenticate(request)).to.deep.include({ userId: 'ada' });
    await recorder.flush();
    expect(directory.writes).to.have.length(2);
    expect(authenticator.authenticate({ headers: {} } as unknown as Request)).to.equal(undefined);
  });

  it('starts the interval at sign-in, which writes the activity itself', async function () {
    const directory = new RecordingDirectory();
    const recorder = new ActivityRecorder(directory, clock, new MemoryLogger(), { intervalMs: 60_000, flushDelayMs: 10_000 }, now);
    recorder.written('ada');
    recorder.seen('ada');
    await recorder.flush();
    expect(directory.writes).to.be.empty;
  });

  it('writes big batches in chunks', async function () {
    const directory = new RecordingDirectory();
    const recorder = new ActivityRecorder(directory, clock, new MemoryLogger(), { intervalMs: 60_000, flushDelayMs: 10_000, maxBatch: 2 }, now);
    for (const id of ['a', 'b', 'c', 'd', 'e']) recorder.seen(id);
    await recorder.flush();
    expect(directory.writes.map((w) => w.length)).to.deep.equal([2, 2, 1]);
  });
});
