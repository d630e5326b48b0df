// The one table of `bench:science-suite` (#23): a row per case and seed. Pure, so parts run separately can be
// merged (`--table a.json,b.json`) and the layout is unit-tested.

export interface SuiteRow {
  case: string;
  seed: number;
  steps: number;
  /** Training wall time, s (the shared 2-core box: under load). */
  seconds: number;
  /** SSIM 3D vs the ground truth; null on real stacks (no truth). */
  ssim: { cycledecon: number; rl: number; rlIterations: number; raw: number } | null;
  /** Share of power above 0.4 cycles/voxel: [result, input, truth (NaN on real stacks)]. */
  lateral: [number, number, number];
  axial: [number, number, number];
  /** Share of the result's voxels below −3 noise σ (σ of the input). */
  below3Sigma: number;
  /** Re-blur residual with the true (or provided) PSF: result, input. */
  reblur: [number, number];
  /** Learned PSF FWHM relative error vs the true (or provided) PSF per axis; null without one. */
  fwhmError: { x: number; y: number; z: number } | null;
  flags: string[];
}

const pct = (v: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(1)} %` : '–');
const f3 = (v: number) => v.toFixed(3);
const signed = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(100 * v).toFixed(0)} %`;

/** The issue's targets per row: no checkerboard (≤ 2× the truth's, or the input's on real stacks), no light below −3σ. */
export function rowTargets(r: SuiteRow): { hf: boolean; negative: boolean; ssim: boolean | null; psf: boolean | null } {
  const ref = (t: [number, number, number]) => (Number.isFinite(t[2]) ? t[2] : t[1]);
  return {
    hf: r.lateral[0] <= 2 * ref(r.lateral) && r.axial[0] <= 2 * ref(r.axial),
    negative: r.below3Sigma === 0,
    ssim: r.ssim ? r.ssim.cycledecon >= r.ssim.rl : null,
    psf: r.fwhmError
      ? Math.max(Math.abs(r.fwhmError.x), Math.abs(r.fwhmError.y), Math.abs(r.fwhmError.z)) <= 0.2
      : null,
  };
}

export function suiteTable(rows: readonly SuiteRow[]): string {
  const head =
    '| case | seed | steps | SSIM CycleDecon | SSIM RL true PSF (it) | SSIM raw | lateral > 0.4 (result / input / truth) | axial > 0.4 | < −3σ | re-blur (result / input) | PSF FWHM error x / y / z | train s | flags |';
  const sep = `|${'---|'.repeat(13)}`;
  const body = rows.map((r) => {
    const s = r.ssim;
    const mark = (ok: boolean | null, text: string) => (ok === false ? `${text} ✗` : text);
    const t = rowTargets(r);
    return (
      `| ${r.case} | ${r.seed} | ${r.steps} | ${s ? mark(t.ssim, f3(s.cycledecon)) : '–'} | ${s ? `${f3(s.rl)} (${s.rlIterations})` : '–'} | ${s ? f3(s.raw) : '–'} | ` +
      `${mark(t.hf, r.lateral.map(pct).join(' / '))} | ${r.axial.map(pct).join(' / ')} | ${mark(t.negative, pct(r.below3Sigma))} | ` +
      `${r.reblur.map((v) => v.toPrecision(3)).join(' / ')} | ${r.fwhmError ? mark(t.psf, [r.fwhmError.x, r.fwhmError.y, r.fwhmError.z].map(signed).join(' / ')) : '–'} | ` +
      `${r.seconds.toFixed(0)} | ${r.flags.length ? r.flags.join(', ') : 'passed'} |`
    );
  });
  return [head, sep, ...body].join('\n');
}
