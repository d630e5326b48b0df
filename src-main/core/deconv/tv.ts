// Total-variation term of Richardson–Lucy–TV (Dey et al., Microsc. Res. Tech. 69:260, 2006):
// div(∇u / |∇u|), forward differences for the gradient, backward differences for the divergence.

/** Writes div(∇u/|∇u|) of the box `shape` into `out` (same layout as u). */
export function tvDivergence(u: Float32Array, shape: [number, number, number], out: Float32Array, eps = 1e-8): void {
  const [nz, ny, nx] = shape;
  const plane = ny * nx,
    n = nz * plane;
  const gx = new Float32Array(n),
    gy = new Float32Array(n),
    gz = new Float32Array(n);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const i = z * plane + y * nx + x,
          v = u[i]!;
        const dx = x + 1 < nx ? u[i + 1]! - v : 0;
        const dy = y + 1 < ny ? u[i + nx]! - v : 0;
        const dz = z + 1 < nz ? u[i + plane]! - v : 0;
        const norm = Math.sqrt(dx * dx + dy * dy + dz * dz + eps * eps);
        gx[i] = dx / norm;
        gy[i] = dy / norm;
        gz[i] = dz / norm;
      }
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const i = z * plane + y * nx + x;
        out[i] =
          gx[i]! -
          (x > 0 ? gx[i - 1]! : 0) +
          gy[i]! -
          (y > 0 ? gy[i - nx]! : 0) +
          gz[i]! -
          (z > 0 ? gz[i - plane]! : 0);
      }
}
