// What Richardson–Lucy takes from the whole stack, measured box by box: its 'auto' background, equal to
// estimateStackBackground on the whole stack (deconv/background.ts: the 1 % quantile of the means of the
// 8×8 patches of every slice; boxes start on multiples of 8 in y and x, so each patch lies in one box and
// is summed in the same order), and its mean, from which RL starts (init 'mean' = mean − background).
// Measured per box instead, both change from box to box on an uneven stack and show as seams.
// Memory: one float32 per patch, 1/64 of the stack's voxel count.
import type { Shape3 } from '../../io/volume';
import { BLOCK, BLOCK_QUANTILE, estimateBackground } from '../../deconv/background';
import type { BoxSource } from './box-source';
import { tileBoxes } from './normalise-boxes';

export interface StackStats {
  /** The 'auto' background of the whole stack. */
  background: number;
  mean: number;
}

export async function stackStatsBoxes(src: BoxSource, boxZ: number): Promise<StackStats> {
  const [nz, ny, nx] = src.shape,
    by = Math.floor(ny / BLOCK),
    bx = Math.floor(nx / BLOCK);
  const patches = by * bx >= 4;
  const means = new Float32Array(patches ? nz * by * bx : 0);
  let k = 0,
    sum = 0;
  const side = 32 * BLOCK;
  for (const b of tileBoxes(src.shape, [boxZ, side, side] as Shape3)) {
    const d = await src.readBox(b.start, b.size);
    for (let i = 0; i < d.length; i++) sum += d[i]!;
    if (!patches) continue;
    const [dz, dy, dx] = b.size;
    const py = Math.min(by * BLOCK - b.start[1], dy) / BLOCK,
      px = Math.min(bx * BLOCK - b.start[2], dx) / BLOCK;
    for (let z = 0; z < dz; z++)
      for (let j = 0; j < Math.floor(py); j++)
        for (let i = 0; i < Math.floor(px); i++) {
          let s = 0;
          for (let y = j * BLOCK; y < (j + 1) * BLOCK; y++) {
            const row = (z * dy + y) * dx + i * BLOCK;
            for (let x = 0; x < BLOCK; x++) s += d[row + x]!;
          }
          if (Number.isFinite(s)) means[k++] = s / (BLOCK * BLOCK);
        }
  }
  const mean = sum / (nz * ny * nx);
  if (!patches) return { background: estimateBackground(await src.readBox([0, 0, 0], src.shape)), mean };
  if (k === 0) return { background: 0, mean };
  const sorted = means.subarray(0, k).sort();
  return { background: Math.max(0, sorted[Math.floor(BLOCK_QUANTILE * (k - 1))]!), mean };
}
