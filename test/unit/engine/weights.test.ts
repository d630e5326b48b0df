// Weights in tfjs format: round trips through memory and through a run directory, and clear errors.
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  serializeVariables,
  restoreVariables,
  decodeWeights,
  saveWeights,
  loadWeights,
  readWeights,
} from '../../../src-main/core/nn/weights';
import { buildUNet, buildPsfLayer, disposeModule } from '../../../src-main/core/nn/models';
import { CheckpointError, FileExistsError, FileNotFoundError } from '../../../src-main/core/errors';
import { tempDir } from '../../helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const cfg = { levels: 2, baseChannels: 2, convsPerLevel: 1 };
const values = (vs: tf.Variable[]) => vs.map((v) => Array.from(v.dataSync()));

describe('weights', () => {
  it('serialize → restore puts the exact values back into a differently initialised model, plus named extras', async () => {
    const a = buildUNet(cfg, 1, { name: 'W' });
    const adamM = { name: 'W/enc0_conv0/kernel/m', tensor: tf.fill([3, 3, 3, 1, 2], 0.25) };
    const s = await serializeVariables([...a.variables(), adamM]);
    const saved = values(a.variables());
    disposeModule(a);
    const b = buildUNet(cfg, 2, { name: 'W' });
    expect(values(b.variables())).not.toEqual(saved);
    restoreVariables(s, b.variables(), { allowExtra: true });
    expect(values(b.variables())).toEqual(saved);
    const decoded = decodeWeights(s);
    expect(Array.from(decoded.get('W/enc0_conv0/kernel/m')!.dataSync()).every((v) => v === 0.25)).toBe(true);
    tf.dispose([...decoded.values(), adamM.tensor]);
    disposeModule(b);
  });
  it('saves model.json + weights.bin atomically in tfjs format and loads them back', async () => {
    const dir = join(tempDir(), 'run');
    const psf = buildPsfLayer(
      { size: 3, init: 'gaussian', nonNegative: true, sumToOne: true, centred: true },
      { seed: 0, name: 'PSFW' },
    );
    const before = values(psf.variables());
    await saveWeights(dir, psf.variables(), { metadata: { psfSize: 3 } });
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.weightsManifest[0]).toEqual({
      paths: ['weights.bin'],
      weights: [{ name: 'PSFW/psf', shape: [3, 3, 3], dtype: 'float32' }],
    });
    expect(readFileSync(join(dir, 'weights.bin')).byteLength).toBe(27 * 4);
    await expect(saveWeights(dir, psf.variables())).rejects.toThrow(FileExistsError);
    await saveWeights(dir, psf.variables(), { force: true, metadata: { psfSize: 3 } });
    psf.variables()[0]!.assign(tf.zeros([3, 3, 3]));
    expect(await loadWeights(dir, psf.variables())).toEqual({ psfSize: 3 });
    expect(values(psf.variables())).toEqual(before);
    disposeModule(psf);
  });
  it('rejects mismatched names, shapes, truncated data and missing files with typed errors', async () => {
    const a = buildUNet(cfg, 1, { name: 'M1' });
    const s = await serializeVariables(a.variables());
    const other = buildUNet({ ...cfg, baseChannels: 3 }, 1, { name: 'M1x' });
    expect(() => restoreVariables(s, other.variables())).toThrow(CheckpointError);
    const renamed = { ...s, specs: s.specs.map((e) => ({ ...e, name: e.name.replace('M1/', 'M1x/') })) };
    expect(() => restoreVariables(renamed, other.variables())).toThrow(/shape/);
    expect(() => decodeWeights({ specs: s.specs, data: s.data.slice(0, 10) })).toThrow(CheckpointError);
    const dir = tempDir();
    await expect(readWeights(dir)).rejects.toThrow(FileNotFoundError);
    await saveWeights(dir, a.variables());
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(8));
    await expect(loadWeights(dir, a.variables())).rejects.toThrow(CheckpointError);
    expect(existsSync(join(dir, 'model.json'))).toBe(true);
    disposeModule(a);
    disposeModule(other);
  });
  it("weights of a transposed-conv U-Net do not load into a 'nearest-conv' one: a typed error naming the up-sampling", async () => {
    const t = buildUNet(cfg, 1, { name: 'M2t' });
    const n = buildUNet({ ...cfg, upsample: 'nearest-conv' }, 1, { name: 'M2' });
    const rename = (s: Awaited<ReturnType<typeof serializeVariables>>, from: string, to = 'M2') => ({
      ...s,
      specs: s.specs.map((e) => ({ ...e, name: e.name.replace(`${from}/`, `${to}/`) })),
    });
    try {
      const s = rename(await serializeVariables(t.variables()), 'M2t');
      let err: unknown;
      try {
        restoreVariables(s, n.variables());
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CheckpointError);
      expect((err as CheckpointError).message).toMatch(
        /"M2\/up0\/kernel" has shape \[2,2,2,2,4\] but the model needs \[3,3,3,4,2\]/,
      );
      expect((err as CheckpointError).hint).toMatch(/up-sampling/);
      // and the nearest-conv weights round-trip into a second nearest-conv model
      const back = buildUNet({ ...cfg, upsample: 'nearest-conv' }, 2, { name: 'M2b' });
      restoreVariables(rename(await serializeVariables(n.variables()), 'M2', 'M2b'), back.variables());
      expect(back.variables().map((v) => Array.from(v.dataSync()))).toEqual(
        n.variables().map((v) => Array.from(v.dataSync())),
      );
      disposeModule(back);
    } finally {
      disposeModule(t);
      disposeModule(n);
    }
  });
});
