// CARE-style fair comparison (Weigert et al. 2018): percentile-normalise the ground truth, then map the
// prediction by the affine least-squares fit onto it, so methods with different intensity scales compare fairly.

/** numpy.percentile with the default linear interpolation; q in [0, 100]. */
export function percentile(data: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(data).sort();
  if (sorted.length === 0) return NaN;
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos),
    hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

export interface Normalised {
  gt: Float64Array;
  pred: Float64Array;
  gtLow: number;
  gtHigh: number;
  scale: number;
  offset: number;
}

export function careNormalise(gt: ArrayLike<number>, pred: ArrayLike<number>, pLow = 0.1, pHigh = 99.9): Normalised {
  const lo = percentile(gt, pLow),
    hi = percentile(gt, pHigh);
  const range = hi - lo || 1;
  const n = gt.length;
  const g = new Float64Array(n);
  for (let i = 0; i < n; i++) g[i] = (gt[i]! - lo) / range;
  let mp = 0,
    mg = 0;
  for (let i = 0; i < n; i++) {
    mp += pred[i]!;
    mg += g[i]!;
  }
  mp /= n;
  mg /= n;
  let cov = 0,
    varp = 0;
  for (let i = 0; i < n; i++) {
    const d = pred[i]! - mp;
    cov += d * (g[i]! - mg);
    varp += d * d;
  }
  const scale = varp > 0 ? cov / varp : 0,
    offset = mg - scale * mp;
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) p[i] = scale * pred[i]! + offset;
  return { gt: g, pred: p, gtLow: lo, gtHigh: hi, scale, offset };
}
