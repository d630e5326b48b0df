// The networks: layer shapes and parameter counts against PyTorch twins, the PSF layer against SciPy,
// the PSF constraints, seeding, and the discriminator's degenerate-map rule.
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  buildUNet,
  buildCnnGenerator,
  buildDiscriminator,
  buildPsfLayer,
  countParams,
  disposeModule,
  discriminatorOutputShape,
  psfCentre,
  unetTileHalo,
  type PsfConfig,
} from '../../../src-main/core/nn/models';
import { InvalidParameterError, InvalidVolumeError } from '../../../src-main/core/errors';
import { softplusHead, softplusHeadInPlace } from '../../../src-main/core/nn/models/unet';
import { reference, refTensor, maxAbsDiff } from './reference';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const noConstraints: PsfConfig = {
  size: [4, 3, 4],
  init: 'delta',
  nonNegative: false,
  sumToOne: false,
  centred: false,
};

describe('3D U-Net (G_AB)', () => {
  it("paper config (64 base channels, 4 levels, 2 convs) has the PyTorch twin's parameter count and layer shapes, no forward pass", () => {
    const net = buildUNet({ levels: 4, baseChannels: 64, convsPerLevel: 2 }, 1, { name: 'paper_unet' });
    expect(countParams(net)).toBe(reference().params.unet_paper);
    const shapes = Object.fromEntries(net.variables().map((v) => [v.name, v.shape]));
    expect(shapes['paper_unet/enc0_conv0/kernel']).toEqual([3, 3, 3, 1, 64]);
    expect(shapes['paper_unet/enc3_conv1/kernel']).toEqual([3, 3, 3, 512, 512]);
    expect(shapes['paper_unet/up2/kernel']).toEqual([2, 2, 2, 256, 512]);
    expect(shapes['paper_unet/dec0_conv0/kernel']).toEqual([3, 3, 3, 128, 64]);
    expect(shapes['paper_unet/out/kernel']).toEqual([1, 1, 1, 64, 1]);
    disposeModule(net);
  });
  it('tiny config runs forward to a one-channel volume of the input size, and is reproducible from its seed', () => {
    const cfg = { levels: 2, baseChannels: 4, convsPerLevel: 1 };
    const a = buildUNet(cfg, 5, { name: 'ua' });
    const b = buildUNet(cfg, 5, { name: 'ub' });
    const c = buildUNet(cfg, 6, { name: 'uc' });
    expect(countParams(a)).toBe(reference().params.unet_tiny);
    const x = tf.randomUniform([1, 4, 6, 8, 1], 0, 1, 'float32', 3) as tf.Tensor5D;
    const run = (m: typeof a) => tf.tidy(() => m.apply(x));
    const ya = run(a),
      yb = run(b),
      yc = run(c);
    expect(ya.shape).toEqual([1, 4, 6, 8, 1]);
    expect(maxAbsDiff(ya, yb)).toBe(0);
    expect(maxAbsDiff(ya, yc)).toBeGreaterThan(0);
    expect(() => tf.tidy(() => a.apply(tf.zeros([1, 5, 6, 8, 1]) as tf.Tensor5D))).toThrow(InvalidVolumeError);
    tf.dispose([x, ya, yb, yc]);
    [a, b, c].forEach(disposeModule);
  });
  it('up-sampling and stride-2 variants build and run', () => {
    const net = buildUNet({ levels: 2, baseChannels: 2, convsPerLevel: 1 }, 1, {
      name: 'uv',
      up: 'upsample',
      down: 'stride2',
    });
    const y = tf.tidy(() => net.apply(tf.ones([1, 4, 4, 4, 1]) as tf.Tensor5D));
    expect(y.shape).toEqual([1, 4, 4, 4, 1]);
    y.dispose();
    disposeModule(net);
  });
  it("generator.upsample 'nearest-conv' in the config selects the resize-convolution, and the tile halo counts its 3³ conv", () => {
    const cfg = { levels: 3, baseChannels: 2, convsPerLevel: 2 };
    const rc = { ...cfg, upsample: 'nearest-conv' as const };
    expect(unetTileHalo(rc)).toBe(unetTileHalo(cfg, { up: 'upsample' }));
    expect(unetTileHalo(rc)).toBeGreaterThan(unetTileHalo(cfg));
    const net = buildUNet(rc, 1, { name: 'urc' });
    const shapes = Object.fromEntries(net.variables().map((v) => [v.name, v.shape]));
    expect(shapes['urc/up1/kernel']).toEqual([3, 3, 3, 8, 4]);
    expect(shapes['urc/up0/kernel']).toEqual([3, 3, 3, 4, 2]);
    disposeModule(net);
  });
  it("generator.output 'softplus' makes the output non-negative, and equals the linear head where that is well above 0", () => {
    const cfg = { levels: 2, baseChannels: 4, convsPerLevel: 1 };
    const lin = buildUNet(cfg, 5, { name: 'uhl' });
    const sp = buildUNet({ ...cfg, output: 'softplus' }, 5, { name: 'uhs' });
    const x = tf.randomUniform([1, 4, 8, 8, 1], 0, 1, 'float32', 3) as tf.Tensor5D;
    const run = (m: typeof lin) => tf.tidy(() => m.apply(x)).dataSync();
    const a = run(lin),
      b = run(sp);
    expect(Math.min(...a)).toBeLessThan(-0.1); // the linear head does go negative on this input
    expect(Math.min(...b)).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < a.length; i++) if (a[i]! > 0.5) expect(Math.abs(b[i]! - a[i]!)).toBeLessThan(0.01 * 0.5);
    const arr = Float32Array.from([-100, -1, 0, 0.5, 100]);
    softplusHeadInPlace(arr);
    const ref = tf.tidy(() => softplusHead(tf.tensor5d([-100, -1, 0, 0.5, 100], [1, 1, 1, 5, 1])).dataSync());
    arr.forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 6));
    x.dispose();
    [lin, sp].forEach(disposeModule);
  });
  it('CNN G_BA of the --gba cnn ablation is a smaller U-Net', () => {
    const net = buildCnnGenerator({}, 1);
    expect(net.name).toBe('G_BA');
    expect(countParams(net)).toBe(reference().params.unet_cnn_gba_default);
    disposeModule(net);
  });
  it('rejects invalid configurations', () => {
    expect(() => buildUNet({ levels: 0, baseChannels: 4, convsPerLevel: 1 }, 1)).toThrow(InvalidParameterError);
  });
});

describe('PatchGAN discriminator', () => {
  it("paper config has the PyTorch twin's parameter count", () => {
    const d = buildDiscriminator({ baseChannels: 64, modules: 4 }, 1, { name: 'paper_d' });
    expect(countParams(d)).toBe(reference().params.disc_paper);
    disposeModule(d);
  });
  it('maps 64³/32³/16³ patches to 4³/2³/1³ score maps', () => {
    const cfg = { baseChannels: 2, modules: 4 };
    expect(discriminatorOutputShape(cfg, [64, 64, 64])).toEqual([4, 4, 4]);
    expect(discriminatorOutputShape(cfg, [16, 16, 16])).toEqual([1, 1, 1]);
    const d = buildDiscriminator(cfg, 2, { name: 'd_shape' });
    const y = tf.tidy(() => d.apply(tf.randomUniform([1, 16, 16, 16, 1], 0, 1, 'float32', 1) as tf.Tensor5D));
    expect(y.shape).toEqual([1, 1, 1, 1, 1]);
    y.dispose();
    disposeModule(d);
  });
  it('degenerate 1-voxel map: the last module skips instance norm, so the score still depends on the input', () => {
    const d = buildDiscriminator({ baseChannels: 2, modules: 4 }, 3, { name: 'd_degenerate' });
    const scores = [1, 2, 3].map((seed) =>
      tf.tidy(() => d.apply(tf.randomUniform([1, 16, 16, 16, 1], 0, 1, 'float32', seed) as tf.Tensor5D).dataSync()[0]),
    );
    expect(new Set(scores).size).toBe(3);
    // And gradients reach the first module's kernel through the un-normalised last module.
    const x = tf.randomUniform([1, 16, 16, 16, 1], 0, 1, 'float32', 9) as tf.Tensor5D;
    const first = d.variables()[0]!;
    const { value, grads } = tf.variableGrads(() => tf.sum(d.apply(x)) as tf.Scalar, [first]);
    expect(tf.tidy(() => tf.max(tf.abs(grads[first.name]!)).dataSync()[0])).toBeGreaterThan(0);
    tf.dispose([x, value, ...Object.values(grads)]);
    disposeModule(d);
  });
});

describe('PSF layer (G_BA)', () => {
  it('blurs as scipy.ndimage.convolve(mode="mirror") with an even, asymmetric PSF', () => {
    const layer = buildPsfLayer(noConstraints, { seed: 0, name: 'psf_scipy' });
    const psf = refTensor('psf');
    layer.variables()[0]!.assign(psf);
    const input = refTensor('psfInput');
    const expected = refTensor('psfBlurred');
    const y = tf.tidy(() => layer.apply(input.reshape([1, 6, 5, 7, 1]) as tf.Tensor5D).reshape([6, 5, 7]));
    expect(maxAbsDiff(y, expected)).toBeLessThan(1e-4);
    tf.dispose([psf, input, expected, y]);
    disposeModule(layer);
  });
  it('delta init is the identity; psf() returns a copy the caller owns', () => {
    const layer = buildPsfLayer({ ...noConstraints, size: 5 }, { seed: 0, name: 'psf_delta' });
    const x = tf.randomUniform([1, 6, 6, 6, 1], 0, 1, 'float32', 4) as tf.Tensor5D;
    const y = tf.tidy(() => layer.apply(x));
    expect(maxAbsDiff(x, y)).toBeLessThan(1e-6);
    const p = layer.psf();
    const c = psfCentre([5, 5, 5]);
    expect(p.arraySync()[c[0]]![c[1]]![c[2]]).toBe(1);
    p.dispose();
    expect(layer.variables()[0]!.isDisposed).toBe(false);
    tf.dispose([x, y]);
    disposeModule(layer);
  });
  it('project() makes the PSF non-negative, centred on floor(k/2) and summing to one', () => {
    const cfg: PsfConfig = { size: [6, 5, 5], init: 'gaussian', nonNegative: true, sumToOne: true, centred: true };
    const layer = buildPsfLayer(cfg, { seed: 0, name: 'psf_proj', gaussianSigma: 0.8 });
    const k = layer.variables()[0]!;
    // Push it off: a shifted, partly negative, unnormalised kernel.
    const shifted = tf.tidy(() =>
      tf.sub(
        tf.mul(
          tf.pad(tf.slice(k, [0, 0, 0], [4, 5, 5]), [
            [2, 0],
            [0, 0],
            [0, 0],
          ]),
          3,
        ),
        0.01,
      ),
    );
    k.assign(shifted as tf.Tensor3D);
    shifted.dispose();
    layer.project();
    const v = Float32Array.from(k.dataSync());
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
    expect(v.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const com = [0, 0, 0];
    for (let z = 0, i = 0; z < 6; z++)
      for (let y = 0; y < 5; y++)
        for (let x = 0; x < 5; x++, i++) {
          com[0]! += z * v[i]!;
          com[1]! += y * v[i]!;
          com[2]! += x * v[i]!;
        }
    psfCentre([6, 5, 5]).forEach((c, a) => expect(Math.abs(com[a]! - c)).toBeLessThanOrEqual(0.5));
    const l1 = layer.l1();
    expect(l1.dataSync()[0]).toBeCloseTo(1, 5);
    l1.dispose();
    disposeModule(layer);
  });
  it('bornwolf init takes the given array and checks its size', () => {
    const bw = new Float32Array(27).fill(2);
    const layer = buildPsfLayer(
      { size: 3, init: 'bornwolf', nonNegative: true, sumToOne: true, centred: false },
      { seed: 0, initialPsf: bw, name: 'psf_bw' },
    );
    expect(layer.variables()[0]!.dataSync()[13]).toBeCloseTo(1 / 27, 6);
    disposeModule(layer);
    expect(() =>
      buildPsfLayer(
        { size: 4, init: 'bornwolf', nonNegative: true, sumToOne: true, centred: false },
        { seed: 0, initialPsf: bw },
      ),
    ).toThrow(InvalidParameterError);
    expect(() =>
      buildPsfLayer({ size: 3, init: 'bornwolf', nonNegative: true, sumToOne: true, centred: false }, { seed: 0 }),
    ).toThrow(InvalidParameterError);
  });
});
