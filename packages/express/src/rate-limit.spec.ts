import { expect } from 'chai';
import { FixedWindowRateLimiter } from './rate-limit.js';

describe('FixedWindowRateLimiter', function () {
  it('allows `limit` hits per key per window, then asks to wait until the window ends', function () {
    let now = 1_000_000;
    const limiter = new FixedWindowRateLimiter(2, 60_000, () => now);
    expect(limiter.hit('ada')).to.equal(0);
    expect(limiter.hit('ada')).to.equal(0);
    expect(limiter.hit('bob')).to.equal(0);
    now += 15_000;
    expect(limiter.hit('ada')).to.equal(45);
    now += 45_000;
    expect(limiter.hit('ada')).to.equal(0);
  });
});
