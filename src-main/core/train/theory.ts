// What the trainer derives from the stacks' metadata and the optics in the config, beyond the paper:
//  - psf.init 'bornwolf': the theoretical Born–Wolf PSF on the stacks' voxel grid, at the PSF layer's size
//    (computed at the next odd size and cropped when the layer is even-sized, so its peak sits on the
//    layer's zero-shift voxel floor(k/2)), normalised to sum 1;
//  - psf.init 'spectral' (blind): a Gaussian with the widths fitted to the power spectra of the blurred and the
//    sharp stacks (core/psf/spectral-fit.ts), at the layer's size, normalised to sum 1;
//  - sharpSource 'rl': domain B = Richardson–Lucy (config.rlIterations) of every blurred stack, with a
//    user PSF when one is given, else the Born–Wolf PSF from the optics (odd, at most 31 voxels per axis).
import { InvalidParameterError } from '../errors';
import { richardsonLucy } from '../deconv/rl';
import type { Shape3, Volume, VoxelSize } from '../io/volume';
import { generatePsf } from '../psf/generate';
import { spectralData, type SpectralData } from '../psf/binned-spectrum';
import { fitPsfFromSpectra, type SpectralFit } from '../psf/spectral-fit';
import { gaussianPsf } from '../psf/kernels';
import { psfShape, type TrainConfig } from './config';

export type Optics = NonNullable<TrainConfig['optics']>;

const MICRONS_PER: Record<string, number> = { µm: 1, μm: 1, um: 1, micron: 1, microns: 1, nm: 1e-3, mm: 1e3 };

/** The voxel size in µm; uncalibrated stacks cannot give a physical PSF. */
export function voxelSizeMicrons(v: Volume): { dxy: number; dz: number } {
  const f = MICRONS_PER[v.voxelSize.unit];
  if (f === undefined || v.metadata.voxelSizeAssumed) {
    throw new InvalidParameterError(
      'voxel size',
      `the blurred stack has no physical voxel size (unit '${v.voxelSize.unit}'), so no Born–Wolf PSF can be computed for it`,
      'Write the voxel size into the TIFF (e.g. `cycledecon convert`), or give a PSF file / another psf.init.',
    );
  }
  const { x, y, z } = v.voxelSize;
  if (Math.abs(x - y) > 0.01 * x)
    throw new InvalidParameterError(
      'voxel size',
      `x (${x}) and y (${y}) differ; the Born–Wolf model here needs square pixels`,
    );
  return { dxy: x * f, dz: z * f };
}

function requireOptics(cfg: TrainConfig, what: string): Optics {
  if (!cfg.optics)
    throw new InvalidParameterError(
      'optics',
      `${what} needs the microscope optics`,
      'Pass --na, --wavelength (µm), --ni (and --ns), or set "optics" in the config.',
    );
  return cfg.optics;
}

/** Born–Wolf PSF [z, y, x] of the given size on the stack's grid, sum 1, peak at floor(k/2) on every axis. */
export function bornWolfPsf(optics: Optics, vox: { dxy: number; dz: number }, size: Shape3): Float32Array {
  const odd = size.map((k) => (k % 2 === 1 ? k : k + 1)) as Shape3;
  const full = generatePsf({
    model: 'born-wolf',
    na: optics.na,
    wavelength: optics.wavelength,
    ni: optics.ni,
    ns: optics.ns,
    dxy: vox.dxy,
    dz: vox.dz,
    size: odd,
  });
  if (odd.every((k, a) => k === size[a])) return full.data;
  const out = new Float32Array(size[0] * size[1] * size[2]);
  let sum = 0;
  for (let z = 0, i = 0; z < size[0]; z++)
    for (let y = 0; y < size[1]; y++)
      for (let x = 0; x < size[2]; x++, i++) {
        out[i] = full.data[(z * odd[1] + y) * odd[2] + x]!;
        sum += out[i]!;
      }
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/** The initial kernel of the PSF layer for psf.init 'bornwolf', from the optics and the first blurred stack. */
export function bornWolfLayerInit(cfg: TrainConfig, blurred: Volume[]): Float32Array {
  const optics = requireOptics(cfg, "psf.init 'bornwolf'");
  return bornWolfPsf(optics, voxelSizeMicrons(blurred[0]!), psfShape(cfg));
}

/** The initial kernel of the PSF layer for psf.init 'spectral', the fit it comes from and the spectra it was fitted to. */
export function spectralLayerInit(
  cfg: TrainConfig,
  blurred: Volume[],
  sharp: Volume[],
): { kernel: Float32Array; fit: SpectralFit; data: SpectralData } {
  if (sharp.length === 0)
    throw new InvalidParameterError('sharp', "psf.init 'spectral' needs the sharp stacks (domain B)");
  const data = spectralData(blurred, sharp);
  const fit = fitPsfFromSpectra(blurred, sharp, { data });
  return { kernel: gaussianPsf(psfShape(cfg), fit.sigmaVoxels), fit, data };
}

const oddAtMost = (n: number, cap: number) => {
  const m = Math.min(n, cap);
  return m % 2 === 1 ? m : Math.max(1, m - 1);
};

/** The PSF Richardson–Lucy uses for domain B: the user's, else Born–Wolf from the optics at ≤ 31 voxels per axis. */
export function rlPsfFor(cfg: TrainConfig, blurred: Volume[], userPsf?: Volume): Volume {
  if (userPsf) return userPsf;
  const optics = requireOptics(cfg, "sharpSource 'rl' without a PSF file");
  const first = blurred[0]!;
  const vox = voxelSizeMicrons(first);
  const size = first.shape.map((n) => oddAtMost(n, 31)) as Shape3;
  const voxelSize: VoxelSize = { ...first.voxelSize };
  return {
    data: bornWolfPsf(optics, vox, size),
    shape: size,
    voxelSize,
    metadata: { sourceFormat: 'synthetic', sourceDtype: 'float32', extra: { psfModel: 'born-wolf' } },
  };
}

/** Domain B for sharpSource 'rl': every blurred stack deconvolved with RL (config.rlIterations). */
export async function rlDomainB(
  cfg: TrainConfig,
  blurred: Volume[],
  psf: Volume,
  signal?: AbortSignal,
): Promise<Volume[]> {
  const out: Volume[] = [];
  for (const v of blurred) out.push(await richardsonLucy(v, psf, { iterations: cfg.rlIterations, signal }));
  return out;
}
