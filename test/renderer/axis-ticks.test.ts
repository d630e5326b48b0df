// Plot axes with values a reader can read off: no "1e0.5" on a log axis, no step 1.5 on a step axis.
import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import LinePlot from '../../src-renderer/components/LinePlot.vue';
import { linearTicks, logTicks, tickLabel } from '../../src-renderer/lib/axis-ticks';

describe('axis ticks', () => {
  it('linear: 1-2-5 steps; whole numbers only on an integer axis', () => {
    expect(linearTicks(0, 7.75)).toEqual([0, 2, 4, 6]);
    expect(linearTicks(0.05, 0.93)).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(linearTicks(1, 3)).toEqual([1, 1.5, 2, 2.5, 3]);
    expect(linearTicks(1, 3, 5, true)).toEqual([1, 2, 3]);
    expect(linearTicks(0, 2400, 5, true)).toEqual([0, 500, 1000, 1500, 2000]);
  });

  it('log: decades, then 1-2-5 and 1-2-3-5 as the span narrows; values, not exponents', () => {
    expect(logTicks(0.07, 12)).toEqual([0.1, 1, 10]);
    expect(logTicks(0.07, 1.2)).toEqual([0.1, 0.2, 0.5, 1]);
    expect(logTicks(0.25, 0.9)).toEqual([0.3, 0.5]);
    expect(logTicks(1e-9, 1)).toEqual([1e-8, 1e-6, 1e-4, 0.01, 1]); // every other decade, 1 kept
    expect(logTicks(2e-11, 1.05)).toEqual([1e-10, 1e-8, 1e-6, 1e-4, 0.01, 1]);
    expect([0.1, 1, 10, 2400, 1e-5, 123456].map(tickLabel)).toEqual(['0.1', '1', '10', '2400', '1e-5', '1e5']);
  });

  it('the loss chart reads 0.1 / 1 / 10 and steps 1 / 2 / 3 (what the runs walk showed as 1e0.5 and 1.5)', () => {
    const series = [
      { name: 'generator', color: '#fff', x: [1, 2, 3], y: [10, 9.5, 8] },
      { name: 'cycle', color: '#f00', x: [1, 2, 3], y: [0.27, 0.2, 0.08] },
    ];
    const w = mount(LinePlot, { props: { series, logY: true } });
    expect(w.findAll('[data-testid="y-tick"]').map((t) => t.text())).toEqual(['0.1', '1', '10']);
    expect(w.findAll('[data-testid="x-tick"]').map((t) => t.text())).toEqual(['1', '2', '3']);
    // Each y tick sits where its value is: 1 is halfway (in log) between 0.1 and 10.
    const ys = w.findAll('[data-testid="y-tick"]').map((t) => Number(t.attributes('y')));
    expect(ys[0]! - ys[1]!).toBeCloseTo(ys[1]! - ys[2]!, 6);
  });
});
