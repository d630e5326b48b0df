// Numbers of the PSF inspector's pupil panels: values to three significant digits, and "learned vs measured" —
// two PSFs' pupil parameters side by side with their differences (B − A), and their FWHMs and NA_eff.
import type { PupilInfo } from '../../src-main/contract';

/**
 * A value to `digits` significant digits without float noise (0.12, −0.0503, 1.2e-5). Pupil quantities are in µm
 * or radians, where below 1e-6 is an optimiser's rounding, not a value: shown as 0.
 */
export function sig(v: number, digits = 3): string {
  if (Math.abs(v) < 1e-6) return '0';
  const a = Math.abs(v);
  return a >= 1e5 || a < 1e-3 ? v.toExponential(digits - 1) : String(Number(v.toPrecision(digits)));
}

export interface CompareRow {
  name: string;
  meaning: string;
  unit: string;
  a: number | null;
  b: number | null;
  /** b − a where both have the parameter. */
  diff: number | null;
  /** √(σa² + σb²) over the σ that are known (a bead fit's); null where neither is. */
  diffSigma: number | null;
}

function row(
  name: string,
  meaning: string,
  unit: string,
  a: number | null,
  b: number | null,
  sa: number | null,
  sb: number | null,
): CompareRow {
  const diff = a !== null && b !== null ? b - a : null;
  const known = [sa, sb].filter((s): s is number => s !== null);
  return { name, meaning, unit, a, b, diff, diffSigma: diff !== null && known.length ? Math.hypot(...known) : null };
}

/** The parameters of both, in A's order then those only B has; a parameter one lacks shows null there. */
export function compareParams(a: PupilInfo, b: PupilInfo): CompareRow[] {
  const names = [
    ...a.params.map((p) => p.name),
    ...b.params.map((p) => p.name).filter((n) => !a.params.some((p) => p.name === n)),
  ];
  return names.map((n) => {
    const pa = a.params.find((p) => p.name === n),
      pb = b.params.find((p) => p.name === n);
    const info = pa ?? pb!;
    return row(n, info.meaning, info.unit, pa?.value ?? null, pb?.value ?? null, pa?.sigma ?? null, pb?.sigma ?? null);
  });
}

/** FWHM x, y, z (µm) of each PSF and NA_eff = 0.51·λ / lateral FWHM, with their differences. */
export function compareWidths(a: PupilInfo, b: PupilInfo): CompareRow[] {
  const axes = (['x', 'y', 'z'] as const).map((k) =>
    row(
      `FWHM ${k}`,
      `full width at half maximum along ${k}`,
      'µm',
      a.fwhm?.[k] ?? null,
      b.fwhm?.[k] ?? null,
      null,
      null,
    ),
  );
  return [...axes, row('NA_eff', '0.51·λ / lateral FWHM', '', a.naEffective, b.naEffective, null, null)];
}
