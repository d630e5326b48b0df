// The thread pool of every CPU kernel (the WebAssembly FFT and conv kernels; the native conv kernel takes
// its thread count and range split from here too). Helper threads: each worker_thread instantiates the same module on
// the same shared memory (with its own stack) and runs one slice of a pass when told. The caller
// runs its own slice meanwhile and then blocks (Atomics.wait) until the helpers are done, so a
// pass is a plain synchronous call. Where blocking or workers are unavailable, callers run
// single-threaded. Control block per helper (Int32, 16 slots): 0 command sequence, 1 done
// sequence, 2 op index (−1: quit), 3 argument count, 4 error flag, 5 ready flag.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { getFlag } from '../flags';

const SLOT = 16,
  MAX_ARGS = 16;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctl, args, slot, stackTop, ops } = workerData;
const c = new Int32Array(ctl), a = new Float64Array(args), b = slot * ${SLOT}, ab = slot * ${MAX_ARGS};
let fns;
try {
  const inst = new WebAssembly.Instance(module, { env: { memory } });
  inst.exports.__stack_pointer.value = stackTop;
  fns = ops.map((o) => inst.exports[o]);
  Atomics.store(c, b + 5, 1);
} catch (e) {
  Atomics.store(c, b + 5, -1);
}
Atomics.notify(c, b + 5);
let seen = 0;
while (fns) {
  Atomics.wait(c, b, seen);
  seen = Atomics.load(c, b);
  const op = c[b + 2];
  if (op < 0) break;
  const argv = [];
  for (let i = 0; i < c[b + 3]; i++) argv.push(a[ab + i]);
  try { fns[op](...argv); c[b + 4] = 0; } catch (e) { c[b + 4] = 1; }
  Atomics.store(c, b + 1, seen);
  Atomics.notify(c, b + 1);
}
`;

/** Compiles a module embedded as base64; null where WebAssembly (with SIMD, threads) is unavailable. */
export function compileWasm(base64: string): WebAssembly.Module | null {
  try {
    const bin = atob(base64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new WebAssembly.Module(bytes);
  } catch {
    return null;
  }
}

/** Threads to use in all: CYCLEDECON_THREADS, else the machine's parallelism, at most 8. */
export function kernelThreadCount(): number {
  const threads = getFlag('threads');
  if (threads !== 'auto') return threads;
  return Math.max(1, Math.min(8, availableParallelism()));
}

export class KernelThreads {
  private readonly workers: Worker[] = [];
  private readonly ctl: Int32Array;
  private readonly args: Float64Array;
  private seq = 0;

  /** Starts `stackTops.length` helpers; throws if one fails to start within 10 s. */
  constructor(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    stackTops: number[],
    private readonly ops: readonly string[],
  ) {
    const n = stackTops.length;
    this.ctl = new Int32Array(new SharedArrayBuffer(Math.max(1, n) * SLOT * 4));
    this.args = new Float64Array(new SharedArrayBuffer(Math.max(1, n) * MAX_ARGS * 8));
    for (let slot = 0; slot < n; slot++) {
      const w = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          module,
          memory,
          ctl: this.ctl.buffer,
          args: this.args.buffer,
          slot,
          stackTop: stackTops[slot],
          ops,
        },
      });
      w.unref();
      this.workers.push(w);
    }
    for (let slot = 0; slot < n; slot++) {
      Atomics.wait(this.ctl, slot * SLOT + 5, 0, 10_000);
      if (Atomics.load(this.ctl, slot * SLOT + 5) !== 1) {
        this.dispose();
        throw new Error('an FFT helper thread did not start');
      }
    }
  }

  get helpers(): number {
    return this.workers.length;
  }

  /** Runs op with argument lists per thread: the first on this thread, the rest on helpers. */
  run(op: string, self: () => void, perHelper: number[][]): void {
    const index = this.ops.indexOf(op);
    if (index < 0) throw new Error(`unknown kernel op ${op}`);
    this.seq++;
    const used = Math.min(perHelper.length, this.workers.length);
    for (let w = 0; w < used; w++) {
      const b = w * SLOT,
        argv = perHelper[w]!;
      if (argv.length > MAX_ARGS) throw new Error(`too many arguments for ${op}`);
      argv.forEach((v, i) => {
        this.args[w * MAX_ARGS + i] = v;
      });
      this.ctl[b + 2] = index;
      this.ctl[b + 3] = argv.length;
      Atomics.store(this.ctl, b, this.seq);
      Atomics.notify(this.ctl, b);
    }
    let failure: unknown;
    try {
      self();
    } catch (e) {
      failure = e;
    }
    for (let w = 0; w < used; w++) {
      const b = w * SLOT;
      for (let v = Atomics.load(this.ctl, b + 1); v !== this.seq; v = Atomics.load(this.ctl, b + 1))
        Atomics.wait(this.ctl, b + 1, v);
      if (this.ctl[b + 4]) failure ??= new Error(`kernel op ${op} failed on a helper thread`);
    }
    if (failure) throw failure;
  }

  dispose(): void {
    for (let w = 0; w < this.workers.length; w++) {
      this.ctl[w * SLOT + 2] = -1;
      Atomics.add(this.ctl, w * SLOT, 1);
      Atomics.notify(this.ctl, w * SLOT);
      void this.workers[w]!.terminate();
    }
    this.workers.length = 0;
  }
}

/** Splits [0, n) into `parts` contiguous ranges, each a multiple of `grain` long (but the last). */
export function splitRange(n: number, parts: number, grain = 1): [number, number][] {
  const out: [number, number][] = [];
  const units = Math.ceil(n / grain),
    per = Math.ceil(units / parts);
  for (let p = 0; p < parts; p++) {
    const a = Math.min(n, p * per * grain),
      b = Math.min(n, (p + 1) * per * grain);
    if (b > a) out.push([a, b]);
  }
  return out;
}
