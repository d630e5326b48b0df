// Timing helpers shared by the benchmarks: one warm-up call, then repeat until `budgetMs` has passed
// (at least `minRuns`), and report the median. Peak RSS is sampled by the caller via process.memoryUsage.
export async function timeIt(fn: () => Promise<void> | void, budgetMs = 1000, minRuns = 1): Promise<number> {
  await fn();
  const times: number[] = [];
  const t0 = performance.now();
  while (times.length < minRuns || performance.now() - t0 < budgetMs) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
    if (times.length >= 50) break;
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!; // at least one run: minRuns ≥ 1 or budgetMs > 0
}

/** Peak resident set size of this process so far, in MiB (Linux reports maxRSS in KiB). */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}
