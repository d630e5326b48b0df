// Boxes of one channel/frame of an OME-Zarr input, as out-of-core deconvolution reads them: optionally
// mapped (normalised), and mirror-padded at the high end of each axis to the network's size multiple
// exactly as exact.ts's paddedSource pads whole slices, so a box read here equals the same box of the
// padded in-memory volume.
import type { Shape3 } from '../../io/volume';
import type { BoxedSliceSource } from '../exact';

export interface BoxSource {
  shape: Shape3;
  readBox(start: Shape3, size: Shape3): Promise<Float32Array>;
}

const mirror = (i: number, n: number) => {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const m = i % period;
  return m < n ? m : period - m;
};

/** `src` with `map` applied to every box read (normalisation: a voxel-wise map). */
export function mappedSource(src: BoxSource, map: (d: Float32Array) => Float32Array): BoxSource {
  return { shape: src.shape, readBox: async (start, size) => map(await src.readBox(start, size)) };
}

/** `src` mirror-padded at the high end of each axis to `padded`; readSlices reads whole padded slices (box by box). */
export function paddedBoxSource(src: BoxSource, padded: Shape3): BoxedSliceSource & BoxSource {
  const n = src.shape;
  const readBox = async (start: Shape3, size: Shape3): Promise<Float32Array> => {
    if (start.every((s, a) => s + size[a]! <= n[a]!)) return src.readBox(start, size);
    const idx = [0, 1, 2].map((a) => Array.from({ length: size[a]! }, (_, i) => mirror(start[a]! + i, n[a]!)));
    const lo = idx.map((v) => Math.min(...v)) as Shape3;
    const span = idx.map((v, a) => Math.max(...v) - lo[a]! + 1) as Shape3;
    const block = await src.readBox(lo, span);
    const out = new Float32Array(size[0] * size[1] * size[2]);
    for (let z = 0; z < size[0]; z++)
      for (let y = 0; y < size[1]; y++) {
        const row = ((idx[0]![z]! - lo[0]) * span[1] + idx[1]![y]! - lo[1]) * span[2] - lo[2];
        const o = (z * size[1] + y) * size[2];
        for (let x = 0; x < size[2]; x++) out[o + x] = block[row + idx[2]![x]!]!;
      }
    return out;
  };
  return { shape: padded, readBox, readSlices: (z0, z1) => readBox([z0, 0, 0], [z1 - z0, padded[1], padded[2]]) };
}

/** `box` grown by `halo` on each side (rounded out to `multiple`), clipped to `shape`; and where `box` sits in it. */
export function withHalo(
  start: Shape3,
  size: Shape3,
  halo: Shape3,
  shape: Shape3,
  multiple = 1,
): { start: Shape3; size: Shape3; inner: Shape3 } {
  const s = start.map((v, a) => Math.max(0, Math.floor((v - halo[a]!) / multiple) * multiple)) as Shape3;
  const e = start.map((v, a) => Math.min(shape[a]!, Math.ceil((v + size[a]! + halo[a]!) / multiple) * multiple));
  return { start: s, size: e.map((v, a) => v - s[a]!) as Shape3, inner: start.map((v, a) => v - s[a]!) as Shape3 };
}
