import { describe, expect, it } from 'vitest';
import { movingAverage, svgLinePlot } from '../../../src-main/core/image/svg-plot';

const tickTexts = (svg: string, anchor: 'end' | 'middle') =>
  [...svg.matchAll(new RegExp(`text-anchor="${anchor}">([^<]*)<`, 'g'))].map((m) => m[1]);

describe('SVG line plot', () => {
  const svg = svgLinePlot(
    [
      { name: 'result <a>', values: [50.8, 20, 7.75], color: [255, 0, 0] },
      { name: 'input', values: [10, 12, 14], color: [0, 0, 255] },
    ],
    { xLabel: 'z slice (index)', yLabel: 'residual' },
  );

  it('labels its axes, names every series in a legend and escapes text', () => {
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('>z slice (index)</text>');
    expect(svg).toContain('>residual</text>');
    expect(svg).toContain('>result &lt;a&gt;</text>');
    expect(svg).toContain('>input</text>');
    expect(svg).toContain('font-family="system-ui');
    expect(svg.match(/<polyline/g)).toHaveLength(2);
  });

  it('ticks at round values covering the data (y 0–50.8 → 0…60 by 10)', () => {
    expect(tickTexts(svg, 'end')).toEqual(['0', '10', '20', '30', '40', '50', '60']);
    expect(tickTexts(svg, 'middle').filter((t) => /^[\d.]+$/.test(t!))).toEqual(['0', '0.5', '1', '1.5', '2']); // x spans the data, 0–2, exactly
  });

  it('uses a log axis only when every value is positive', () => {
    const log = svgLinePlot([{ name: 'loss', values: [3, 0.2, 0.011], color: [0, 0, 0] }], {
      xLabel: 'step',
      yLabel: 'loss',
      logY: true,
    });
    expect(tickTexts(log, 'end')).toEqual(['0.01', '0.1', '1', '10']);
    expect(log).toContain('loss (log scale)');
    const lin = svgLinePlot([{ name: 'loss', values: [3, 0, -1], color: [0, 0, 0] }], {
      xLabel: 'step',
      yLabel: 'loss',
      logY: true,
    });
    expect(lin).not.toContain('log scale');
  });
});

describe('SVG legend', () => {
  it('wraps into rows inside the plot width instead of running off the right edge', () => {
    const many = Array.from({ length: 10 }, (_, i) => ({
      name: `discriminator${i}`,
      values: [1, 2],
      color: [0, 0, 0] as [number, number, number],
    }));
    const svg = svgLinePlot(many, { xLabel: 'x', yLabel: 'y', width: 600 });
    const xs = [...svg.matchAll(/<text x="([\d.]+)" y="\d+">discriminator/g)].map((m) => Number(m[1]));
    const ys = new Set([...svg.matchAll(/<text x="[\d.]+" y="(\d+)">discriminator/g)].map((m) => m[1]));
    expect(xs).toHaveLength(10);
    for (const x of xs) expect(x + 'discriminator0'.length * 7.4).toBeLessThanOrEqual(600);
    expect(ys.size).toBeGreaterThan(1);
  });
});

describe('SVG x axis', () => {
  it('ends at the last data point, ticked inside it (slices 0–31 → 0…30 by 5)', () => {
    const svg = svgLinePlot([{ name: 'r', values: Array.from({ length: 32 }, (_, i) => i), color: [0, 0, 0] }], {
      xLabel: 'x',
      yLabel: 'y',
    });
    const xTicks = [...svg.matchAll(/text-anchor="middle">(\d+)</g)].map((m) => m[1]);
    expect(xTicks).toEqual(['0', '5', '10', '15', '20', '25', '30']);
    const last = svg
      .match(/points="([^"]*)"/)![1]!
      .split(' ')
      .at(-1)!
      .split(',')[0];
    expect(Number(last)).toBeCloseTo(720 - 16, 0); // the last slice sits on the right edge of the plot
  });
});

describe('SVG smoothing', () => {
  it('averages over a centred window and keeps gaps', () => {
    expect(movingAverage([1, 2, 3, 10, 5], 1)).toEqual([1.5, 2, 5, 6, 7.5]);
    expect(movingAverage([1, NaN, 3], 1)).toEqual([1, NaN, 3]);
  });

  it('draws noisy series faintly under their trend', () => {
    const noisy = Array.from({ length: 100 }, (_, i) => 1 + (i % 2));
    const svg = svgLinePlot([{ name: 'loss', values: noisy, color: [0, 0, 0] }], {
      xLabel: 'step',
      yLabel: 'loss',
      smooth: 0.1,
    });
    expect(svg.match(/stroke-opacity="0.25"/g)).toHaveLength(1);
    const ys = (attr: string) =>
      svg
        .match(new RegExp(`${attr} points="([^"]*)"`))![1]!
        .split(' ')
        .map((p) => Number(p.split(',')[1]))
        .slice(10, 90);
    const swing = (v: number[]) => Math.max(...v) - Math.min(...v);
    const raw = ys('stroke-opacity="0.25"'),
      trend = ys('stroke-width="2.2"');
    expect(swing(trend)).toBeLessThan(swing(raw) / 5); // an 11-point mean of 1,2,1,2…: 1/11 of the swing
    expect(svgLinePlot([{ name: 'l', values: noisy, color: [0, 0, 0] }], { xLabel: 's', yLabel: 'l' })).not.toContain(
      'stroke-opacity',
    );
  });
});
