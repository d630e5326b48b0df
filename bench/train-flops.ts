// Analytic FLOP count of one training step from the network shapes (bench/train-step.ts reports GFLOP/s with
// it). A multiply–add is 2 FLOPs. Counted: every conv3d (2·out voxels·k³·cin·cout) and transposed conv3d
// (2·in voxels·k³·cin·cout), the U-Net's 1³ output conv and the PSF layer's single-channel k³ convolution;
// norms, pooling, padding, losses and Adam are O(voxels·channels) and left out (< 1 % at every preset here).
// Backward ≈ 2× forward (input and weight gradients), so forward + backward ≈ 3× forward.
import type { TrainConfig } from '../src-main/core/train/config';

const cube = (n: number) => n * n * n;

/** One conv3d: tfjs 'same' output = ceil(n / stride); 'valid' = floor((n − k) / stride) + 1. */
export function conv3dFlops(
  n: number,
  k: number,
  cin: number,
  cout: number,
  stride = 1,
  padding: 'same' | 'valid' = 'same',
): number {
  const out = padding === 'same' ? Math.ceil(n / stride) : Math.floor((n - k) / stride) + 1;
  return 2 * cube(out) * cube(k) * cin * cout;
}

/** One transposed conv3d on an input of edge n (every input voxel scatters k³·cout taps per input channel). */
export function conv3dTransposeFlops(n: number, k: number, cin: number, cout: number): number {
  return 2 * cube(n) * cube(k) * cin * cout;
}

/**
 * Forward FLOPs of the U-Net (unet.ts: maxpool down; up: 2³ stride-2 transposed conv, or for generator.upsample
 * 'nearest-conv' a 3³ conv on the nearest ×2 up-sampled input, 27/8 × the transposed conv's taps) on an n³ patch.
 */
export function unetFlops(g: TrainConfig['generator'], n: number, inChannels = 1): number {
  const ch = (l: number) => g.baseChannels * 2 ** l;
  let f = 0;
  for (let l = 0; l < g.levels; l++) {
    const size = n / 2 ** l;
    for (let i = 0; i < g.convsPerLevel; i++)
      f += conv3dFlops(size, 3, i === 0 ? (l === 0 ? inChannels : ch(l - 1)) : ch(l), ch(l));
  }
  for (let l = g.levels - 2; l >= 0; l--) {
    const size = n / 2 ** l;
    f +=
      g.upsample === 'nearest-conv'
        ? conv3dFlops(size, 3, ch(l + 1), ch(l))
        : conv3dTransposeFlops(size / 2, 2, ch(l + 1), ch(l));
    for (let i = 0; i < g.convsPerLevel; i++) f += conv3dFlops(size, 3, i === 0 ? 2 * ch(l) : ch(l), ch(l));
  }
  return f + conv3dFlops(n, 1, ch(0), 1, 1, 'valid');
}

/** Forward FLOPs of one PatchGAN (discriminator.ts) on an n³ crop. */
export function discriminatorFlops(d: TrainConfig['discriminator'], n: number): number {
  let f = 0,
    size = n,
    cin = 1;
  for (let i = 0; i < d.modules; i++) {
    const cout = d.baseChannels * 2 ** i;
    f += conv3dFlops(size, 3, cin, cout, 2);
    size = Math.ceil(size / 2);
    cin = cout;
  }
  return f + conv3dFlops(size, 3, cin, 1);
}

export interface StepFlops {
  unetForward: number;
  psfForward: number;
  /** One discriminator forward per crop scale (summed over the scales of one domain). */
  discriminatorsForward: number;
  /** Generator phase: G_AB(a), G_BA(b), G_BA(G_AB(a)), G_AB(G_BA(b)), both domains' PatchGANs on the fakes; ×3. */
  generatorPhase: number;
  /** Discriminator phase: both domains' PatchGANs on real and pooled fake; ×3. */
  discriminatorPhase: number;
  total: number;
}

/** FLOPs of one cycle-mode step (step.ts trainStep) with the explicit PSF layer. */
export function stepFlops(cfg: TrainConfig): StepFlops {
  const n = cfg.patchSize;
  const k = typeof cfg.psf.size === 'number' ? [cfg.psf.size, cfg.psf.size, cfg.psf.size] : cfg.psf.size;
  const unetForward = unetFlops(cfg.generator, n);
  // The free layer is one k³ convolution; psf.model 'gaussian' three 1-D ones (models/psf-gaussian.ts).
  const psfForward =
    cfg.psf.model === 'gaussian' ? 2 * cube(n) * (k[0]! + k[1]! + k[2]!) : 2 * cube(n) * k[0]! * k[1]! * k[2]!;
  const discriminatorsForward = cfg.discriminator.scales.reduce(
    (s, sc) => s + discriminatorFlops(cfg.discriminator, Math.max(1, Math.round(n * sc))),
    0,
  );
  const generatorPhase = 3 * (2 * unetForward + 2 * psfForward + 2 * discriminatorsForward);
  const discriminatorPhase = 3 * (2 * 2 * discriminatorsForward);
  return {
    unetForward,
    psfForward,
    discriminatorsForward,
    generatorPhase,
    discriminatorPhase,
    total: generatorPhase + discriminatorPhase,
  };
}
