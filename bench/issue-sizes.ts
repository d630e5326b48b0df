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
    return lastJson(execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 22, stdio: ['ignore', 'pipe', 'inherit'] }));
  } catch (e) {
    return { error: e instanceof Error ? e.message.split('\n')[0] : String(e) };
  }
}

export function inferenceIssueSection(quick: boolean): Record<string, unknown>[] {
  const shape = quick ? '16,128,128' : '64,512,512';
  const plans: [string, string][] = [['cpu', 'fast'], ['wasm', 'fast'], ['webgpu', 'fast'], ...(quick ? [] : [['cpu', 'demo'] as [string, string]])];
  const rows = plans.map(([backend, model]) => {
    const r = run(TSX, ['bench/infer-issue.ts', '--backend', backend, '--model', model, '--shape', shape]);
    process.stderr.write(`  inference ${shape} ${backend}/${model}: ${r.voxelsPerSecond !== undefined ? `${String(r.voxelsPerSecond)} voxels/s` : String(r.skipped ?? r.error)}\n`);
    return r;
  });
  // Reference in the same run: PyTorch's forward of the same `fast` G_AB over the whole volume (no tiling).
  const cfg = run(TSX, ['-e', "import { resolveTrainConfig } from './src-main/core/engine/config'; console.log(JSON.stringify(resolveTrainConfig('fast')))"]);
  const torch = cfg.error ? cfg : run('/usr/bin/python3', ['bench/reference/train_step.py', JSON.stringify(cfg), '--infer', shape]);
  const ours = rows.find((r) => r.backend === 'cpu' && r.model === 'fast');
  const ratio = ours && typeof ours.seconds === 'number' && typeof torch.seconds === 'number' ? ours.seconds / torch.seconds : undefined;
  process.stderr.write(`  inference ${shape} PyTorch (whole volume, fast G_AB): ${torch.voxelsPerSecond !== undefined ? `${Math.round(Number(torch.voxelsPerSecond))} voxels/s, ours/PyTorch ${ratio?.toFixed(2)}` : String(torch.error)}\n`);
  return [...rows, { backend: 'pytorch-cpu', model: 'fast', reference: 'whole volume, no tiling', ...torch, ratioOursToTorch: ratio }];
}

export interface RlRow {
  shape: unknown;
  psfShape?: unknown;
  iterations?: unknown;
  oursSeconds?: number;
  skimageSeconds?: number;
  ratio?: number;
  relL2?: number;
  oursPeakRssMiB?: unknown;
  skimagePeakRssMiB?: unknown;
  error?: string;
}

export function rlIssueSection(quick: boolean): RlRow[] {
  const sizes: string[][] = [[], ...(quick ? [] : [['--shape', '64,256,256', '--iters', '30', '--psf', '21,31,31'], ['--shape', '35,512,512', '--iters', '30', '--psf', '21,31,31']])];
  return sizes.map((args) => {
    const ours = run(TSX, ['bench/rl.ts', ...args]);
    if (ours.error) return { shape: args[1] ?? 'demo', error: String(ours.error) };
    const ref = run('/usr/bin/python3', ['bench/rl_skimage.py', String(ours.dir)]);
    const row: RlRow = {
      shape: ours.shape, psfShape: ours.psfShape, iterations: ours.iterations,
      oursSeconds: Number(ours.oursSeconds), skimageSeconds: Number(ref.skimageSeconds), relL2: Number(ref.relL2),
      oursPeakRssMiB: ours.peakRssMiB, skimagePeakRssMiB: ref.peakRssMiB, ...(ref.error ? { error: String(ref.error) } : {}),
    };
    row.ratio = row.oursSeconds! / row.skimageSeconds!;
    process.stderr.write(`  RL ${JSON.stringify(ours.shape)}: ours ${row.oursSeconds} s, skimage ${row.skimageSeconds} s\n`);
    return row;
  });
}
