// The BioImage Model Zoo's `scale_range` pre-processing (bioimageio.core, spec 0.5): percentiles of the whole
// sample by NumPy's default linear interpolation, then (x − p_low) / (p_high − p_low + eps). The exported test
// output is computed from exactly this, so a consumer that re-runs the test reproduces it.

/** NumPy's default ('linear') percentile q ∈ [0, 100] of `data` (not modified). */
export function percentileLinear(data: Float32Array, q: number): number {
  const s = Float64Array.from(data).sort();
  const h = ((s.length - 1) * q) / 100;
  const lo = Math.floor(h),
    hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
}

export interface ScaleRange {
  lowPercentile: number;
  highPercentile: number;
  eps: number;
  /** Clip to [0, 1] afterwards (the `clip` step that follows when training clipped). */
  clip: boolean;
}

export function applyScaleRange(data: Float32Array, p: ScaleRange): Float32Array {
  const lo = percentileLinear(data, p.lowPercentile),
    hi = percentileLinear(data, p.highPercentile);
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = (data[i]! - lo) / (hi - lo + p.eps);
    out[i] = p.clip ? Math.min(1, Math.max(0, v)) : v;
  }
  return out;
}
