// The exported ONNX graph of G_AB, run by onnxruntime-node (an independent ONNX implementation), against
// CycleDecon's own inference of the same run (infer/load.ts: the lean U-Net engine that `deconvolve` uses).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { ProtoWriter } from '../../../src-main/core/export/protobuf';
import { onnxKernel } from '../../../src-main/core/export/onnx-unet';
import { exportRunOnnx, unetOnnxBytes } from '../../../src-main/core/export/onnx-export';
import { buildUNet } from '../../../src-main/core/nn/models';
import { preset, type TrainConfig } from '../../../src-main/core/train/config';
import { cycleDeconInference, makeRun, relL2, runOnnx, testStack } from './export-helpers';
import { repoRoot, tempDir } from '../../helpers';

describe('protobuf encoder', () => {
  it('writes varints, negative int64, floats, strings and packed fields as the wire format specifies', () => {
    // Hand-computed from protobuf.dev/programming-guides/encoding: 150 → 96 01, field 1 varint → tag 08.
    expect(Array.from(new ProtoWriter().int(1, 150).finish())).toEqual([0x08, 0x96, 0x01]);
    // int64 −1: ten bytes, 0xff × 9 then 0x01.
    expect(Array.from(new ProtoWriter().int(2, -1).finish())).toEqual([0x10, ...Array(9).fill(0xff), 0x01]);
    // float 1.0 = 0x3f800000 little-endian, field 2 wire type 5 → tag 0x15.
    expect(Array.from(new ProtoWriter().float(2, 1).finish())).toEqual([0x15, 0x00, 0x00, 0x80, 0x3f]);
    expect(Array.from(new ProtoWriter().string(2, 'testing').finish())).toEqual([
      0x12,
      0x07,
      ...Buffer.from('testing'),
    ]);
    // packed [3, 270, 86942] → 22 06 03 8e 02 9e a7 05 (the guide's example, field 4).
    expect(Array.from(new ProtoWriter().packedInts(4, [3, 270, 86942]).finish())).toEqual([
      0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05,
    ]);
  });
});

describe('kernel layout', () => {
  it('moves tfjs [kz, ky, kx, in, out] to ONNX [out, in, kz, ky, kx]', () => {
    const shape = [2, 3, 1, 2, 3];
    const data = Float32Array.from({ length: 36 }, (_, i) => i);
    const k = onnxKernel(data, shape);
    expect(k.dims).toEqual([3, 2, 2, 3, 1]);
    for (let z = 0; z < 2; z++)
      for (let y = 0; y < 3; y++)
        for (let i = 0; i < 2; i++)
          for (let o = 0; o < 3; o++) {
            expect(k.data[((o * 2 + i) * 2 + z) * 3 + y]).toBe(data[((z * 3 + y) * 2 + i) * 3 + o]);
          }
  });
});

describe('ONNX export of G_AB, run by onnxruntime-node', () => {
  const dir = tempDir();

  const variants: [string, Partial<TrainConfig['generator']> & { residual?: boolean }][] = [
    ['tiny preset, transposed-conv up-sampling', { upsample: 'transpose' }],
    ['tiny preset, nearest-conv up-sampling', { upsample: 'nearest-conv' }],
    [
      '3 levels, 2 convs, nearest-conv, residual, softplus head',
      { levels: 3, convsPerLevel: 2, upsample: 'nearest-conv', residual: true, output: 'softplus' },
    ],
    ['3 levels, transpose, softplus head', { levels: 3, upsample: 'transpose', output: 'softplus' }],
    ["the fast preset's generator (3 levels, 16 channels, 2 convs)", preset('fast').generator],
    [
      "the paper preset's structure (4 levels, 2 convs) at 4 channels",
      { ...preset('paper').generator, baseChannels: 4 },
    ],
  ];
  for (const [label, generator] of variants) {
    it(`${label}: equals CycleDecon's inference (relative L2 < 1e-4)`, async () => {
      const runDir = join(dir, label.replace(/[^a-z0-9]+/gi, '-'));
      await makeRun(runDir, generator);
      const { x, shape } = await testStack();
      const expected = await cycleDeconInference(runDir, x, shape);
      const { bytes } = await exportRunOnnx(runDir);
      const got = await runOnnx(bytes, x, shape);
      expect(relL2(got, expected)).toBeLessThan(1e-4);
    }, 60_000);
  }

  it('the bundled trained demo model (test/fixtures/model-bars) gives the same result through ONNX', async () => {
    const runDir = join(repoRoot, 'test', 'fixtures', 'model-bars');
    const { x, shape } = await testStack();
    const expected = await cycleDeconInference(runDir, x, shape);
    const got = await runOnnx((await exportRunOnnx(runDir)).bytes, x, shape);
    expect(relL2(got, expected)).toBeLessThan(1e-4);
  }, 60_000);

  it('uses the weights: changing one decoder weight changes the ONNX output, as it changes tfjs forward', async () => {
    const config = preset('tiny');
    const net = buildUNet(config.generator, 5, { name: 'G_AB' });
    const { x, shape } = await testStack();
    const forward = () => tf.tidy(() => net.apply(tf.tensor5d(x, [1, ...shape, 1])).dataSync() as Float32Array);
    const before = await runOnnx(unetOnnxBytes(net, config.generator), x, shape);
    expect(relL2(before, forward())).toBeLessThan(1e-4);
    const w = net.variables().find((v) => v.name === 'G_AB/dec0_conv0/kernel')!;
    const values = w.dataSync().slice();
    values[13] = values[13]! + 0.5;
    w.assign(tf.tensor(values, w.shape));
    const after = await runOnnx(unetOnnxBytes(net, config.generator), x, shape);
    const tfAfter = forward();
    net.variables().forEach((v) => v.dispose());
    expect(relL2(after, before)).toBeGreaterThan(1e-3);
    expect(relL2(after, tfAfter)).toBeLessThan(1e-4);
  }, 60_000);
});
