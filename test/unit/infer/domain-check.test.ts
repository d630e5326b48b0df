// The training-domain record (train/domain.ts) and the check of an input against it before the model is
// applied (infer/domain-check.ts): a 2D input to a 3D model is refused, a voxel size 3× the training one and a
// far intensity distribution are warned about (CLI stderr and --json), an old run without a record gets a note.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { makeVolume, type Shape3, type VoxelSize } from '../../../src-main/core/io/volume';
import { writeVolume } from '../../../src-main/core/io/index';
import {
  checkGeometry,
  checkIntensity,
  DOMAIN_FILE,
  ModelDomainError,
  readTrainingDomain,
  type TrainingDomain,
} from '../../../src-main/core/infer/domain-check';
import { trainingDomain } from '../../../src-main/core/train/domain';
import { readRunConfig } from '../../../src-main/core/infer/load';
import { preset } from '../../../src-main/core/train/config';
import { runCli } from '../../../src-main/cli/main';
import { writeReport } from '../../../src-main/core/report/files';
import { deconvolveFile } from '../../../src-main/core/infer/deconvolve';
import type { Predictor } from '../../../src-main/core/infer/predictor';
import { repoRoot, tempDir } from '../../helpers';

const shape: Shape3 = [6, 16, 14];
const vs: VoxelSize = { x: 0.2, y: 0.2, z: 0.5, unit: 'µm' };
const stack = (s: Shape3 = shape, v: VoxelSize = vs) =>
  makeVolume(
    Float32Array.from({ length: s[0] * s[1] * s[2] }, (_, i) => 10 + ((i * 7) % 50)),
    s,
    v,
  );
const cfg = preset('tiny');

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [],
    err: string[] = [];
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l), interactive: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('training domain record', () => {
  it('records dimensionality, voxel size and intensity statistics of the training stacks', () => {
    const d = trainingDomain([stack(), stack()], cfg);
    expect(d.dimensionality).toBe(3);
    expect(d.voxelSize).toEqual(vs);
    expect(d.stacks).toHaveLength(2);
    expect(d.intensity.raw.p50).toBeGreaterThan(10);
    expect(d.intensity.normalised.p50).toBeGreaterThan(0);
    expect(d.intensity.normalised.p99).toBeLessThanOrEqual(1);
  });
});

describe('domain check', () => {
  const d: TrainingDomain = trainingDomain([stack()], cfg);

  it('refuses a 2D input to a 3D model with a message that says what to do', () => {
    expect(() => checkGeometry(d, [1, 16, 14], vs, 'plane.tif')).toThrow(ModelDomainError);
    expect(() => checkGeometry(d, [1, 16, 14], vs, 'plane.tif')).toThrow(
      'plane.tif is 2D (1×16×14, one slice) but the model was trained on 3D stacks',
    );
  });
  it('warns at 3× the training voxel size, not within the tolerance, and converts units', () => {
    const w = checkGeometry(d, shape, { x: 0.6, y: 0.6, z: 0.5, unit: 'µm' }, 'big.tif');
    expect(w).toHaveLength(1);
    expect(w[0]).toContain(
      "big.tif: voxel size 0.6×0.6×0.5 µm differs from the model's training data (0.2×0.2×0.5 µm) by more than 25 % (x 3.00×, y 3.00×)",
    );
    expect(checkGeometry(d, shape, { x: 0.22, y: 0.18, z: 0.55, unit: 'µm' }, 'near.tif')).toEqual([]);
    expect(checkGeometry(d, shape, { x: 200, y: 200, z: 500, unit: 'nm' }, 'nm.tif')).toEqual([]);
    expect(checkGeometry(d, shape, { x: 1, y: 1, z: 1, unit: 'px' }, 'raw.tif')[0]).toContain('cannot be compared');
  });
  it('warns when the normalised intensities are far from training', () => {
    const t = d.intensity.normalised;
    expect(checkIntensity(d, t, 'same.tif')).toEqual([]);
    const w = checkIntensity(d, { p50: 0, p99: 0.05, mean: 0.01 }, 'sparse.tif');
    expect(w[0]).toMatch(
      /^sparse\.tif: its intensity distribution after normalisation is far from the training data's/,
    );
  });
  it('reads no record from an old run (never throws)', async () => {
    expect(await readTrainingDomain(join(repoRoot, 'test', 'fixtures', 'model-bars'))).toBeNull();
    const dir = tempDir();
    writeFileSync(join(dir, DOMAIN_FILE), '{ not json');
    expect(await readTrainingDomain(dir)).toBeNull();
  });
});

describe('cycledecon deconvolve with a domain record', () => {
  const dir = tempDir();
  const run = join(dir, 'model');
  cpSync(join(repoRoot, 'test', 'fixtures', 'model-bars'), run, { recursive: true });

  it('notes an old run without a record and deconvolves', async () => {
    await writeVolume(join(dir, 'a.tif'), stack());
    const r = await cli([
      'deconvolve',
      '--model',
      run,
      '--backend',
      'cpu',
      '--json',
      join(dir, 'a.tif'),
      join(dir, 'a0.tif'),
    ]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('note: ');
    expect(r.err).toContain('has no training-domain record');
    expect(JSON.parse(r.out).notes).toHaveLength(1);
  });

  it('refuses a 2D input and warns at 3× the voxel size (stderr and --json)', async () => {
    writeFileSync(join(run, DOMAIN_FILE), JSON.stringify(trainingDomain([stack()], await readRunConfig(run))));
    await writeVolume(join(dir, 'plane.tif'), stack([1, 16, 14]));
    const flat = await cli([
      'deconvolve',
      '--model',
      run,
      '--backend',
      'cpu',
      '--json',
      join(dir, 'plane.tif'),
      join(dir, 'p.tif'),
    ]);
    expect(flat.code).toBe(1);
    expect(JSON.parse(flat.out).failed[0].error).toContain(
      'is 2D (1×16×14, one slice) but the model was trained on 3D stacks',
    );
    expect(existsSync(join(dir, 'p.tif'))).toBe(false);

    await writeVolume(join(dir, 'coarse.tif'), stack(shape, { ...vs, x: 0.6, y: 0.6 }));
    const coarse = await cli([
      'deconvolve',
      '--model',
      run,
      '--backend',
      'cpu',
      '--json',
      join(dir, 'coarse.tif'),
      join(dir, 'c.tif'),
    ]);
    expect(coarse.code, coarse.err).toBe(0);
    const warnings = JSON.parse(coarse.out).warnings as string[];
    expect(warnings.filter((w) => w.includes("differs from the model's training data"))).toHaveLength(1);
    expect(coarse.err).toMatch(/warning: .*coarse\.tif: voxel size 0\.6×0\.6×0\.5 µm differs/);
    expect(JSON.parse(coarse.out).notes).toEqual([]);

    // The same data at the training voxel size: no domain warning.
    const same = await cli([
      'deconvolve',
      '--model',
      run,
      '--backend',
      'cpu',
      '--json',
      join(dir, 'a.tif'),
      join(dir, 'a1.tif'),
    ]);
    expect(JSON.parse(same.out).warnings).toEqual([]);
  });
});

describe('report with a run', () => {
  it("puts the input's domain warnings first, and notes an old run without a record", async () => {
    const dir = tempDir();
    const run = join(dir, 'model');
    cpSync(join(repoRoot, 'test', 'fixtures', 'model-bars'), run, { recursive: true });
    const coarse = { path: 'coarse.tif', volume: stack(shape, { ...vs, x: 0.6, y: 0.6 }) };
    const old = await writeReport(join(dir, 'r0'), { input: coarse, result: coarse, runDir: run });
    expect(old.json.domainWarnings).toEqual([]);
    expect(old.json.domainNote).toContain('has no training-domain record');
    writeFileSync(join(run, DOMAIN_FILE), JSON.stringify(trainingDomain([stack()], await readRunConfig(run))));
    const r = await writeReport(join(dir, 'r1'), { input: coarse, result: coarse, runDir: run });
    expect((r.json.domainWarnings as string[])[0]).toContain('coarse.tif: voxel size 0.6×0.6×0.5 µm differs');
    const html = readFileSync(r.htmlPath, 'utf8');
    expect(html.indexOf('outside the model')).toBeGreaterThan(0);
    expect(html.indexOf('outside the model')).toBeLessThan(html.indexOf('Input and result'));
  });
});

describe('deconvolveFile intensity check', () => {
  it('warns when the normalised intensities are far from training (sparse training, dense input), not when they match', async () => {
    const dir = tempDir();
    // Training: sparse bright points on a dark background; input: bright almost everywhere.
    const sparse = makeVolume(
      Float32Array.from({ length: 6 * 16 * 14 }, (_, i) => (i % 50 === 0 ? 1000 : 10 + (i % 3))),
      shape,
      vs,
    );
    const dense = makeVolume(
      Float32Array.from({ length: 6 * 16 * 14 }, (_, i) => (i % 50 === 0 ? 10 : 1000 + (i % 3))),
      shape,
      vs,
    );
    const predictor: Predictor = {
      method: 'test',
      predict: async (t) => t,
      multiple: 1,
      bytesPerVoxel: 16,
      overlap: 0,
      backend: 'js',
      details: {},
      dispose: () => undefined,
      normalisation: {
        pLow: cfg.normalisation.lowPercentile,
        pHigh: cfg.normalisation.highPercentile,
        clip: cfg.normalisation.clip,
      },
      domain: trainingDomain([sparse], { ...cfg, experimental: { normalisationScale: 'percentile' } }),
    };
    await writeVolume(join(dir, 'dense.tif'), dense);
    await writeVolume(join(dir, 'sparse.tif'), sparse);
    const far = await deconvolveFile(join(dir, 'dense.tif'), join(dir, 'o1.tif'), predictor, { tile: 'auto' });
    expect(far.warnings).toHaveLength(1);
    expect(far.warnings[0]).toContain(
      `${join(dir, 'dense.tif')}: its intensity distribution after normalisation is far from the training data's`,
    );
    const same = await deconvolveFile(join(dir, 'sparse.tif'), join(dir, 'o2.tif'), predictor, { tile: 'auto' });
    expect(same.warnings).toEqual([]);
  });
});
