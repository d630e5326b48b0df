// `npm run bench [-- --quick] [--sections train,conv,infer,rl,psfconv]` (default all): runs the benchmark pieces, each in its
// own process where memory matters, prints tables and writes bench-results.json (atomically). Each ratio is measured
// in the same run as its reference:
//  - train: one training step per preset, ours (bench/train-step.ts, cpu with the default CPU kernels, and `fast` on
//    tfjs' kernels) vs the PyTorch twin (bench/reference/train_step.py; presets from BENCH_TRAIN_PRESETS, `paper`
//    takes minutes), and the twin's numerics (bench/twin-check.ts: same weights, same input, rel. L2 < 1e-4);
//  - conv: per-layer conv3d (native AVX-512/AVX2, wasm-simd, tfjs cpu, wasm) vs PyTorch CPU (2 threads);
//  - infer: the demo model at 32×64×64 (bench/infer-model.ts) and the issue's 64×512×512 through the tiled path per
//    backend (bench/infer-issue.ts via bench/issue-sizes.ts);
//  - rl: Richardson–Lucy ours vs scikit-image at the demo size (mirror and extended boundary), 64×256×256 and 35×512×512
//    (30 iterations), and widefield stacks 40×200×100 and 64×512×512 with a 63-slice PSF (50 iterations; extended
//    boundary, plain and shb; scikit-image plain RL with mirror padding in the same run);
//  - psfconv: G_BA's PSF convolution, direct conv3d vs FFT (experimental.psfConvolution), per patch and kernel size (bench/psf-conv.ts).
//  - scale (only when named): batch throughput of 1, 2, 4 `cycledecon worker`s on Redis vs the local queue (bench/scale.ts).
// `--quick` (a couple of minutes): `fast` only, no paper conv shapes, inference on 16×128×128, RL at the demo size.
import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { writeBytesAtomic } from '../src-main/core/io/atomic';
import { CONV_SHAPES, runConvBench } from './conv3d';
import { inferenceIssueSection, rlIssueSection } from './issue-sizes';
import { peakRssMiB } from './timing';

interface TorchConv {
  shape: string;
  forward_ms: number;
  forward_backward_ms: number;
}

function torchConv(quick: boolean): TorchConv[] | { error: string } {
  const shapes = quick ? CONV_SHAPES.filter((s) => !s.name.startsWith('paper')) : CONV_SHAPES;
  try {
    const out = execFileSync('/usr/bin/python3', ['bench/reference/conv3d.py', JSON.stringify(shapes), '1.0'], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    return JSON.parse(out.trim().split('\n').pop() ?? '[]') as TorchConv[];
  } catch (e) {
    return { error: e instanceof Error ? e.message.split('\n')[0]! : String(e) };
  }
}

/** Runs a sibling benchmark script in its own process (so its memory is its own) and returns its stdout. */
function runScript(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 22, stdio: ['ignore', 'pipe', 'inherit'] });
}

function inferenceSection(): Record<string, unknown> {
  const out = runScript('node_modules/.bin/tsx', ['bench/infer-model.ts']);
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
}

interface TrainRow {
  preset: string;
  kernels: string;
  secondsPerStep: number;
  gflopsApprox: number;
  peakRssMiB: number;
  params: number;
  config?: unknown;
}

/** One training step per preset, ours (bench/train-step.ts) and the PyTorch twin, in the same run. */
function trainSection(quick: boolean): Record<string, unknown>[] {
  const presets = quick ? 'fast' : (process.env.BENCH_TRAIN_PRESETS ?? 'fast,paper');
  const ours = JSON.parse(
    runScript('node_modules/.bin/tsx', ['bench/train-step.ts', '--presets', presets, '--steps', quick ? '2' : '3'])
      .trim()
      .split('\n')
      .pop() ?? '{}',
  ) as { results: TrainRow[] };
  return ours.results.map((r) => {
    if (r.kernels.includes('tfjs')) return { ...r, config: undefined };
    let torch: { secondsPerStep?: number; params?: Record<string, number>; error?: string };
    try {
      const out = execFileSync(
        '/usr/bin/python3',
        ['bench/reference/train_step.py', JSON.stringify(r.config), '--steps', r.preset === 'paper' ? '1' : '3'],
        { encoding: 'utf8', maxBuffer: 1 << 22 },
      );
      torch = JSON.parse(out.trim().split('\n').pop() ?? '{}');
    } catch (e) {
      torch = { error: e instanceof Error ? e.message.split('\n')[0] : String(e) };
    }
    const ratio = torch.secondsPerStep ? r.secondsPerStep / torch.secondsPerStep : undefined;
    return {
      ...r,
      config: undefined,
      torchSecondsPerStep: torch.secondsPerStep,
      torchParams: torch.params,
      torchError: torch.error,
      ratioToTorch: ratio,
    };
  });
}

/** The twin is the same network: forward of our weights in PyTorch vs ours (bench/twin-check.ts), per preset. */
function twinNumerics(quick: boolean): Record<string, unknown>[] {
  return (quick ? ['fast'] : ['fast', 'paper']).map((preset) => {
    try {
      return JSON.parse(
        runScript('node_modules/.bin/tsx', ['bench/twin-check.ts', '--preset', preset]).trim().split('\n').pop() ??
          '{}',
      ) as Record<string, unknown>;
    } catch (e) {
      return { preset, error: e instanceof Error ? e.message.split('\n')[0] : String(e) };
    }
  });
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const at = process.argv.indexOf('--sections');
  const sections = new Set(
    at > 0 ? (process.argv[at + 1] ?? '').split(',') : ['train', 'conv', 'infer', 'rl', 'psfconv'],
  );
  const extra: Record<string, unknown> = {};
  if (sections.has('train')) {
    extra.trainingStep = trainSection(quick);
    console.table(
      (extra.trainingStep as Record<string, unknown>[]).map((r) => ({
        preset: r.preset,
        kernels: r.kernels,
        's/step': Number(r.secondsPerStep).toFixed(2),
        'GFLOP/s≈': Number(r.gflopsApprox).toFixed(1),
        'torch s/step': r.torchSecondsPerStep === undefined ? '-' : Number(r.torchSecondsPerStep).toFixed(2),
        'ours/torch': r.ratioToTorch === undefined ? '-' : Number(r.ratioToTorch).toFixed(2),
      })),
    );
    extra.trainingStepNumerics = twinNumerics(quick);
    for (const n of extra.trainingStepNumerics as Record<string, unknown>[]) {
      console.log(
        `twin numerics ${String(n.preset)}: ${n.error ? `error ${String(n.error)}` : `rel. L2 ${JSON.stringify(n.relL2)}, params ours ${JSON.stringify((n.params as { ours: unknown }).ours)} torch ${JSON.stringify((n.params as { torch: unknown }).torch)}, ${n.pass ? 'PASS' : 'FAIL'} (< 1e-4)`}`,
      );
    }
  }
  if (sections.has('infer')) {
    extra.inference = inferenceSection();
    console.log('inference (demo model, 32×64×64, cpu):', JSON.stringify(extra.inference));
    extra.inferenceIssueSize = inferenceIssueSection(quick);
    console.table(
      (extra.inferenceIssueSize as Record<string, unknown>[]).map((r) => ({
        shape: JSON.stringify(r.shape),
        backend: r.backend,
        model: r.model,
        'voxels/s': r.voxelsPerSecond ?? '-',
        s: r.seconds ?? '-',
        'GFLOP/s eff.': r.effectiveGflops ?? '-',
        'peak RSS MiB': r.peakRssMiB,
        note: String(r.skipped ?? r.error ?? `${String(r.tiles)} tiles × ${String(r.passes)} passes`).slice(0, 60),
      })),
    );
  }
  if (sections.has('rl')) {
    const rl = rlIssueSection(quick);
    extra.richardsonLucy = { rows: rl, context: 'Deconwolf (published): 512×512×35, 50 iterations, 78 s on CPU' };
    console.table(
      rl.map((r) => ({
        volume: JSON.stringify(r.shape),
        psf: JSON.stringify(r.psfShape),
        iters: r.iterations,
        boundary: r.boundary,
        accel: r.acceleration,
        'ns/grid voxel/it': r.nsPerGridVoxelIteration,
        'ours s': r.oursSeconds,
        'skimage s': r.skimageSeconds,
        'ours/skimage': r.ratio?.toFixed(2),
        'rel. L2': r.relL2?.toExponential(1) ?? '—',
        'NRMSE ours/skimage': r.nrmseVsTruth
          ? `${(r.nrmseVsTruth as { ours: number }).ours.toFixed(4)}/${(r.nrmseVsTruth as { skimage: number }).skimage.toFixed(4)}`
          : '',
        'RSS ours/skimage MiB': `${String(r.oursPeakRssMiB)}/${String(r.skimagePeakRssMiB)}`,
        error: r.error ?? '',
      })),
    );
    console.log('  context: Deconwolf (published) 512×512×35, 50 iterations, 78 s on CPU');
  }
  if (sections.has('psfconv')) {
    const args = ['bench/psf-conv.ts', ...(quick ? ['--quick'] : [])];
    extra.psfConvolution = JSON.parse(
      runScript('node_modules/.bin/tsx', args).trim().split('\n').pop() ?? '{}',
    ) as Record<string, unknown>;
    const rows = (
      extra.psfConvolution as {
        rows: { patch: number; kernel: number; directMs: number; fftMs: number; ratio: number; maxRelDiff: number }[];
      }
    ).rows;
    console.table(
      rows.map((r) => ({
        patch: `${r.patch}³`,
        psf: `${r.kernel}³`,
        'direct ms': r.directMs.toFixed(0),
        'fft ms': r.fftMs.toFixed(0),
        'direct/fft': r.ratio.toFixed(1),
        'rel. diff': r.maxRelDiff.toExponential(1),
      })),
    );
  }
  if (sections.has('scale')) {
    extra.scale = JSON.parse(
      runScript('node_modules/.bin/tsx', ['bench/scale.ts', '--jobs', quick ? '12' : '24'])
        .trim()
        .split('\n')
        .pop() ?? '{}',
    ) as Record<string, unknown>;
    const sc = extra.scale as {
      local: { seconds: number; jobsPerSecond: number };
      redis: { workers: number; seconds: number; jobsPerSecond: number; speedupVsLocal: number }[];
      overheadPerJobMs: number;
    };
    console.table([
      {
        queue: 'local',
        workers: 1,
        s: sc.local.seconds.toFixed(1),
        'jobs/s': sc.local.jobsPerSecond.toFixed(2),
        'vs local': '1.00',
      },
      ...sc.redis.map((r) => ({
        queue: 'redis',
        workers: r.workers,
        s: r.seconds.toFixed(1),
        'jobs/s': r.jobsPerSecond.toFixed(2),
        'vs local': r.speedupVsLocal.toFixed(2),
      })),
    ]);
    console.log(`  Redis queue overhead per job: ${sc.overheadPerJobMs.toFixed(0)} ms`);
  }
  if (!sections.has('conv')) {
    await writeBytesAtomic(
      'bench-results.json',
      JSON.stringify({ quick, ...extra, peakRssMiB: peakRssMiB() }, null, 2),
      { force: true },
    );
    console.log('wrote bench-results.json');
    return;
  }
  const conv = await runConvBench({ quick });
  const torch = torchConv(quick);
  const rows = conv.map((r) => {
    const t = Array.isArray(torch) ? torch.find((x) => x.shape === r.shape) : undefined;
    const ref = t ? (r.pass === 'forward' ? t.forward_ms : t.forward_backward_ms) : undefined;
    return { ...r, torchMs: ref, ratioToTorch: ref ? r.ms / ref : undefined };
  });
  console.table(
    rows.map((r) => ({
      shape: r.shape,
      backend: r.backend,
      impl: r.impl,
      pass: r.pass,
      ms: r.ms.toFixed(1),
      'GFLOP/s': r.gflops.toFixed(2),
      'torch ms': r.torchMs?.toFixed(1) ?? '-',
      'ours/torch': r.ratioToTorch?.toFixed(1) ?? '-',
    })),
  );
  const results = {
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version, tfjs: tf.version.tfjs },
    quick,
    conv3d: rows,
    torchError: Array.isArray(torch) ? null : torch.error,
    ...extra,
    peakRssMiB: peakRssMiB(),
    backendMemory: tf.memory(),
  };
  await writeBytesAtomic('bench-results.json', JSON.stringify(results, null, 2), { force: true });
  console.log(`peak RSS ${peakRssMiB().toFixed(0)} MiB; wrote bench-results.json`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
