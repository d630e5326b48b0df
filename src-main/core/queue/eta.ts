// Time left of a running job, from its progress so far.

/** Seconds left from the progress rate of this attempt (undefined until the rate is measurable). */
export function etaEstimator(): (progress: number) => number | undefined {
  let first: { t: number; p: number } | undefined;
  return (progress) => {
    const t = performance.now() / 1000;
    if (!first) first = { t, p: progress };
    const rate = (progress - first.p) / (t - first.t);
    return rate > 0 && Number.isFinite(rate) ? Math.max(0, (1 - progress) / rate) : undefined;
  };
}
