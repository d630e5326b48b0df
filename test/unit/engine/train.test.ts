import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { resolveTrainConfig, type TrainConfigOverrides } from '../../../src-main/core/train/config';
import { train } from '../../../src-main/core/train/trainer';
import type { TrainEvent } from '../../../src-main/core/train/events';
import { loadCheckpoint } from '../../../src-main/core/train/checkpoint';
import { NumericError } from '../../../src-main/core/errors';
import { mulberry32, tempDir } from '../../helpers';
import { makeVolume } from '../../../src-main/core/io/volume';
import { PatchSampler } from '../../../src-main/core/train/data';
import { syntheticPair } from './train-helpers';

await tf.setBackend('cpu');
const data = syntheticPair();

function tiny(over: TrainConfigOverrides = {}) {
  return resolveTrainConfig('tiny', { seed: 3, ...over });
}

describe('trainer (tiny preset, cpu)', { timeout: 60_000 }, () => {
  it('trains a few steps: finite losses, PSF constraints after every step, no tensor leak, run files', async () => {
    const events: TrainEvent[] = [];
    const tensors: number[] = [];
    const out = tempDir();
    const res = await train(tiny({ maxSteps: 5, psfSnapshotEvery: 1 }), {
      blurred: [data.blurred],
      sharp: [data.sharp],
      outDir: out,
      onProgress: (e) => {
        events.push(e);
        if (e.type === 'step') tensors.push(tf.memory().numTensors);
      },
    });
    expect(res.steps).toBe(5);
    const steps = events.filter((e) => e.type === 'step');
    expect(steps).toHaveLength(5);
    for (const e of steps) for (const v of Object.values(e.losses)) expect(Number.isFinite(v)).toBe(true);
    expect(steps[0]!.losses.discriminatorA).toBeGreaterThan(0);
    expect(steps[0]!.losses.cycleA).toBeGreaterThan(0);
    const psfs = events.filter((e) => e.type === 'psf');
    expect(psfs).toHaveLength(5);
    for (const p of psfs) {
      let sum = 0,
        min = Infinity;
      const com = [0, 0, 0];
      for (let z = 0, i = 0; z < 5; z++)
        for (let y = 0; y < 5; y++)
          for (let x = 0; x < 5; x++, i++) {
            const v = p.data[i]!;
            sum += v;
            min = Math.min(min, v);
            com[0]! += v * z;
            com[1]! += v * y;
            com[2]! += v * x;
          }
      expect(min).toBeGreaterThanOrEqual(0);
      expect(sum).toBeCloseTo(1, 5);
      for (const c of com) expect(Math.abs(c / sum - 2)).toBeLessThanOrEqual(0.5 + 1e-6);
    }
    expect(new Set(tensors.slice(1)).size).toBe(1); // constant after the first step (no growth)
    expect(tf.memory().numTensors).toBe(0); // everything disposed at the end
    for (const f of [
      'config.json',
      'history.csv',
      'history.json',
      'psf.json',
      'psf.tif',
      'weights/model.json',
      'checkpoint/checkpoint.json',
      'output-check.json',
      'domain.json',
    ])
      expect(existsSync(join(out, f))).toBe(true);
    expect(readFileSync(join(out, 'history.csv'), 'utf8').trim().split('\n')).toHaveLength(6);
    // the output check ran on four patches and is what the result reports
    const check = JSON.parse(readFileSync(join(out, 'output-check.json'), 'utf8')) as typeof res.outputCheck;
    expect(check.perPatch).toHaveLength(4);
    expect(check.correlation).toBe(res.outputCheck.correlation);
    // Flagged when unrelated to its input or failing the patch re-blur / high-frequency checks (output-check.ts).
    expect(check.collapsed).toBe(!(check.correlation >= check.threshold) || check.flags!.length > 0);
    expect(check.collapsed).toBe(res.outputCheck.collapsed);
  });

  it('generator loss decreases on an easy synthetic case', async () => {
    const res = await train(
      tiny({
        maxSteps: 12,
        optimiser: { lr: 2e-3, epochs: 8, decayStartEpoch: 8 },
        augmentation: { flip: false, rotate90: false, translate: 0, scale: [1, 1] },
      }),
      {
        blurred: [data.blurred],
        sharp: [data.sharp],
        outDir: tempDir(),
      },
    );
    const g = res.history.map((r) => r.generator);
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    expect(mean(g.slice(-4))).toBeLessThan(mean(g.slice(0, 4)));
  });

  const historyOf = (d: string) =>
    JSON.parse(readFileSync(join(d, 'history.json'), 'utf8')).map((r: { generator: number }) => r.generator);

  it.each(['none', 'estimated'] as const)(
    'resume continues bit-identically (4 straight vs 2 + resume 2), fakeNoise %s',
    async (fakeNoise) => {
      const straight = tempDir();
      await train(tiny({ maxSteps: 4, fakeNoise }), { blurred: [data.blurred], sharp: [data.sharp], outDir: straight });
      const split = tempDir();
      await train(tiny({ maxSteps: 2, fakeNoise }), { blurred: [data.blurred], sharp: [data.sharp], outDir: split });
      await train(tiny({ maxSteps: 4, fakeNoise }), {
        blurred: [data.blurred],
        sharp: [data.sharp],
        outDir: split,
        resume: true,
      });
      const a = await loadCheckpoint(straight);
      const b = await loadCheckpoint(split);
      expect(b.step).toBe(4);
      expect(b.rng).toEqual(a.rng);
      expect(b.variables.map((v) => v.name)).toEqual(a.variables.map((v) => v.name));
      a.variables.forEach((v, i) =>
        expect(Buffer.from(b.variables[i]!.data.buffer).equals(Buffer.from(v.data.buffer))).toBe(true),
      );
      expect(b.gOpt.t).toBe(a.gOpt.t);
      a.gOpt.slots.forEach((s, i) => expect(Array.from(b.gOpt.slots[i]!.v)).toEqual(Array.from(s.v)));
      expect(historyOf(split)).toEqual(historyOf(straight));
    },
  );

  it('fakeNoise estimated changes the synthetic blurred volume: same seed, different generator losses', async () => {
    const plain = tempDir(),
      noisy = tempDir();
    const rand = mulberry32(5);
    const peak = data.blurred.data.reduce((m, v) => Math.max(m, v), 0);
    const blurred = makeVolume(
      data.blurred.data.map((v) => v + 0.1 * peak * (rand() + rand() + rand() - 1.5)),
      data.blurred.shape,
      data.blurred.voxelSize,
      'synthetic',
    );
    await train(tiny({ maxSteps: 2 }), { blurred: [blurred], sharp: [data.sharp], outDir: plain });
    await train(tiny({ maxSteps: 2, fakeNoise: 'estimated' }), {
      blurred: [blurred],
      sharp: [data.sharp],
      outDir: noisy,
    });
    const [p, n] = [historyOf(plain), historyOf(noisy)];
    expect(n.every(Number.isFinite)).toBe(true);
    expect(n[0]).not.toBe(p[0]);
  });

  it('the learned background starts at the median gap between the domains (a blurred stack with an offset)', async () => {
    const out = tempDir();
    // A camera offset with noise around it: the low percentile sits below the offset, so the background survives
    // normalisation (as in bench:science's data, whose gap is ≈ 0.44).
    const c = 0.3 * data.blurred.data.reduce((m, v) => Math.max(m, v), 0);
    const rand = mulberry32(7);
    const offset = makeVolume(
      data.blurred.data.map((v) => v + c + c * (2 * rand() - 1)),
      data.blurred.shape,
      data.blurred.voxelSize,
      'synthetic',
    );
    const cfg = tiny({ maxSteps: 1, checkpointEvery: 1, background: true });
    const gap = new PatchSampler([offset], [data.sharp], cfg).backgroundGap();
    expect(gap).toBeGreaterThan(0.05);
    await train(cfg, { blurred: [offset], sharp: [data.sharp], outDir: out });
    const bg = (await loadCheckpoint(out)).variables.find((v) => v.name.endsWith('background'))!;
    expect(Math.abs(bg.data[0]! - gap)).toBeLessThan(2 * cfg.optimiser.lr); // one Adam step from the initial value
    expect(new PatchSampler([data.sharp], [data.sharp], cfg).backgroundGap()).toBe(0);
  });

  it('NaN in a loss stops with NumericError and keeps the last good checkpoint', async () => {
    const out = tempDir();
    await expect(
      train(tiny({ maxSteps: 6, checkpointEvery: 2 }), {
        blurred: [data.blurred],
        sharp: [data.sharp],
        outDir: out,
        injectNanAtStep: 3,
      }),
    ).rejects.toThrow(NumericError);
    const ck = await loadCheckpoint(out);
    expect(ck.step).toBe(2);
    for (const v of ck.variables) expect(v.data.every(Number.isFinite)).toBe(true);
    expect(tf.memory().numTensors).toBe(0);
  });

  it('cancel stops between steps and leaves a resumable checkpoint', async () => {
    const ctl = new AbortController();
    const out = tempDir();
    const res = await train(tiny({ maxSteps: 50 }), {
      blurred: [data.blurred],
      sharp: [data.sharp],
      outDir: out,
      signal: ctl.signal,
      onProgress: (e) => {
        if (e.type === 'step' && e.step === 2) ctl.abort();
      },
    });
    expect(res.cancelled).toBe(true);
    expect(res.steps).toBe(2);
    expect((await loadCheckpoint(out)).step).toBe(2);
  });
});
