// The post-training check that G_AB's output depends on its input (train/output-check.ts): an identity
// generator passes with correlation 1, a generator whose output ignores its input (a fixed texture, or a constant)
// is flagged, a scaled and offset copy passes, and nothing is left allocated.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkGeneratorOutput,
  MIN_INPUT_CORRELATION,
  writeOutputCheck,
} from '../../../src-main/core/train/output-check';
import {
  OUTPUT_CHECK_FILE,
  readOutputCheck,
  readOutputCheckWarnings,
} from '../../../src-main/core/train/output-check-file';
import type { Module } from '../../../src-main/core/nn/models/types';
import { mulberry32 } from './gradcheck';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const N = 8;
const patch = (seed: number) => {
  const rnd = mulberry32(seed);
  return Float32Array.from({ length: N ** 3 }, () => rnd());
};
const module = (apply: (x: tf.Tensor5D) => tf.Tensor5D): Module => ({ name: 'G_AB', variables: () => [], apply });

describe('checkGeneratorOutput', () => {
  const patches = [1, 2, 3, 4].map(patch);

  it('passes an identity and an affine copy of the input', async () => {
    const before = tf.memory().numTensors;
    const id = await checkGeneratorOutput(
      module((x) => tf.clone(x)),
      patches,
      N,
    );
    expect(id.perPatch).toHaveLength(4);
    for (const r of id.perPatch) expect(r).toBeCloseTo(1, 6);
    expect(id.collapsed).toBe(false);
    const affine = await checkGeneratorOutput(
      module((x) => tf.add(tf.mul(x, 0.2), -3)),
      patches,
      N,
    );
    expect(affine.correlation).toBeCloseTo(1, 5);
    expect(affine.collapsed).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('flags an output that ignores the input (a fixed texture) and a constant output', async () => {
    const texture = tf.tensor5d(patch(99), [1, N, N, N, 1]);
    const t = await checkGeneratorOutput(
      module((x) => tf.add(tf.mul(x, 0), texture)),
      patches,
      N,
    );
    expect(Math.abs(t.correlation)).toBeLessThan(MIN_INPUT_CORRELATION);
    expect(t.collapsed).toBe(true);
    expect(t.message).toMatch(/nearly unrelated to its input/);
    texture.dispose();
    const c = await checkGeneratorOutput(
      module((x) => tf.zerosLike(x)),
      patches,
      N,
    );
    expect(c.correlation).toBe(0);
    expect(c.collapsed).toBe(true);
  });

  it('reports the median over patches', async () => {
    // half the patches: identity (r = 1); the other half: negated (r = −1) → median 0 → flagged
    let calls = 0;
    const mixed = await checkGeneratorOutput(
      module((x) => (calls++ % 2 === 0 ? tf.clone(x) : tf.neg(x))),
      patches,
      N,
    );
    expect(mixed.perPatch.map((r) => Math.round(r))).toEqual([1, -1, 1, -1]);
    expect(mixed.correlation).toBeCloseTo(0, 6);
    expect(mixed.collapsed).toBe(true);
  });
});

describe('checkGeneratorOutput: re-blur and artefacts', () => {
  const M = 16;
  const g = (z: number, y: number, x: number, c: number[], s: number) =>
    Math.exp(-((z - c[0]!) ** 2 + (y - c[1]!) ** 2 + (x - c[2]!) ** 2) / (2 * s * s));
  /** Smooth patches (two blobs, σ 2) on a small background, as normalised training patches. */
  const smooth = [3, 5, 7, 9].map((o) =>
    Float32Array.from({ length: M ** 3 }, (_, i) => {
      const z = Math.floor(i / 256),
        y = Math.floor(i / 16) % 16,
        x = i % 16;
      return 0.05 + 0.8 * (g(z, y, x, [8, o, 5], 2) + g(z, y, x, [8, 16 - o, 11], 2));
    }),
  );
  const psf = {
    data: Float32Array.from({ length: 125 }, (_, i) =>
      g(Math.floor(i / 25), Math.floor(i / 5) % 5, i % 5, [2, 2, 2], 1),
    ),
    shape: [5, 5, 5] as [number, number, number],
  };

  it('passes an identity with the learned PSF and reports both re-blur residuals', async () => {
    const c = await checkGeneratorOutput(
      module((x) => tf.clone(x)),
      smooth,
      M,
      psf,
    );
    expect(c.collapsed).toBe(false);
    expect(c.flags).toEqual([]);
    expect(c.reblur!.result).toBeCloseTo(c.reblur!.input, 10);
    expect(c.message).toMatch(/re-blurs to it with the learned PSF/);
  });

  it('flags an output that follows the input but re-blurs worse (structure moved by 4 voxels)', async () => {
    const moved = module(
      (x) =>
        tf.concat(
          [tf.slice(x, [0, 0, 0, 4, 0], [1, M, M, M - 4, 1]), tf.slice(x, [0, 0, 0, 0, 0], [1, M, M, 4, 1])],
          3,
        ) as tf.Tensor5D,
    );
    const c = await checkGeneratorOutput(moved, smooth, M, psf);
    expect(c.correlation).toBeGreaterThan(MIN_INPUT_CORRELATION);
    expect(c.collapsed).toBe(true);
    expect(c.flags).toContain('reblur-worse');
    expect(c.message).toMatch(
      /^G_AB's output failed the output check on training patches: The result re-blurred with the PSF explains the input worse than the input itself/,
    );
  });

  it('flags an output with a checkerboard added', async () => {
    const board = tf.tensor5d(
      Float32Array.from({ length: M ** 3 }, (_, i) => (((i % 16) + Math.floor(i / 16)) % 2 ? 0.1 : -0.1)),
      [1, M, M, M, 1],
    );
    const c = await checkGeneratorOutput(
      module((x) => tf.add(x, board)),
      smooth,
      M,
    );
    board.dispose();
    expect(c.collapsed).toBe(true);
    expect(c.flags).toEqual(['high-frequency-lateral']);
    expect(c.message).toMatch(/a checkerboard or other invented fine texture/);
  });
});

describe('readOutputCheck (the verdict read back without tfjs, by the CLI, the app and model jobs)', () => {
  it('round-trips what writeOutputCheck writes, passed and flagged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cd-ocheck-'));
    const flagged = await checkGeneratorOutput(
      module((x) => tf.zerosLike(x)),
      [patch(1), patch(2)],
      N,
    );
    await writeOutputCheck(dir, flagged);
    expect(await readOutputCheck(dir)).toEqual({ collapsed: true, message: flagged.message, flags: flagged.flags });
    expect(flagged.flags).toContain('unrelated');
    expect(await readOutputCheckWarnings(dir)).toEqual([flagged.message]);
    const passed = await checkGeneratorOutput(
      module((x) => x.mul(2)),
      [patch(1)],
      N,
    );
    await writeOutputCheck(dir, passed);
    expect(await readOutputCheck(dir)).toEqual({ collapsed: false, message: passed.message, flags: [] });
    expect(await readOutputCheckWarnings(dir)).toEqual([]);
  });

  it('gives no verdict for a missing, truncated or foreign file, and a default message when a flag has none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cd-ocheck-'));
    expect(await readOutputCheck(dir)).toBeNull();
    for (const text of ['{"collapsed": tru', '[]', '{"collapsed": "yes"}', 'null']) {
      writeFileSync(join(dir, OUTPUT_CHECK_FILE), text);
      expect(await readOutputCheck(dir), text).toBeNull();
      expect(await readOutputCheckWarnings(dir), text).toEqual([]);
    }
    writeFileSync(join(dir, OUTPUT_CHECK_FILE), '{"collapsed": true}');
    const [w] = await readOutputCheckWarnings(dir);
    expect(w).toMatch(/does not depend on its input/);
    expect((await readOutputCheck(dir))?.flags).toBeUndefined();
    // Flags are kept for the report's verdict (a re-blur-only flag is not "no information about the input");
    // unknown codes from a newer or foreign file are dropped.
    writeFileSync(join(dir, OUTPUT_CHECK_FILE), '{"collapsed": true, "flags": ["reblur-worse", "made-up", 3]}');
    expect((await readOutputCheck(dir))?.flags).toEqual(['reblur-worse']);
  });
});
