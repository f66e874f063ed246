import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { numberLength, putByteString, putNumber } from '../../src/common/byte-writing.ts';

describe('byte writing', () => {
  it('writes numbers as String() does, small, large, fractional or negative', () => {
    const values = [0, 7, 9, 10, 99, 100, 2 ** 31 - 1, 2 ** 31, 1715911200000, 253402300799999];
    values.push(Number.MAX_SAFE_INTEGER, 1715911200000.5, -3, 1e21, 0.1);
    const target = Buffer.alloc(64, 0x2a);
    for (const value of values) {
      const end = putNumber(target, 3, value);
      assert.equal(numberLength(value), String(value).length, `length of ${value}`);
      assert.equal(target.toString('latin1', 3, end), String(value));
      assert.equal(target[2], 0x2a, `nothing written before ${value}`);
    }
  });

  it('writes a ByteString byte for byte', () => {
    const text = Buffer.from('é😀\n', 'utf8').toString('latin1');
    const target = Buffer.alloc(16);
    const end = putByteString(target, 2, text);
    assert.equal(end, 2 + 7);
    assert.equal(target.toString('utf8', 2, end), 'é😀\n');
  });
});
