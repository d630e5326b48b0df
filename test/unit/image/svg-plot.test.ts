import { describe, expect, it } from 'vitest';
import { svgLinePlot } from '../../../src-main/core/image/svg-plot';

const tickTexts = (svg: string, anchor: 'end' | 'middle') => [...svg.matchAll(new RegExp(`text-anchor="${anchor}">([^<]*)<`, 'g'))].map((m) => m[1]);

describe('SVG line plot', () => {
  const svg = svgLinePlot([{ name: 'result <a>', values: [50.8, 20, 7.75], color: [255, 0, 0] }, { name: 'input', values: [10, 12, 14], color: [0, 0, 255] }], { xLabel: 'z slice (index)', yLabel: 'residual' });

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
    expect(tickTexts(svg, 'middle').filter((t) => /^[\d.]+$/.test(t!))).toEqual(['0', '0.5', '1', '1.5', '2']);
  });

  it('uses a log axis only when every value is positive', () => {
    const log = svgLinePlot([{ name: 'loss', values: [3, 0.2, 0.011], color: [0, 0, 0] }], { xLabel: 'step', yLabel: 'loss', logY: true });
    expect(tickTexts(log, 'end')).toEqual(['0.01', '0.1', '1', '10']);
    expect(log).toContain('loss (log scale)');
    const lin = svgLinePlot([{ name: 'loss', values: [3, 0, -1], color: [0, 0, 0] }], { xLabel: 'step', yLabel: 'loss', logY: true });
    expect(lin).not.toContain('log scale');
  });
});
