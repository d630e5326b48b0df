import { describe, expect, it } from 'vitest';
import type { Shape3 } from '../../../src-main/core/io/volume';
import { affineFit, reblurCheck } from '../../../src-main/core/report/reblur';
import { parseLossHistory } from '../../../src-main/core/report/loss';
import { escapeHtml, renderHtml } from '../../../src-main/core/report/html';
import { makeRaster } from '../../../src-main/core/image/png';

/** Same-size centred convolution with zero padding, computed directly. */
function directBlur(v: Float32Array, [nz, ny, nx]: Shape3, k: Float32Array, r: number): Float32Array {
  const kn = 2 * r + 1;
  const out = new Float32Array(v.length);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        let s = 0;
        for (let a = -r; a <= r; a++)
          for (let b = -r; b <= r; b++)
            for (let c = -r; c <= r; c++) {
              const zz = z - a,
                yy = y - b,
                xx = x - c;
              if (zz < 0 || yy < 0 || xx < 0 || zz >= nz || yy >= ny || xx >= nx) continue;
              s += k[((a + r) * kn + b + r) * kn + c + r]! * v[(zz * ny + yy) * nx + xx]!;
            }
        out[(z * ny + y) * nx + x] = s;
      }
  return out;
}

describe('re-blur check', () => {
  const shape: Shape3 = [5, 12, 10];
  const k = Float32Array.from({ length: 27 }, (_, i) => (i === 13 ? 0.5 : 0.5 / 26));
  const truth = Float32Array.from({ length: 600 }, (_, i) => ((i * 2654435761) % 97) / 97);
  const blurred = directBlur(truth, shape, k, 1);
  const blur = (d: Float32Array) => directBlur(d, shape, k, 1);

  it('is zero when the result re-blurs exactly to the input, at any intensity scale', () => {
    const scaled = truth.map((v) => 3 * v); // (an offset would not survive zero-padded borders)
    const c = reblurCheck(blurred, scaled, shape, blur);
    expect(c.overall).toBeLessThan(1e-5);
    expect(c.perSlice.every((v) => v < 1e-5)).toBe(true);
    expect(c.gain).toBeCloseTo(1 / 3, 4);
    expect(c.inputOverall).toBeGreaterThan(0.01);
  });

  it('matches a direct per-slice computation for a wrong result', () => {
    const wrong = truth.map((v, i) => (i % 7 === 0 ? v + 1 : v));
    const c = reblurCheck(blurred, wrong, shape, blur);
    const rb = blur(wrong);
    const { gain, offset } = affineFit(rb, blurred);
    const plane = 120;
    for (let z = 0; z < 5; z++) {
      let n = 0,
        d = 0;
      for (let i = z * plane; i < (z + 1) * plane; i++) {
        n += (gain * rb[i]! + offset - blurred[i]!) ** 2;
        d += blurred[i]! ** 2;
      }
      expect(c.perSlice[z]).toBeCloseTo(Math.sqrt(n / d), 6);
    }
    expect(c.overall).toBeGreaterThan(0.01);
  });
});

describe('loss history', () => {
  it('reads JSON lines with nested losses', () => {
    const h = parseLossHistory(
      '{"step":1,"losses":{"gAB":2,"cycle":1}}\n{"step":5,"losses":{"gAB":1.5,"cycle":0.5}}\n',
    );
    expect(h.steps).toEqual([1, 5]);
    expect(h.series['losses.gAB']).toEqual([2, 1.5]);
  });
  it('reads a JSON array and CSV', () => {
    expect(parseLossHistory('[{"step":0,"total":3},{"step":1,"total":2}]').series.total).toEqual([3, 2]);
    const csv = parseLossHistory('step,epoch,d_loss,g_loss\n0,0,1,2\n10,0,0.5,1.5');
    expect(csv.steps).toEqual([0, 10]);
    expect(Object.keys(csv.series).sort()).toEqual(['d_loss', 'g_loss']); // step and epoch are axes, not series
  });
});

describe('HTML', () => {
  it('is self-contained: figures are data URIs and nothing is fetched', () => {
    const html = renderHtml('t <x>', 'intro & more', [
      { title: 'A', blocks: [{ kind: 'figure', raster: makeRaster(2, 2), caption: 'c', alt: 'a' }] },
    ]);
    expect(html).toContain('src="data:image/png;base64,');
    expect(html).not.toMatch(/<script|<link|src="http|href="http|@import/);
    expect(html).toContain('t &lt;x&gt;');
    expect(escapeHtml(`"'&`)).toBe('&quot;&#39;&amp;');
  });
});
