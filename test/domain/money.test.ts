import { describe, expect, it } from 'vitest';
import { formatMoney, isCurrency } from '../../domain/money.js';

describe('formatMoney', () => {
  it.each([
    [123_456, 'USD', '$1,234.56'],
    [5, 'USD', '$0.05'],
    [0, 'USD', '$0.00'],
    [100_000_000, 'USD', '$1,000,000.00'],
    [12_345, 'GBP', '£123.45'],
    [123_456, 'EUR', '€1,234.56'],
    // JPY has no minor unit: the amount is whole yen.
    [123_456, 'JPY', '¥123,456'],
    [1, 'JPY', '¥1'],
    // BHD has three decimals (fils).
    [1_234, 'BHD', 'BHD\u00a01.234'],
  ])('%i minor units of %s is %j', (minor, currency, expected) => {
    expect(formatMoney(minor, currency)).toBe(expected);
  });
});

describe('isCurrency', () => {
  it.each([
    ['USD', true],
    ['JPY', true],
    ['EUR', true],
    ['BHD', true],
    ['usd', false],
    ['XYZ', false],
    ['US', false],
    ['USDX', false],
    ['', false],
  ])('%j is %s', (code, expected) => {
    expect(isCurrency(code)).toBe(expected);
  });
});
