// NaN and ±Inf voxels: one count for every check that refuses them (RL inputs, PSF files).
export function countNonFinite(data: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) n++;
  return n;
}
