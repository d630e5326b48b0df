import { describe, expect, it } from 'vitest';
import { formatNumber } from '../../../src-main/core/report/html';

describe('report number formatting', () => {
  it('writes unmeasurable values as n/a, keeps infinities, and uses 4 significant digits', () => {
    expect(formatNumber(Number.NaN)).toBe('n/a');
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(formatNumber(1.23456)).toBe('1.235');
    expect(formatNumber(12)).toBe('12');
    expect(formatNumber(2.5e-5)).toBe('2.500e-5');
  });
});
