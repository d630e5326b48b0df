// Intensity normalisation shared by training and inference: an affine map fitted on a volume's
// percentiles, with apply (raw → network scale) and invert (network scale → raw units). The inverse
// is exact, so a deconvolved stack comes back in the input's intensity units, never clipped.
import { InvalidParameterError } from '../errors';
import { quantiles } from '../image/colormap';
import type { SliceSource } from '../io/slice-source';

/**
 * How the scale is set once the low percentile fixed the offset. 'percentile': pHigh maps to 1. 'mean': the mean of
 * (x − lo)₊ maps to `meanTarget`. A sum-one blur keeps a stack's mean, so a blurred stack and a sharp one of
 * similar content land on the same scale; with 'percentile' the blurred one is brighter by peak/blurred-peak.
 */
export interface ScaleMode {
  scale?: 'percentile' | 'mean';
  meanTarget?: number;
}

export interface NormaliserParams extends ScaleMode {
  /** Percentiles (0..100) that map to 0 and 1; 0 and 100 give plain min–max (the paper's [0,1] scaling). */
  pLow: number;
  pHigh: number;
  /** The raw intensities at those percentiles. */
  lo: number;
  hi: number;
}

export interface Normaliser extends NormaliserParams {
  apply(data: Float32Array): Float32Array;
  invert(data: Float32Array): Float32Array;
  /** Human-readable scale for file metadata. */
  describe(): string;
  toJSON(): NormaliserParams;
}

export function makeNormaliser(p: NormaliserParams): Normaliser {
  if (!Number.isFinite(p.lo) || !Number.isFinite(p.hi))
    throw new InvalidParameterError('normalisation', `range ${p.lo}..${p.hi} is not finite`);
  // A constant image has hi = lo; any positive span keeps apply/invert exact inverses.
  const span = p.hi > p.lo ? p.hi - p.lo : 1;
  return {
    ...p,
    apply: (d) => {
      const out = new Float32Array(d.length);
      for (let i = 0; i < d.length; i++) out[i] = (d[i]! - p.lo) / span;
      return out;
    },
    invert: (d) => {
      const out = new Float32Array(d.length);
      for (let i = 0; i < d.length; i++) out[i] = d[i]! * span + p.lo;
      return out;
    },
    describe: () =>
      p.scale === 'mean'
        ? `input intensity units (network scale: p${p.pLow} of input = ${p.lo} → 0, mean above it → ${p.meanTarget}; 1 = ${p.hi})`
        : `input intensity units (network scale [0,1] = p${p.pLow}..p${p.pHigh} of input = ${p.lo}..${p.hi})`,
    toJSON: () => ({
      pLow: p.pLow,
      pHigh: p.pHigh,
      lo: p.lo,
      hi: p.hi,
      ...(p.scale === 'mean' ? { scale: p.scale, meanTarget: p.meanTarget } : {}),
    }),
  };
}

function checkPercentiles(pLow: number, pHigh: number): void {
  if (!(pLow >= 0 && pHigh <= 100 && pLow < pHigh))
    throw new InvalidParameterError('normalisation', `percentiles ${pLow}..${pHigh} must satisfy 0 ≤ low < high ≤ 100`);
}

/** Fits on in-memory data (exact min/max for 0/100, sampled quantiles otherwise). */
export function fitNormaliser(data: Float32Array, pLow = 0, pHigh = 100, mode: ScaleMode = {}): Normaliser {
  checkPercentiles(pLow, pHigh);
  const [lo, hi] = fitRange([data], pLow, pHigh);
  return withScale({ pLow, pHigh, lo: lo!, hi: hi! }, mode, data);
}

/** Applies the scale mode to a percentile fit of `data`. */
function withScale(p: NormaliserParams, mode: ScaleMode, data: Float32Array): Normaliser {
  return mode.scale === 'mean'
    ? meanScaled(p, mode.meanTarget, data.length ? sumAbove(data, p.lo) / data.length : 0)
    : makeNormaliser(p);
}

function sumAbove(d: Float32Array, lo: number): number {
  let sum = 0;
  for (let i = 0; i < d.length; i++) sum += Math.max(0, d[i]! - lo);
  return sum;
}

/** The 'mean' scale: the mean of (x − lo)₊ maps to `target` (a constant stack keeps its percentile span). */
export function meanScaled(p: NormaliserParams, target = 0.05, meanAbove: number): Normaliser {
  if (!(target > 0 && target <= 1))
    throw new InvalidParameterError('normalisation.meanTarget', `${target} must be in (0, 1]`);
  return makeNormaliser({
    ...p,
    scale: 'mean',
    meanTarget: target,
    hi: meanAbove > 0 ? p.lo + meanAbove / target : p.hi,
  });
}

function fitRange(chunks: Float32Array[], pLow: number, pHigh: number, samplesPerChunk = 2_000_000): [number, number] {
  let min = Infinity,
    max = -Infinity;
  const sample: number[] = [];
  for (const c of chunks) {
    for (let i = 0; i < c.length; i++) {
      const v = c[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const step = Math.max(1, Math.floor(c.length / samplesPerChunk));
    for (let i = 0; i < c.length; i += step) sample.push(c[i]!);
  }
  const [ql, qh] = quantiles(sample, [pLow / 100, pHigh / 100], Infinity);
  return [pLow === 0 ? min : ql!, pHigh === 100 ? max : qh!];
}

/** Fits on a lazily read stack, `chunk` slices at a time, so the whole volume is never in memory. */
export async function fitNormaliserStreaming(
  source: SliceSource,
  pLow = 0,
  pHigh = 100,
  chunk = 8,
  mode: ScaleMode = {},
): Promise<Normaliser> {
  checkPercentiles(pLow, pHigh);
  const nz = source.shape[0];
  const perChunk = Math.max(1000, Math.floor((2_000_000 * Math.min(chunk, nz)) / nz));
  let min = Infinity,
    max = -Infinity;
  const sample: number[] = [];
  for (let z = 0; z < nz; z += chunk) {
    const slab = await source.readSlices(z, Math.min(nz, z + chunk));
    for (let i = 0; i < slab.length; i++) {
      const v = slab[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const step = Math.max(1, Math.floor(slab.length / perChunk));
    for (let i = 0; i < slab.length; i += step) sample.push(slab[i]!);
  }
  const [ql, qh] = quantiles(sample, [pLow / 100, pHigh / 100], Infinity);
  const p = { pLow, pHigh, lo: pLow === 0 ? min : ql!, hi: pHigh === 100 ? max : qh! };
  if (mode.scale !== 'mean') return makeNormaliser(p);
  // The mean above lo needs lo first: a second streaming pass.
  let sum = 0;
  for (let z = 0; z < nz; z += chunk) sum += sumAbove(await source.readSlices(z, Math.min(nz, z + chunk)), p.lo);
  return meanScaled(p, mode.meanTarget, sum / (nz * source.shape[1] * source.shape[2]));
}
