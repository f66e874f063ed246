import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { floorSec, formatApiDate, parseNextEndTime } from '../../src/talend/api-dates.ts';

const AT = Date.UTC(2021, 8, 1, 7, 1, 45);

describe('formatApiDate', () => {
  it('writes whole seconds in the documented yyyy-mm-ddThh:mm:ssZ form', () => {
    assert.equal(formatApiDate(AT), '2021-09-01T07:01:45Z');
  });

  it('keeps milliseconds only when there are some', () => {
    assert.equal(formatApiDate(AT + 123), '2021-09-01T07:01:45.123Z');
  });
});

describe('floorSec', () => {
  it('drops milliseconds', () => {
    assert.equal(floorSec(AT + 999), AT);
    assert.equal(floorSec(AT), AT);
  });
});

describe('parseNextEndTime', () => {
  it('reads the documented second-precision form', () => {
    assert.equal(parseNextEndTime('2021-09-01T07:01:45Z'), AT);
  });

  it('reads milliseconds and finer fractions', () => {
    assert.equal(parseNextEndTime('2021-09-01T07:01:45.123Z'), AT + 123);
    assert.equal(parseNextEndTime('2021-09-01T07:01:45.5Z'), AT + 500);
    assert.equal(parseNextEndTime('2021-09-01T07:01:45.123456Z'), AT + 123);
  });

  it('reads offsets and treats a zone-less date as UTC', () => {
    assert.equal(parseNextEndTime('2021-09-01T09:01:45+02:00'), AT);
    assert.equal(parseNextEndTime('2021-09-01T07:01:45+0000'), AT);
    assert.equal(parseNextEndTime('2021-09-01T07:01:45'), AT);
    assert.equal(parseNextEndTime('2021-09-01 07:01:45'), AT);
  });

  it('reads a bare epoch number, in milliseconds or (when too small for that) seconds', () => {
    assert.equal(parseNextEndTime(String(AT + 7)), AT + 7);
    assert.equal(parseNextEndTime(String(AT / 1000)), AT);
    assert.equal(parseNextEndTime(` ${AT} `), AT);
  });

  it('reads an HTTP date, as HTTP headers write dates', () => {
    assert.equal(parseNextEndTime('Wed, 01 Sep 2021 07:01:45 GMT'), AT);
    assert.equal(parseNextEndTime('Thu, 29 Feb 2024 23:59:59 GMT'), Date.UTC(2024, 1, 29, 23, 59, 59));
  });

  it('reads any of its forms in double or single quotes', () => {
    assert.equal(parseNextEndTime('"2021-09-01T07:01:45Z"'), AT);
    assert.equal(parseNextEndTime(' "2021-09-01T07:01:45.123Z" '), AT + 123);
    assert.equal(parseNextEndTime("'Wed, 01 Sep 2021 07:01:45 GMT'"), AT);
    assert.equal(parseNextEndTime(`"${AT / 1000}"`), AT);
  });

  it('returns undefined for missing or unreadable values', () => {
    for (const value of [
      undefined,
      '',
      '  ',
      'soon',
      '2021-13-01T00:00:00Z',
      'Wed, 01 Sep 2021 07:01:45 PST',
      '01 Sep 2021 07:01:45 GMT',
      '""',
      '"2021-09-01T07:01:45Z',
      '12ab',
    ]) {
      assert.equal(parseNextEndTime(value), undefined, String(value));
    }
  });
});
