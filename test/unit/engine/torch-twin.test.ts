// The benchmark's PyTorch twin (bench/reference/train_step.py) is the same network as ours: with our tiny
// preset's weights loaded, G_AB, G_BA (PSF layer) and a PatchGAN give the same output on a fixed input, and
// the parameter counts agree. The analytic FLOP counter of the training-step bench (bench/train-flops.ts)
// agrees with the convolutions the networks actually run. Python is a bench/test tool only, never a runtime
// dependency: without torch in /usr/bin/python3 (CI does not install the ~1 GB python3-torch) the twin test skips.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/core/nn/backend';
import { resolveTrainConfig } from '../../../src-main/core/train/config';
import { getConv3dImpl, setConv3dImpl, type Conv3dImpl } from '../../../src-main/core/nn/ops';
import { buildNetworks, disposeNetworks } from '../../../src-main/core/train/networks';
import { discriminatorFlops, stepFlops, unetFlops } from '../../../bench/train-flops';
import { exportForTwin, runTwinCheck, torchAvailable } from '../../../bench/twin-export';

const hasTorch = torchAvailable();

describe('training-step bench: PyTorch twin and FLOP counter', () => {
  let dir = '';
  beforeAll(async () => {
    await initBackend({ preferred: 'cpu', purpose: 'train' });
    dir = mkdtempSync(join(tmpdir(), 'cycledecon-twin-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.skipIf(!hasTorch)(
    `tiny preset: twin forward equals ours (rel. L2 < 1e-4) and parameter counts agree${hasTorch ? '' : ' [skipped: /usr/bin/python3 cannot import torch; apt install python3-torch]'}`,
    async () => {
      const cfg = resolveTrainConfig('tiny');
      const nets = buildNetworks(cfg);
      try {
        await exportForTwin(dir, cfg, nets);
      } finally {
        disposeNetworks(nets);
      }
      const r = runTwinCheck(dir);
      expect(Object.keys(r.relL2).sort()).toEqual(['D_B_full', 'G_AB', 'G_BA']);
      for (const [name, rel] of Object.entries(r.relL2)) expect(rel, name).toBeLessThan(1e-4);
      expect(r.params.torch).toEqual(r.params.ours);
      expect(r.params.ours.G_AB).toBeGreaterThan(0);
    },
    60_000,
  );

  it.each([
    ['gaussian', 'transpose'],
    ['free', 'transpose'],
    ['gaussian', 'nearest-conv'],
  ] as const)(
    'analytic FLOPs equal the FLOPs of the convolutions a forward pass runs (fast preset shapes, %s PSF layer, %s up-sampling)',
    (model, upsample) => {
      const cfg = resolveTrainConfig('fast', { psf: { model, init: 'gaussian' }, generator: { upsample } });
      const counted = { flops: 0 };
      const inner = getConv3dImpl();
      // A counting impl that never convolves: zeros of the right shape, so the count costs nothing.
      const counting: Conv3dImpl = {
        name: 'count',
        conv3d(x, w, strides, padding) {
          const out = x.shape
            .slice(1, 4)
            .map((n, i) =>
              padding === 'same' ? Math.ceil(n / strides[i]!) : Math.floor((n - w.shape[i]!) / strides[i]!) + 1,
            );
          counted.flops +=
            2 * out[0]! * out[1]! * out[2]! * w.shape[0] * w.shape[1] * w.shape[2] * w.shape[3] * w.shape[4];
          return tf.zeros([x.shape[0], out[0]!, out[1]!, out[2]!, w.shape[4]]);
        },
        conv3dTranspose(x, w, outShape) {
          counted.flops +=
            2 * x.shape[1] * x.shape[2] * x.shape[3] * w.shape[0] * w.shape[1] * w.shape[2] * w.shape[3] * w.shape[4];
          return tf.zeros(outShape);
        },
      };
      const nets = buildNetworks(cfg);
      setConv3dImpl(counting);
      try {
        const n = cfg.patchSize;
        tf.tidy(() => nets.gAB.apply(tf.zeros([1, n, n, n, 1])));
        expect(unetFlops(cfg.generator, n)).toBe(counted.flops);
        counted.flops = 0;
        tf.tidy(() => nets.gBA!.apply(tf.zeros([1, n, n, n, 1])));
        expect(stepFlops(cfg).psfForward).toBe(counted.flops);
        counted.flops = 0;
        tf.tidy(() => nets.dA[1]!.apply(tf.zeros([1, n / 2, n / 2, n / 2, 1])));
        expect(discriminatorFlops(cfg.discriminator, n / 2)).toBe(counted.flops);
      } finally {
        setConv3dImpl(inner);
        disposeNetworks(nets);
      }
      // The paper step at 64³: ≈ 2.77 TFLOP, almost all of it in the two U-Net passes (forward + backward).
      const paper = stepFlops(resolveTrainConfig('paper'));
      expect(paper.total / 1e12).toBeGreaterThan(2.5);
      expect(paper.total / 1e12).toBeLessThan(2.8);
      expect((6 * paper.unetForward) / paper.total).toBeGreaterThan(0.95);
    },
  );
});
