// The normaliser of a stack read box by box, equal to fitNormaliserStreaming's on the same stack: that one
// reads `chunk` slices at a time and samples every step-th voxel of each slab (step from the slab's size);
// here each box's voxels are tested for the same slab-and-index rule, so min, max and the sample, hence
// the quantiles, are the same whatever the box order and size.
import type { Shape3 } from '../../io/volume';
import { quantiles } from '../../image/colormap';
import { makeNormaliser, meanScaled, type Normaliser, type ScaleMode } from '../../normalise/normaliser';
import { InvalidParameterError } from '../../errors';
import type { BoxSource } from './box-source';

/** Boxes that tile `shape`: `box` sized, the last on each axis cut short. */
export function tileBoxes(shape: Shape3, box: Shape3): { start: Shape3; size: Shape3 }[] {
  const out: { start: Shape3; size: Shape3 }[] = [];
  for (let z = 0; z < shape[0]; z += box[0])
    for (let y = 0; y < shape[1]; y += box[1])
      for (let x = 0; x < shape[2]; x += box[2]) {
        out.push({
          start: [z, y, x],
          size: [Math.min(box[0], shape[0] - z), Math.min(box[1], shape[1] - y), Math.min(box[2], shape[2] - x)],
        });
      }
  return out;
}

/** As fitNormaliserStreaming(source, pLow, pHigh, chunk, mode), reading `box`-sized boxes. */
export async function fitNormaliserBoxes(
  src: BoxSource,
  box: Shape3,
  pLow: number,
  pHigh: number,
  chunk = 8,
  mode: ScaleMode = {},
): Promise<Normaliser> {
  if (!(pLow >= 0 && pHigh <= 100 && pLow < pHigh))
    throw new InvalidParameterError('normalisation', `percentiles ${pLow}..${pHigh} must satisfy 0 ≤ low < high ≤ 100`);
  const [nz, ny, nx] = src.shape;
  const perChunk = Math.max(1000, Math.floor((2_000_000 * Math.min(chunk, nz)) / nz));
  const stepOf = (slab: number) =>
    Math.max(1, Math.floor(((Math.min(nz, slab * chunk + chunk) - slab * chunk) * ny * nx) / perChunk));
  let min = Infinity,
    max = -Infinity;
  const sample: number[] = [];
  const boxes = tileBoxes(src.shape, box);
  for (const b of boxes) {
    const d = await src.readBox(b.start, b.size);
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    for (let z = 0; z < b.size[0]; z++) {
      const gz = b.start[0] + z,
        slab = Math.floor(gz / chunk),
        step = stepOf(slab);
      for (let y = 0; y < b.size[1]; y++) {
        const flat = ((gz - slab * chunk) * ny + b.start[1] + y) * nx + b.start[2];
        const row = (z * b.size[1] + y) * b.size[2];
        for (let x = (step - (flat % step)) % step; x < b.size[2]; x += step) sample.push(d[row + x]!);
      }
    }
  }
  const [ql, qh] = quantiles(sample, [pLow / 100, pHigh / 100], Infinity);
  const p = { pLow, pHigh, lo: pLow === 0 ? min : ql!, hi: pHigh === 100 ? max : qh! };
  if (mode.scale !== 'mean') return makeNormaliser(p);
  let sum = 0;
  for (const b of boxes) {
    const d = await src.readBox(b.start, b.size);
    for (let i = 0; i < d.length; i++) sum += Math.max(0, d[i]! - p.lo);
  }
  return meanScaled(p, mode.meanTarget, sum / (nz * ny * nx));
}
