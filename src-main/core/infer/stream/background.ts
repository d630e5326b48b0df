// Richardson–Lucy's 'auto' background for a stack read box by box, equal to estimateStackBackground on the
// whole stack (deconv/background.ts): the 1 % quantile of the means of the 8×8 patches of every slice. Boxes
// start on multiples of 8 in y and x, so each patch lies in one box and is summed in the same order. A
// background estimated per box instead would change from box to box on an uneven stack and show as seams.
// Memory: one float32 per patch, 1/64 of the stack's voxel count.
import type { Shape3 } from '../../io/volume';
import { BLOCK, BLOCK_QUANTILE, estimateBackground } from '../../deconv/background';
import type { BoxSource } from './box-source';
import { tileBoxes } from './normalise-boxes';

export async function stackBackgroundBoxes(src: BoxSource, boxZ: number): Promise<number> {
  const [nz, ny, nx] = src.shape, by = Math.floor(ny / BLOCK), bx = Math.floor(nx / BLOCK);
  if (by * bx < 4) return estimateBackground(await src.readBox([0, 0, 0], src.shape));
  const means = new Float32Array(nz * by * bx);
  let k = 0;
  const side = 32 * BLOCK;
  for (const b of tileBoxes([nz, by * BLOCK, bx * BLOCK], [boxZ, side, side] as Shape3)) {
    const d = await src.readBox(b.start, b.size);
    const [dz, dy, dx] = b.size;
    for (let z = 0; z < dz; z++) for (let j = 0; j < dy / BLOCK; j++) for (let i = 0; i < dx / BLOCK; i++) {
      let sum = 0;
      for (let y = j * BLOCK; y < (j + 1) * BLOCK; y++) {
        const row = (z * dy + y) * dx + i * BLOCK;
        for (let x = 0; x < BLOCK; x++) sum += d[row + x]!;
      }
      if (Number.isFinite(sum)) means[k++] = sum / (BLOCK * BLOCK);
    }
  }
  if (k === 0) return 0;
  const sorted = means.subarray(0, k).sort();
  return Math.max(0, sorted[Math.floor(BLOCK_QUANTILE * (k - 1))]!);
}
