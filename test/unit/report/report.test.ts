import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { makeVolume, type Shape3, type Volume } from '../../../src-main/core/io/volume';
import { writeVolume } from '../../../src-main/core/io/index';
import { buildReport } from '../../../src-main/core/report/build';
import { toolkitMeasures } from '../../../src-main/core/report/measures';
import { computeMetrics } from '../../../src-main/core/metrics/index';
import { analysePsf } from '../../../src-main/core/psf/analysis';
import { runCli } from '../../../src-main/cli/main';
import { tempDir } from '../../helpers';

const shape: Shape3 = [12, 20, 18];
const vs = { x: 0.1, y: 0.1, z: 0.25, unit: 'µm' };
const n = shape[0] * shape[1] * shape[2];
const gt = makeVolume(
  Float32Array.from({ length: n }, (_, i) => (i % 37 === 0 ? 100 : 1)),
  shape,
  vs,
);
const psfShape: Shape3 = [5, 5, 5];
const psf = makeVolume(
  Float32Array.from({ length: 125 }, (_, i) => {
    const z = Math.floor(i / 25) - 2,
      y = (Math.floor(i / 5) % 5) - 2,
      x = (i % 5) - 2;
    return Math.exp(-(x * x + y * y) / 2 - (z * z) / 4);
  }),
  psfShape,
  vs,
);

/** numpy 'reflect' index (mirror without repeating the edge). */
const reflect = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);

/** Direct same-size convolution with a centred, sum-normalised PSF and mirror boundary. */
function directConvolve(v: Float32Array, k: Volume): Float32Array {
  const [nz, ny, nx] = shape;
  const [kz, ky, kx] = k.shape;
  const sum = k.data.reduce((a, b) => a + b, 0);
  const out = new Float32Array(v.length);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        let s = 0;
        for (let a = 0; a < kz; a++)
          for (let b = 0; b < ky; b++)
            for (let c = 0; c < kx; c++) {
              const zz = reflect(z - (a - (kz >> 1)), nz),
                yy = reflect(y - (b - (ky >> 1)), ny),
                xx = reflect(x - (c - (kx >> 1)), nx);
              s += (k.data[(a * ky + b) * kx + c]! / sum) * v[(zz * ny + yy) * nx + xx]!;
            }
        out[(z * ny + y) * nx + x] = s;
      }
  return out;
}

const input = makeVolume(directConvolve(gt.data, psf), shape, vs);
const result = makeVolume(
  input.data.map((v, i) => 0.5 * v + 0.5 * gt.data[i]!),
  shape,
  vs,
);

describe('report', () => {
  const { json, html } = buildReport(
    {
      input: { path: 'in.tif', volume: input },
      result: { path: 'out.tif', volume: result },
      gt: { path: 'gt.tif', volume: gt },
      theoreticalPsf: { path: 'psf.tif', volume: psf },
      run: {
        dir: 'run',
        learnedPsf: { path: 'run/psf.tif', volume: psf },
        loss: { steps: [0, 1, 2], series: { generator: [3, 2, 1], supervised: [0, 0, 0] }, source: 'history.json' },
      },
      summary: { seconds: 2, voxelsPerSecond: 1000, backend: 'cpu', method: 'model' },
      clahe: true,
    },
    toolkitMeasures,
  );

  it('is a self-contained HTML page with every figure embedded', () => {
    expect(html).not.toMatch(/<script|<link|<iframe|src="(?!data:)|url\(/);
    // One titled panel per volume (input, result, ground truth), again with CLAHE, and one per PSF; plots are SVG.
    expect((html.match(/src="data:image\/png;base64,/g) ?? []).length).toBe(3 + 3 + 2);
    expect((html.match(/<svg /g) ?? []).length).toBe(4); // lateral and axial profiles, losses, re-blur
    for (const t of ['input', 'result', 'ground truth', 'input (CLAHE)', 'learned PSF', 'theoretical PSF'])
      expect(html).toContain(`<h3>${t}</h3>`);
    expect(html).toContain('>training step</text>');
    // Click to enlarge without a script: each panel's image sits in a label with a hidden checkbox whose :checked
    // state shows it full-window, scaled nearest-neighbour.
    expect(
      (html.match(/<label title="click to enlarge"><input type="checkbox" class="zoom"><img /g) ?? []).length,
    ).toBe(8);
    expect(html).toMatch(/\.panel input:checked\+img\{position:fixed/);
    expect(html).toContain('image-rendering:pixelated');
    expect(html).toContain('>z slice (index)</text>');
  });

  it('opens with a verdict read from its own JSON', () => {
    expect(json.verdict).toMatch(
      /^Re-blurred with the PSF, the result explains the input (better|worse) .* Against the ground truth it is better than the input/,
    );
    expect(json.verdict).toContain('The model comes from run run');
    const at = html.indexOf('class="verdict"');
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(html.indexOf('<h2>'));
  });

  it('reports the re-blur residual per slice as computed directly', () => {
    const r = json.reblur as { perSlice: number[]; gain: number; overall: number };
    const rb = directConvolve(result.data, psf);
    let sx = 0,
      sy = 0,
      sxx = 0,
      sxy = 0;
    for (let i = 0; i < n; i++) {
      sx += rb[i]!;
      sy += input.data[i]!;
      sxx += rb[i]! ** 2;
      sxy += rb[i]! * input.data[i]!;
    }
    const gain = (sxy - (sx * sy) / n) / (sxx - (sx * sx) / n),
      offset = (sy - gain * sx) / n;
    expect(r.gain).toBeCloseTo(gain, 3);
    const plane = shape[1] * shape[2];
    for (let z = 0; z < shape[0]; z++) {
      let num = 0,
        den = 0;
      for (let i = z * plane; i < (z + 1) * plane; i++) {
        num += (gain * rb[i]! + offset - input.data[i]!) ** 2;
        den += input.data[i]! ** 2;
      }
      expect(r.perSlice[z]).toBeCloseTo(Math.sqrt(num / den), 4);
    }
    expect(r.overall).toBeGreaterThan(0.001); // the half-sharp result does not re-blur to the input exactly
  });

  it('reports metrics and PSF widths equal to the toolkit computed directly', () => {
    const m = (json.metrics as { vsGroundTruth: Record<string, { psnr: number; ssim3d: number }> }).vsGroundTruth;
    const direct = computeMetrics(gt, result);
    expect(m.result!.psnr).toBeCloseTo(direct.psnr, 10);
    expect(m.result!.ssim3d).toBeCloseTo(direct.ssim3d!, 10);
    expect(m.result!.psnr).toBeGreaterThan(m.input!.psnr);
    const p = json.psf as {
      learned: { fwhm: { z: number }; nccWithTheoretical: number };
      theoretical: { fwhm: { x: number } };
    };
    expect(p.theoretical.fwhm.x).toBeCloseTo(analysePsf(psf).fwhm.x, 10);
    expect(p.learned.nccWithTheoretical).toBeCloseTo(1, 5);
    expect((json.timing as { voxelsPerSecond: number }).voxelsPerSecond).toBe(1000);
  });

  it('puts a failed output check of the run first, in the HTML and the JSON; a passed or missing one adds no warning', () => {
    const base = { input: { path: 'in.tif', volume: input }, result: { path: 'out.tif', volume: result } };
    const message = 'G_AB output unrelated to its input (test)';
    const flagged = buildReport(
      { ...base, run: { dir: 'run', outputCheck: { collapsed: true, message } } },
      toolkitMeasures,
    );
    expect((flagged.json.run as { outputCheck: unknown }).outputCheck).toEqual({ collapsed: true, message });
    const warnAt = flagged.html.indexOf('the model failed its output check');
    expect(warnAt).toBeGreaterThan(0);
    expect(flagged.html.indexOf(message)).toBeGreaterThan(warnAt);
    expect(warnAt).toBeLessThan(flagged.html.indexOf('Input and result'));
    for (const outputCheck of [{ collapsed: false, message: 'fine' }, null, undefined]) {
      const r = buildReport({ ...base, run: { dir: 'run', outputCheck } }, toolkitMeasures);
      expect(r.html).not.toContain('failed its output check');
      expect((r.json.run as { outputCheck: unknown }).outputCheck).toEqual(outputCheck ?? null);
    }
  });

  it('an external result with no timing or backend recorded gets no empty Timing table', () => {
    const r = buildReport(
      { input: { path: 'in.tif', volume: input }, result: { path: 'aq.tif', volume: result } },
      toolkitMeasures,
    );
    expect(result.metadata.extra['cycledecon.backend']).toBeUndefined();
    expect(r.html).not.toContain('Timing and backend');
    const timed = buildReport(
      {
        input: { path: 'in.tif', volume: input },
        result: { path: 'out.tif', volume: result },
        summary: { seconds: 2, voxelsPerSecond: 1000, backend: 'cpu', method: 'rl' },
      },
      toolkitMeasures,
    );
    expect(timed.html).toContain('Timing and backend');
  });

  it('is written by `cycledecon report` as report.html + report.json', async () => {
    const dir = tempDir();
    await writeVolume(join(dir, 'in.tif'), input);
    await writeVolume(join(dir, 'out.tif'), result);
    await writeVolume(join(dir, 'gt.tif'), gt);
    const lines: string[] = [];
    const code = await runCli(
      [
        'report',
        '--input',
        join(dir, 'in.tif'),
        '--result',
        join(dir, 'out.tif'),
        '--gt',
        join(dir, 'gt.tif'),
        join(dir, 'rep'),
      ],
      { out: (l) => lines.push(l), err: (l) => lines.push(l) },
    );
    expect(code, lines.join('\n')).toBe(0);
    const saved = JSON.parse(readFileSync(join(dir, 'rep', 'report.json'), 'utf8'));
    expect(saved.metrics.vsGroundTruth.result.psnr).toBeCloseTo(computeMetrics(gt, result).psnr, 4);
    expect(readFileSync(join(dir, 'rep', 'report.html'), 'utf8')).toContain('<!DOCTYPE html>');
    expect(
      await runCli(['report', '--input', join(dir, 'in.tif'), '--result', join(dir, 'out.tif'), join(dir, 'rep')], {
        out: () => undefined,
        err: () => undefined,
      }),
    ).toBe(1); // exists, no --force
  });
});
