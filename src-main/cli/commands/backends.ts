// `cycledecon backends`: which TensorFlow.js backends load on this machine, with a conv3d micro-benchmark each,
// and which one training and inference would pick.
import type { Command } from '../command';
import { flag, num } from '../args';
import { BACKEND_ENV, BENCH_SHAPE, initBackend, listBackends, type BackendReport } from '../../core/nn/backend';
import { nativeIsa, nativeKernelStatus, nativeUnavailableReason } from '../../core/kernels/native-conv';
import { describeFlags } from '../../core/flags';

function line(r: BackendReport): string {
  const speed =
    r.gflops === undefined
      ? ''
      : `${r.gflops.toFixed(2)} GFLOP/s (${r.msPerConv!.toFixed(1)} ms/conv, init ${r.initMs!.toFixed(0)} ms)  `;
  return `  ${r.id.padEnd(9)} ${r.loads ? 'yes' : 'no '}  ${speed}${r.note}`;
}

export const backendsCommand: Command = {
  name: 'backends',
  summary: 'List the compute backends that work here, with a micro-benchmark each',
  usage: `[--json] [--ms N]
  --json   print a JSON object instead of a table
  --ms N   milliseconds to time each backend's benchmark (default 300)
  ${BACKEND_ENV}=<node-gpu|node|webgpu|wasm|cpu> forces the backend of the other commands; --json lists every
  CYCLEDECON_* variable with its value (docs/performance.md, "Environment variables").`,
  options: { json: { type: 'boolean' }, ms: { type: 'string' } },
  async run(args, ctx) {
    const ms = num(args, 'ms', { min: 10, max: 60000, def: 300 })!;
    const reports = await listBackends({ benchmarkMs: ms });
    const train = await initBackend({ purpose: 'train' });
    const inference = await initBackend({ purpose: 'inference' });
    const { size, cin, cout, k } = BENCH_SHAPE;
    const benchmark = `conv3d ${size}³×${cin} → ${cout} channels, kernel ${k}³, float32`;
    // On the CPU backends, conv3d runs in our own kernels: native (AVX2 / AVX-512) where the addon loads, else WebAssembly SIMD.
    const isa = nativeIsa();
    const cpuKernels = isa
      ? `native ${isa === 'avx512' ? 'AVX-512' : 'AVX2'} kernel`
      : `WebAssembly SIMD kernel (native kernel: ${nativeUnavailableReason ?? 'not loaded'})`;
    if (flag(args, 'json')) {
      ctx.out(
        JSON.stringify(
          {
            benchmark,
            backends: reports,
            cpuKernels,
            nativeKernel: nativeKernelStatus(),
            flags: describeFlags(),
            train: { name: train.name, conv: train.conv, reason: train.reason },
            inference: { name: inference.name, conv: inference.conv, reason: inference.reason },
          },
          null,
          2,
        ),
      );
      return 0;
    }
    ctx.out(`Backends (micro-benchmark: ${benchmark})`);
    for (const r of reports) ctx.out(line(r));
    ctx.out(`conv3d on the cpu backends: ${cpuKernels}`);
    ctx.out(`training would use: ${train.name}, conv3d ${train.conv} (${train.reason})`);
    ctx.out(`inference would use: ${inference.name} (${inference.reason})`);
    const set = describeFlags().filter((f) => process.env[f.env]?.trim());
    if (set.length) ctx.out(`environment: ${set.map((f) => `${f.env}=${String(f.value)}`).join(' ')}`);
    return 0;
  },
};
