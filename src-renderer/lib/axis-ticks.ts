// Axis ticks a reader can read values off: 1-2-5 × 10^k steps (Heckbert, "Nice numbers for graph labels",
// Graphics Gems 1990), whole numbers only on an axis of whole numbers (training steps), and on a log axis the
// values themselves (0.1, 1, 10; 2 and 5 between when the axis spans under two decades), never exponents like 1e0.5.
// The report's SVG plots follow the same rules (core/image/ticks.ts, which the renderer may not import).

/** About `n` multiples of a 1-2-5 step inside [a, b]; with `integer`, the step is at least 1. */
export function linearTicks(a: number, b: number, n = 5, integer = false): number[] {
  if (!(b > a)) return [a];
  const base = 10 ** Math.floor(Math.log10((b - a) / n));
  let step = [1, 2, 5, 10].map((m) => m * base).find((s) => (b - a) / s <= n) ?? base * 10;
  if (integer) step = Math.max(1, Math.round(step));
  const out: number[] = [];
  for (let i = Math.ceil(a / step - 1e-9); i * step <= b + step * 1e-9; i++)
    out.push(Number((i * step).toPrecision(12)));
  return out;
}

/** Tick values (not exponents) inside [lo, hi] > 0: decades; 1, 2, 5 per decade under two decades; 1, 2, 3, 5 under one. */
export function logTicks(lo: number, hi: number): number[] {
  if (!(lo > 0) || !(hi > lo)) return lo > 0 ? [lo] : [];
  const span = Math.log10(hi / lo);
  const mults = span < 1 ? [1, 2, 3, 5] : span < 2 ? [1, 2, 5] : [1];
  const every = span > 8 ? Math.ceil(span / 6) : 1;
  const out: number[] = [];
  // Every `every`-th decade counted from 10^0, so a normalised plot keeps its tick at 1.
  for (let k = Math.floor(Math.floor(Math.log10(lo)) / every) * every; k <= Math.ceil(Math.log10(hi)); k += every) {
    for (const m of mults) {
      const v = Number((m * 10 ** k).toPrecision(12));
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
    }
  }
  return out;
}

/** A tick label: plain decimals from 0.001 to 99 999, else 1e-5 style; no float noise. */
export function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e5 || a < 1e-3 ? v.toExponential(0).replace('e+', 'e') : String(Number(v.toPrecision(6)));
}
