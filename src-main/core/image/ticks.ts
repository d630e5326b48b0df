// "Nice" axis ticks: steps of 1, 2 or 5 × 10^k (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990),
// so a reader reads values off the grid instead of interpolating between 50.8 and 7.75.

/** The 1-2-5 × 10^k step nearest (in ratio) to `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const k = Math.floor(Math.log10(raw));
  const base = 10 ** k;
  const candidates = [1, 2, 5, 10].map((m) => m * base);
  return candidates.reduce((best, c) => (Math.abs(Math.log(c / raw)) < Math.abs(Math.log(best / raw)) ? c : best));
}

/** Digits after the decimal point that a multiple of `step` needs (0.25 → 2; 10 → 0). */
function decimalsFor(step: number): number {
  for (let d = 0; d < 12; d++) if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-9 * 10 ** d) return d;
  return 12;
}

/** Multiples of a nice step inside [lo, hi], about `target` of them; values rounded to the step's decimals. */
export function niceTicks(lo: number, hi: number, target = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step = niceStep((hi - lo) / target);
  const d = decimalsFor(step);
  const out: number[] = [];
  for (let i = Math.ceil(lo / step - 1e-9); i * step <= hi + step * 1e-9; i++) out.push(Number((i * step).toFixed(d)));
  return out;
}

/** An axis widened to nice bounds on both sides, with its ticks (0–7.75 → 0–8 ticked every 2). */
export function niceScale(lo: number, hi: number, target = 5): { lo: number; hi: number; ticks: number[] } {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) * 0.05 || 1;
    return niceScale(lo - pad, lo + pad, target);
  }
  const step = niceStep((hi - lo) / target);
  const nlo = Math.floor(lo / step + 1e-9) * step,
    nhi = Math.ceil(hi / step - 1e-9) * step;
  return {
    lo: nlo,
    hi: nhi,
    ticks: niceTicks(nlo, nhi, target).filter((t) => t >= nlo - step * 1e-6 && t <= nhi + step * 1e-6),
  };
}

/** A log axis (positive values only) widened to whole decades; ticks at 1, 2, 5 × 10^k when it spans under two decades. */
export function logScale(lo: number, hi: number): { lo: number; hi: number; ticks: number[] } {
  if (!(lo > 0) || !(hi >= lo)) throw new RangeError(`a log axis needs positive values, got ${lo}…${hi}`);
  const a = Math.floor(Math.log10(lo) + 1e-9),
    b = Math.max(a + 1, Math.ceil(Math.log10(hi) - 1e-9));
  const mult = b - a < 2 ? [1, 2, 5] : b - a <= 6 ? [1] : [];
  const ticks: number[] = [];
  const every = mult.length ? 1 : Math.ceil((b - a) / 6);
  for (let k = a; k <= b; k += every)
    for (const m of mult.length ? mult : [1]) if (k < b || m === 1) ticks.push(Number((m * 10 ** k).toPrecision(12)));
  return { lo: 10 ** a, hi: 10 ** b, ticks };
}

/** A tick label: plain decimals in a readable range, else 1e−5 style; no float noise (0.30000000000000004). */
export function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  const text = a >= 1e5 || a < 1e-3 ? v.toExponential(0).replace('e+', 'e') : String(Number(v.toPrecision(6)));
  return text.replace(/-/g, '\u2212'); // a typographic minus, as wide as the plus a reader expects
}
