// A line profile between two points of a plane, sampled at a fixed step in one physical unit (µm when
// calibrated, else pixels): the x axis means the same thing on every line, whatever its angle.

export interface LineSamples {
  distance: number[];
  value: number[];
}

/** Bilinear value at continuous pixel coordinates (x, y) (pixel centres at integers), clamped to the plane. */
export function bilinear(data: ArrayLike<number>, w: number, h: number, x: number, y: number): number {
  const cx = Math.min(Math.max(x, 0), w - 1),
    cy = Math.min(Math.max(y, 0), h - 1);
  const xa = Math.floor(cx),
    ya = Math.floor(cy);
  const xb = Math.min(xa + 1, w - 1),
    yb = Math.min(ya + 1, h - 1);
  const fx = cx - xa,
    fy = cy - ya;
  return (
    (data[ya * w + xa]! * (1 - fx) + data[ya * w + xb]! * fx) * (1 - fy) +
    (data[yb * w + xa]! * (1 - fx) + data[yb * w + xb]! * fx) * fy
  );
}

/**
 * Samples from (x0, y0) to (x1, y1) (pixel coordinates) every `step` units, where one pixel is `sx` × `sy`
 * units (anisotropic pixels give the true physical length). The last sample is the end point when the
 * length is a whole number of steps. Raw values: normalising is the caller's choice.
 */
export function sampleLine(
  data: ArrayLike<number>,
  w: number,
  h: number,
  a: [number, number],
  b: [number, number],
  sx = 1,
  sy = 1,
  step = Math.min(sx, sy),
): LineSamples {
  const length = Math.hypot((b[0] - a[0]) * sx, (b[1] - a[1]) * sy);
  const n = Math.floor(length / step + 1e-9) + 1;
  const out: LineSamples = { distance: [], value: [] };
  for (let i = 0; i < n; i++) {
    const t = length > 0 ? (i * step) / length : 0;
    out.distance.push(+(i * step).toPrecision(12));
    out.value.push(bilinear(data, w, h, a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t));
  }
  return out;
}

/** Values scaled to 0..1 between their minimum and maximum (a flat profile becomes all zeros). */
export function normaliseProfile(values: number[]): number[] {
  let lo = Infinity,
    hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo;
  return values.map((v) => (span > 0 ? (v - lo) / span : 0));
}
