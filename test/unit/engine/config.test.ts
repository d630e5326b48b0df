import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { learningRate, parseTrainConfig, preset, resolveTrainConfig } from '../../../src-main/core/train/config';
import { buildNetworks, disposeNetworks } from '../../../src-main/core/train/networks';
import { countParams } from '../../../src-main/core/nn/models';
import { gaussianPsf } from '../../../src-main/core/nn/models/psf-layer';
import { InvalidParameterError } from '../../../src-main/core/errors';

describe('TrainConfig', () => {
  it('paper preset is exactly the paper', () => {
    const c = parseTrainConfig(preset('paper'));
    expect(c.generator).toEqual({ levels: 4, baseChannels: 64, convsPerLevel: 2 });
    expect(c.psf.size).toBe(20);
    expect(c.loss).toEqual({ adversarial: 'lsgan', lambdaCycle: 3, lambdaPsf: 0.01 });
    expect(c.discriminator.scales).toEqual([1, 0.5, 0.25]);
    expect(c.discriminator.modules).toBe(4);
    expect(c.optimiser).toMatchObject({ lr: 1e-4, beta1: 0.9, beta2: 0.999, epochs: 200, decayStartEpoch: 40 });
    expect(c.batchSize).toBe(1);
    expect(c.poolSize).toBe(50);
    expect(c.patchSize).toBe(64);
  });

  it('fast and tiny presets validate', () => {
    expect(() => resolveTrainConfig('fast')).not.toThrow();
    expect(resolveTrainConfig('tiny', { seed: 7 }).seed).toBe(7);
  });

  it('fast preset: the Gaussian PSF layer from the blind spectral fit, held by the spectral term, 2400 steps', () => {
    const c = resolveTrainConfig('fast');
    expect(c.psf).toMatchObject({ model: 'gaussian', init: 'spectral', size: 11 });
    expect(c.loss.lambdaSpectral).toBe(100);
    expect((c.optimiser.stepsPerEpoch as number) * c.optimiser.epochs).toBe(2400);
    // tiny keeps the plain paths: free kernel, no spectral term.
    expect(resolveTrainConfig('tiny').psf.model).toBeUndefined();
    expect(resolveTrainConfig('tiny').loss.lambdaSpectral).toBeUndefined();
  });

  it("the preset's spectral start and term yield to RL as domain B and to the ablations, unless set explicitly", () => {
    const rl = resolveTrainConfig('fast', { sharpSource: 'rl' });
    expect(rl.psf.init).toBe('gaussian');
    expect(rl.psf.model).toBe('gaussian');
    expect(rl.loss.lambdaSpectral).toBe(0);
    const cnn = resolveTrainConfig('fast', { gba: 'cnn' });
    expect(cnn.loss.lambdaSpectral).toBe(0);
    expect(cnn.psf.init).toBe('spectral'); // real sharp stacks: the (unused) start may stay
    expect(resolveTrainConfig('fast', { mode: 'supervised' }).loss.lambdaSpectral).toBe(0);
    expect(resolveTrainConfig('fast', { loss: { lambdaSpectral: 5 } }).loss.lambdaSpectral).toBe(5);
    // Asked for explicitly where they cannot work: validation names the field.
    expect(() => resolveTrainConfig('fast', { sharpSource: 'rl', psf: { init: 'spectral' } })).toThrow(/psf\.init/);
    expect(() => resolveTrainConfig('fast', { gba: 'cnn', loss: { lambdaSpectral: 100 } })).toThrow(/lambdaSpectral/);
    // A config given whole (parseTrainConfig: config files, resume) is taken as written.
    expect(() => parseTrainConfig({ ...preset('fast'), sharpSource: 'rl' })).toThrow(InvalidParameterError);
  });

  it('rejects bad fields with the field name', () => {
    expect(() => resolveTrainConfig('tiny', { patchSize: 18, generator: { levels: 3 } })).toThrow(/patchSize/);
    expect(() => resolveTrainConfig('tiny', { optimiser: { lr: -1 } })).toThrow(InvalidParameterError);
    expect(() => resolveTrainConfig('tiny', { optimiser: { decayStartEpoch: 99 } })).toThrow(/decayStartEpoch/);
    expect(() => parseTrainConfig({ ...preset('tiny'), unknownField: 1 })).toThrow(InvalidParameterError);
    expect(() => resolveTrainConfig('tiny', { mode: 'supervised', sharpSource: 'rl' })).toThrow(/sharpSource/);
    expect(() =>
      resolveTrainConfig('tiny', { psf: { sumToOne: false }, experimental: { psfGradient: 'tangent' } }),
    ).toThrow(/config\.experimental\.psfGradient/);
    expect(resolveTrainConfig('tiny', { experimental: { psfGradient: 'tangent' } }).experimental?.psfGradient).toBe(
      'tangent',
    );
  });

  it("generator.upsample / output: paper and tiny keep the paper's transposed conv and linear head, fast uses resize-conv and softplus (decision 0007); 'nearest-conv' builds a 3³ up-conv; bad values are refused", () => {
    for (const p of ['paper', 'tiny'] as const)
      expect(resolveTrainConfig(p).generator.upsample ?? 'transpose').toBe('transpose');
    expect(resolveTrainConfig('fast').generator).toMatchObject({ upsample: 'nearest-conv', output: 'softplus' });
    expect(() => resolveTrainConfig('tiny', { generator: { upsample: 'bilinear' } } as never)).toThrow(
      /generator.upsample|upsample/,
    );
    for (const p of ['paper', 'tiny'] as const)
      expect(resolveTrainConfig(p).generator.output ?? 'linear').toBe('linear');
    expect(() => resolveTrainConfig('tiny', { generator: { output: 'relu' } } as never)).toThrow(
      /generator.output|output/,
    );
    const cfg = resolveTrainConfig('tiny', { generator: { upsample: 'nearest-conv' } });
    const nets = buildNetworks(cfg);
    try {
      const c = cfg.generator.baseChannels;
      expect(nets.gAB.variables().find((v) => v.name === 'G_AB/up0/kernel')!.shape).toEqual([3, 3, 3, 2 * c, c]);
    } finally {
      disposeNetworks(nets);
    }
  });

  it('experimental.psfInitSigma sets the starting Gaussian of the PSF layer (per axis, in voxels), and is range-checked', () => {
    const cfg = resolveTrainConfig('tiny', {
      psf: { init: 'gaussian' },
      experimental: { psfInitSigma: [0.8, 1.5, 1.5] },
    });
    const nets = buildNetworks(cfg);
    try {
      const k = nets.psf!.psf();
      const d = k.dataSync();
      k.dispose();
      const expected = gaussianPsf([5, 5, 5], [0.8, 1.5, 1.5]);
      expect(d.length).toBe(expected.length);
      for (let i = 0; i < d.length; i++) expect(d[i]).toBeCloseTo(expected[i]!, 6);
      // Anisotropic: the axial profile through the centre falls faster than the lateral one.
      expect(d[(1 * 5 + 2) * 5 + 2]!).toBeLessThan(d[(2 * 5 + 1) * 5 + 2]!);
    } finally {
      disposeNetworks(nets);
    }
    expect(() => resolveTrainConfig('tiny', { experimental: { psfInitSigma: -1 } })).toThrow(/psfInitSigma/);
    expect(() => resolveTrainConfig('tiny', { experimental: { psfInitSigma: [1, 2] } } as never)).toThrow(
      /psfInitSigma/,
    );
  });

  it('learning rate is constant then falls linearly to 0 (epoch 40 → 200)', () => {
    const o = preset('paper').optimiser;
    expect(learningRate(o, 0)).toBe(1e-4);
    expect(learningRate(o, 39)).toBe(1e-4);
    expect(learningRate(o, 40)).toBeCloseTo(1e-4, 12);
    expect(learningRate(o, 120)).toBeCloseTo(0.5e-4, 12);
    expect(learningRate(o, 200)).toBe(0);
  });

  it('paper preset builds networks of the expected shapes and parameter count (no forward pass)', () => {
    const nets = buildNetworks(preset('paper'));
    try {
      // Independent count from the architecture: 3D U-Net, 4 levels, 64→512 channels, 2 conv3³ per level
      // (no bias: InstanceNorm follows), 2³ transposed convs with bias, 1³ output conv with bias.
      const ch = [64, 128, 256, 512];
      let unet = 0;
      ch.forEach((c, l) => {
        const cin = l === 0 ? 1 : ch[l - 1]!;
        unet += 27 * cin * c + 27 * c * c;
      });
      for (let l = 0; l < 3; l++)
        unet += 8 * ch[l + 1]! * ch[l]! + ch[l]! + 27 * 2 * ch[l]! * ch[l]! + 27 * ch[l]! * ch[l]!;
      unet += ch[0]! + 1;
      expect(countParams(nets.gAB)).toBe(unet);
      expect(nets.psf!.variables()[0]!.shape).toEqual([20, 20, 20]);
      // PatchGAN: 4 modules conv3³ stride 2 (+bias) 64→512, then conv3³ → 1 channel.
      let d = 0;
      ch.forEach((c, l) => {
        const cin = l === 0 ? 1 : ch[l - 1]!;
        d += 27 * cin * c + c;
      });
      d += 27 * 512 + 1;
      expect(nets.dA).toHaveLength(3);
      expect(nets.dB).toHaveLength(3);
      for (const m of [...nets.dA, ...nets.dB]) expect(countParams(m)).toBe(d);
      const names = [...nets.dA, ...nets.dB, nets.gAB].flatMap((m) => m.variables().map((v) => v.name));
      expect(new Set(names).size).toBe(names.length);
    } finally {
      disposeNetworks(nets);
    }
    expect(tf.memory().numTensors).toBe(0);
  });
});
