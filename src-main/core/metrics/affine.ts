// Least-squares affine fit y ≈ gain·x + offset, shared by the report's re-blur check and training's output check
// (metrics sit below both).
export function affineFit(x: Float32Array, y: Float32Array): { gain: number; offset: number } {
  let sx = 0,
    sy = 0,
    sxx = 0,
    sxy = 0;
  const n = x.length;
  for (let i = 0; i < n; i++) {
    sx += x[i]!;
    sy += y[i]!;
    sxx += x[i]! * x[i]!;
    sxy += x[i]! * y[i]!;
  }
  const vx = sxx - (sx * sx) / n;
  const gain = vx > 0 ? (sxy - (sx * sy) / n) / vx : 1;
  return { gain, offset: (sy - gain * sx) / n };
}
