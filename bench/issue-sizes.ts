// The issue's sizes for bench/run.ts, each piece in its own process so its peak RSS is its own:
//  - inference throughput on 64×512×512 through the real tiled path (bench/infer-issue.ts) per backend
//    (cpu, wasm, webgpu), with the `fast` architecture (what `cycledecon train` makes by default) and, on cpu,
//    the bundled demo model;
//  - Richardson–Lucy, 30 iterations, on 64×256×256 and 35×512×512 (plus the demo size), ours (bench/rl.ts) and
//    scikit-image (bench/rl_skimage.py) on the same data in the same run.
// `quick` keeps both to seconds: inference on 16×128×128, RL on the demo size only.
import { execFileSync } from 'node:child_process';

const TSX = 'node_modules/.bin/tsx';

function lastJson(out: string): Record<string, unknown> {
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
}

function run(cmd: string, args: string[]): Record<string, unknown> {
  try {
    return lastJson(
      execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 22, stdio: ['ignore', 'pipe', 'inherit'] }),
    );
  } catch (e) {
    return { error: e instanceof Error ? e.message.split('\n')[0] : String(e) };
  }
}

export function inferenceIssueSection(quick: boolean): Record<string, unknown>[] {
  const shape = quick ? '16,128,128' : '64,512,512';
  const plans: [string, string][] = [
    ['cpu', 'fast'],
    ['wasm', 'fast'],
    ['webgpu', 'fast'],
    ...(quick ? [] : [['cpu', 'demo'] as [string, string]]),
  ];
  const rows = plans.map(([backend, model]) => {
    const r = run(TSX, ['bench/infer-issue.ts', '--backend', backend, '--model', model, '--shape', shape]);
    process.stderr.write(
      `  inference ${shape} ${backend}/${model}: ${r.voxelsPerSecond !== undefined ? `${String(r.voxelsPerSecond)} voxels/s` : String(r.skipped ?? r.error)}\n`,
    );
    return r;
  });
  // Reference in the same run: PyTorch's forward of the same `fast` G_AB over the whole volume (no tiling).
  const cfg = run(TSX, [
    '-e',
    "import { resolveTrainConfig } from './src-main/core/train/config'; console.log(JSON.stringify(resolveTrainConfig('fast')))",
  ]);
  const torch = cfg.error
    ? cfg
    : run('/usr/bin/python3', ['bench/reference/train_step.py', JSON.stringify(cfg), '--infer', shape]);
  const ours = rows.find((r) => r.backend === 'cpu' && r.model === 'fast');
  const ratio =
    ours && typeof ours.seconds === 'number' && typeof torch.seconds === 'number'
      ? ours.seconds / torch.seconds
      : undefined;
  process.stderr.write(
    `  inference ${shape} PyTorch (whole volume, fast G_AB): ${torch.voxelsPerSecond !== undefined ? `${Math.round(Number(torch.voxelsPerSecond))} voxels/s, ours/PyTorch ${ratio?.toFixed(2)}` : String(torch.error)}\n`,
  );
  return [
    ...rows,
    { backend: 'pytorch-cpu', model: 'fast', reference: 'whole volume, no tiling', ...torch, ratioOursToTorch: ratio },
  ];
}

export interface RlRow {
  shape: unknown;
  psfShape?: unknown;
  iterations?: unknown;
  boundary?: unknown;
  acceleration?: unknown;
  /** Our seconds per FFT-grid voxel and iteration (ns): equal across boundary models when the extension costs only its voxels. */
  nsPerGridVoxelIteration?: unknown;
  grid?: unknown;
  oursSeconds?: number;
  skimageSeconds?: number;
  ratio?: number;
  relL2?: number;
  /** Affinely fitted NRMSE against the ground truth (small sizes). */
  nrmseVsTruth?: unknown;
  oursPeakRssMiB?: unknown;
  skimagePeakRssMiB?: unknown;
  error?: string;
}

const RL_QUICK: string[][] = [[], ['--boundary', 'extend']];
// Widefield rows: PSFs taller than the stack, 50 iterations, the boundary model of Bertero & Boccacci,
// with and without momentum; scikit-image's plain RL (mirror-padded) runs once per stack in the same run.
const RL_FULL: string[][] = [
  ['--shape', '64,256,256', '--iters', '30', '--psf', '21,31,31'],
  ['--shape', '35,512,512', '--iters', '30', '--psf', '21,31,31'],
  ['--shape', '40,200,100', '--iters', '50', '--psf', '63,31,31'],
  ['--shape', '40,200,100', '--iters', '50', '--psf', '63,31,31', '--boundary', 'extend'],
  ['--shape', '40,200,100', '--iters', '50', '--psf', '63,31,31', '--boundary', 'extend', '--accel', 'shb'],
  ['--shape', '64,512,512', '--iters', '50', '--psf', '63,31,31', '--boundary', 'extend'],
  ['--shape', '64,512,512', '--iters', '50', '--psf', '63,31,31', '--boundary', 'extend', '--accel', 'shb'],
];

export function rlIssueSection(quick: boolean, only?: (args: string[]) => boolean): RlRow[] {
  const sizes = [...RL_QUICK, ...(quick ? [] : RL_FULL)].filter((a) => !only || only(a));
  const skimageOnce = new Map<string, Record<string, unknown>>();
  return sizes.map((args) => {
    const ours = run(TSX, ['bench/rl.ts', ...args]);
    if (ours.error) return { shape: args[1] ?? 'demo', error: String(ours.error) };
    // Large stacks: scikit-image (always plain, mirror-padded) once per stack and PSF; small ones each time (quality).
    const key = JSON.stringify([ours.shape, ours.psfShape, ours.iterations]);
    const small = (ours.shape as number[]).reduce((a, b) => a * b, 1) <= 2 ** 21;
    const ref = (!small && skimageOnce.get(key)) || run('/usr/bin/python3', ['bench/rl_skimage.py', String(ours.dir)]);
    if (!small) skimageOnce.set(key, ref);
    const row: RlRow = {
      shape: ours.shape,
      psfShape: ours.psfShape,
      iterations: ours.iterations,
      boundary: ours.boundary,
      acceleration: ours.acceleration,
      grid: ours.grid,
      nsPerGridVoxelIteration: ours.nsPerGridVoxelIteration,
      oursSeconds: Number(ours.oursSeconds),
      skimageSeconds: Number(ref.skimageSeconds),
      relL2: ours.boundary === 'reflect' ? Number(ref.relL2) : undefined,
      nrmseVsTruth: ref.nrmseVsTruth,
      oursPeakRssMiB: ours.peakRssMiB,
      skimagePeakRssMiB: ref.peakRssMiB,
      ...(ref.error ? { error: String(ref.error) } : {}),
    };
    row.ratio = row.oursSeconds! / row.skimageSeconds!;
    process.stderr.write(
      `  RL ${JSON.stringify(ours.shape)} ${String(ours.boundary)}/${String(ours.acceleration)}: ours ${row.oursSeconds} s, skimage ${row.skimageSeconds} s\n`,
    );
    return row;
  });
}
