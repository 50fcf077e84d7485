import { describe, expect, it } from 'vitest';
import { addIsoDuration, compareIsoDurations, isIsoDuration } from '../../domain/duration.js';

describe('isIsoDuration', () => {
  it.each([
    ['P3D', true],
    ['P0D', true],
    ['PT0S', true],
    ['PT2H', true],
    ['PT1H30M', true],
    ['P1W', true],
    ['P1M2DT3H', true],
    ['P1Y2M3DT4H5M6S', true],
    ['P1.5D', true],
    ['P', false],
    ['PT', false],
    ['P1DT', false],
    ['P-1D', false],
    ['-P1D', false],
    ['P1H', false],
    ['p3d', false],
    ['3D', false],
    ['3 days', false],
    [' P3D', false],
    ['P3D ', false],
    ['', false],
  ])('%j is %s', (value, expected) => {
    expect(isIsoDuration(value)).toBe(expected);
  });
});

describe('addIsoDuration', () => {
  const utc = (iso: string) => Date.parse(iso);

  it.each([
    ['P1M from 31 Jan lands on 28 Feb', '2026-01-31T10:00:00Z', 'P1M', '2026-02-28T10:00:00Z'],
    ['P1M from 31 Jan of a leap year lands on 29 Feb', '2028-01-31T10:00:00Z', 'P1M', '2028-02-29T10:00:00Z'],
    ['P1M from 30 Apr lands on 30 May', '2026-04-30T00:00:00Z', 'P1M', '2026-05-30T00:00:00Z'],
    ['P1Y from 29 Feb lands on 28 Feb', '2028-02-29T00:00:00Z', 'P1Y', '2029-02-28T00:00:00Z'],
    ['P3D is three calendar days', '2026-01-30T23:30:00Z', 'P3D', '2026-02-02T23:30:00Z'],
    ['P1D across a US DST change is still 24 hours (UTC)', '2026-03-07T18:00:00Z', 'P1D', '2026-03-08T18:00:00Z'],
    ['PT90M', '2026-01-01T23:00:00Z', 'PT90M', '2026-01-02T00:30:00Z'],
    ['P1M2DT3H', '2026-01-31T00:00:00Z', 'P1M2DT3H', '2026-03-02T03:00:00Z'],
    ['P0D is the start', '2026-01-31T00:00:00Z', 'P0D', '2026-01-31T00:00:00Z'],
  ])('%s', (_name, start, offset, expected) => {
    expect(addIsoDuration(utc(start), offset)).toBe(utc(expected));
  });

  it('throws on an invalid duration', () => {
    expect(() => addIsoDuration(0, 'soon')).toThrow('invalid ISO-8601 duration: soon');
  });
});

describe('compareIsoDurations', () => {
  it.each([
    ['P1D', 'P2D', -1],
    ['P2D', 'P1D', 1],
    ['P1D', 'PT24H', 0],
    ['P3D', 'PT72H', 0],
    ['P1W', 'P7D', 0],
    ['PT0S', 'P0D', 0],
    ['PT1H', 'PT59M', 1],
    ['P1M', 'P30D', 1], // from the fixed reference (1 Jan) a month is 31 days
    ['P1M', 'P31D', 0],
    ['P1M', 'P32D', -1],
    ['P1Y', 'P12M', 0],
    ['P2M', 'P59D', 0], // 1 Jan + 2M is 1 Mar: the reference year 2001 is not a leap year
  ])('%s vs %s has sign %i', (a, b, sign) => {
    expect(Math.sign(compareIsoDurations(a, b))).toBe(sign);
  });
});
