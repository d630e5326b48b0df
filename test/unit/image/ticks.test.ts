import { describe, expect, it } from 'vitest';
import { logScale, niceScale, niceStep, niceTicks, tickLabel } from '../../../src-main/core/image/ticks';

describe('nice ticks', () => {
  it('step by 1, 2 or 5 × 10^k, the nearest to the raw step', () => {
    expect(niceStep(10.16)).toBe(10);
    expect(niceStep(1.55)).toBe(2);
    expect(niceStep(0.04)).toBe(0.05);
    expect(niceStep(3.3)).toBe(5);
    expect(niceStep(0.0011)).toBe(0.001);
  });

  it('tick a range with round values inside it (0–50.8 → 0…50 by 10)', () => {
    expect(niceTicks(0, 50.8)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(niceTicks(0.1, 0.75)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]); // no 0.30000000000000004
    expect(niceTicks(-3, 3)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
  });

  it('widen an axis to nice bounds (0–7.75 → 0…8 by 2)', () => {
    expect(niceScale(0, 7.75)).toEqual({ lo: 0, hi: 8, ticks: [0, 2, 4, 6, 8] });
    expect(niceScale(0, 199, 6)).toEqual({ lo: 0, hi: 200, ticks: [0, 50, 100, 150, 200] });
    const flat = niceScale(5, 5);
    expect(flat.lo).toBeLessThan(5);
    expect(flat.hi).toBeGreaterThan(5);
  });

  it('put a log axis on whole decades, with 2 and 5 between when it spans one decade', () => {
    expect(logScale(0.003, 0.8)).toEqual({ lo: 0.001, hi: 1, ticks: [0.001, 0.01, 0.1, 1] });
    expect(logScale(1.5, 9)).toEqual({ lo: 1, hi: 10, ticks: [1, 2, 5, 10] });
    expect(() => logScale(0, 1)).toThrow(RangeError);
  });

  it('label ticks without float noise, exponents only far from 1', () => {
    expect(tickLabel(0.30000000000000004)).toBe('0.3');
    expect(tickLabel(50)).toBe('50');
    expect(tickLabel(1e-4)).toBe('1e\u22124');
    expect(tickLabel(-0.4)).toBe('\u22120.4');
    expect(tickLabel(2e6)).toBe('2e6');
  });
});
