import { expect } from 'chai';
import fc from 'fast-check';
import { decodeBase64Url, encodeBase64Url } from './base64url.js';

describe('base64url', function () {
  it('matches Node’s encoder and round-trips any text', function () {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const encoded = encodeBase64Url(text);
        expect(encoded).to.equal(Buffer.from(text, 'utf8').toString('base64url'));
        expect(decodeBase64Url(encoded)).to.equal(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses what is not base64url UTF-8', function () {
    for (const bad of ['a', 'ab=c', '$$$$', Buffer.from([0xff, 0xfe]).toString('base64url'), Buffer.from([0xc3]).toString('base64url')]) {
      expect(decodeBase64Url(bad), bad).to.equal(undefined);
    }
  });
});
