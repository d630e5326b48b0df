// The report's own output check on the result (report/output-section.ts): flagged results come first, with the
// reason; an honest result passes; the artefact measures are in the JSON and the HTML.
import { describe, expect, it } from 'vitest';
import { makeVolume, type Shape3 } from '../../../src-main/core/io/volume';
import { buildReport } from '../../../src-main/core/report/build';
import { toolkitMeasures } from '../../../src-main/core/report/measures';
import { join } from 'node:path';
import { writeVolume } from '../../../src-main/core/io/index';
import { runCli } from '../../../src-main/cli/main';
import { tempDir } from '../../helpers';

const shape: Shape3 = [12, 24, 24];
const vs = { x: 0.1, y: 0.1, z: 0.25, unit: 'µm' };
const n = shape[0] * shape[1] * shape[2];
const at = (f: (z: number, y: number, x: number) => number) =>
  Float32Array.from({ length: n }, (_, i) => f(Math.floor(i / 576), Math.floor(i / 24) % 24, i % 24));
const gauss = (z: number, y: number, x: number, c: [number, number, number], s: number) =>
  Math.exp(-((z - c[0]) ** 2 + (y - c[1]) ** 2 + (x - c[2]) ** 2) / (2 * s * s));
const psf = makeVolume(
  at((z, y, x) =>
    Math.abs(z - 6) <= 2 && Math.abs(y - 12) <= 2 && Math.abs(x - 12) <= 2 ? gauss(z, y, x, [6, 12, 12], 1) : 0,
  ).slice(),
  shape,
  vs,
);
/** Two blobs blurred (σ 2.2) over a background of 100: the "input". */
const input = makeVolume(
  at((z, y, x) => 100 + 1000 * (gauss(z, y, x, [6, 8, 8], 2.2) + gauss(z, y, x, [6, 16, 15], 2.2))),
  shape,
  vs,
);
/** The same blobs sharper (σ 1.8): an honest deconvolution. */
const sharp = makeVolume(
  at((z, y, x) => 100 + 1500 * (gauss(z, y, x, [6, 8, 8], 1.8) + gauss(z, y, x, [6, 16, 15], 1.8))),
  shape,
  vs,
);

function report(result: Float32Array) {
  return buildReport(
    {
      input: { path: 'in.tif', volume: input },
      result: { path: 'out.tif', volume: makeVolume(result, shape, vs) },
      theoreticalPsf: { path: 'psf.tif', volume: psf },
    },
    toolkitMeasures,
  );
}
type Check = { passed: boolean; flags: { code: string; message: string }[]; message: string };

describe('report output check', () => {
  it('passes a sharper result of the same structure, and says so in the measures section', () => {
    const r = report(sharp.data);
    const c = r.json.outputCheck as Check;
    expect(c.flags).toEqual([]);
    expect(c.passed).toBe(true);
    expect(r.html).not.toContain('flagged by its output check');
    expect(r.html).toContain('Output check passed');
  });

  it('flags a result that re-blurs worse than the input (structure moved by 4 voxels), first in the report', () => {
    const moved = at((z, y, x) => 100 + 1500 * (gauss(z, y, x, [6, 8, 12], 1.8) + gauss(z, y, x, [6, 16, 19], 1.8)));
    const r = report(moved);
    const c = r.json.outputCheck as Check;
    const reblur = r.json.reblur as { overall: number; inputOverall: number };
    expect(reblur.overall).toBeGreaterThan(reblur.inputOverall);
    expect(c.passed).toBe(false);
    expect(c.flags.map((f) => f.code)).toContain('reblur-worse');
    expect(c.message).toContain(
      `explains the input worse than the input itself: relative residual ${reblur.overall.toPrecision(3)} vs ${reblur.inputOverall.toPrecision(3)}`,
    );
    const warnAt = r.html.indexOf('flagged by its output check');
    expect(warnAt).toBeGreaterThan(0);
    expect(warnAt).toBeLessThan(r.html.indexOf('Input and result'));
  });

  it('flags a checkerboard-contaminated result and reports its high-frequency share', () => {
    const r = report(sharp.data.map((v, i) => v + 60 * ((i + Math.floor(i / 24)) % 2 ? 1 : -1)));
    const c = r.json.outputCheck as Check;
    expect(c.flags.map((f) => f.code)).toContain('high-frequency-lateral');
    const a = r.json.artefacts as {
      input: { highFrequency: { lateral: number } };
      result: { highFrequency: { lateral: number } };
    };
    expect(a.result.highFrequency.lateral).toBeGreaterThan(3 * a.input.highFrequency.lateral);
    expect(r.html).toContain('a checkerboard or other invented fine texture');
  });

  it('flags negative light', () => {
    const r = report(
      sharp.data.map((v, i) => v - 5000 * gauss(Math.floor(i / 576), Math.floor(i / 24) % 24, i % 24, [6, 20, 4], 1.5)),
    );
    expect((r.json.outputCheck as Check).flags.map((f) => f.code)).toContain('negative-light');
  });

  it('puts domain warnings of the run first even when the result passes', () => {
    const r = buildReport(
      {
        input: { path: 'in.tif', volume: input },
        result: { path: 'out.tif', volume: sharp },
        run: { dir: 'run', domainWarnings: ['voxel size 3× the training data'] },
      },
      toolkitMeasures,
    );
    expect(r.html.indexOf('outside the model')).toBeLessThan(r.html.indexOf('Input and result'));
    expect(r.html).toContain('voxel size 3× the training data');
    expect(r.json.domainWarnings).toEqual(['voxel size 3× the training data']);
  });

  it('`cycledecon report` warns on stderr when the result is flagged, not when it passes', async () => {
    const dir = tempDir();
    await writeVolume(join(dir, 'in.tif'), input);
    await writeVolume(join(dir, 'psf.tif'), psf);
    await writeVolume(join(dir, 'sharp.tif'), sharp);
    await writeVolume(
      join(dir, 'bad.tif'),
      makeVolume(
        sharp.data.map((v, i) => v + 60 * ((i + Math.floor(i / 24)) % 2 ? 1 : -1)),
        shape,
        vs,
      ),
    );
    const run = async (result: string, out: string) => {
      const err: string[] = [];
      const code = await runCli(
        [
          'report',
          '--input',
          join(dir, 'in.tif'),
          '--result',
          join(dir, result),
          '--theoretical-psf',
          join(dir, 'psf.tif'),
          join(dir, out),
        ],
        { out: () => undefined, err: (l) => err.push(l) },
      );
      return { code, err: err.join('\n') };
    };
    const bad = await run('bad.tif', 'r1');
    expect(bad.code).toBe(0);
    expect(bad.err).toMatch(/^warning: Output check flagged: .*a checkerboard/m);
    expect((await run('sharp.tif', 'r2')).err).not.toContain('warning');
  });
});
