// Real 3D FFTs in WebAssembly SIMD (kernel.c): the fast path of Richardson–Lucy. A workspace owns
// one kernel instance and its linear memory; named float32 buffers are laid out in it once, and
// the transforms work between them without copies. Same conventions as fft3d.ts: z-major [z, y, x],
// half spectrum along x (nx/2 + 1 bins), unnormalised forward, normalised inverse, optional
// support [sz, sy] (data zero outside z < sz, y < sy; only that box of an inverse is produced).
// Arithmetic is float32 throughout (scipy.fft does the same for float32 input).
import { KERNEL_WASM_BASE64 } from './wasm/kernel.generated';
import type { Shape3 } from './fft3d';
import { KernelThreads, compileWasm, kernelThreadCount, splitRange } from '../kernels/threads';
import { getFlag } from '../flags';

interface KernelExports {
  __heap_base: WebAssembly.Global;
  __stack_pointer: WebAssembly.Global;
  supported(n: number): number;
  strided(
    re: number,
    im: number,
    n: number,
    stride: number,
    count: number,
    inverse: number,
    c: number,
    s: number,
    buf: number,
  ): void;
  rfft_rows(
    data: number,
    nx: number,
    rows: number,
    ore: number,
    oim: number,
    nxh: number,
    c: number,
    s: number,
    buf: number,
  ): void;
  irfft_rows(
    ire: number,
    iim: number,
    nxh: number,
    rows: number,
    out: number,
    nx: number,
    scale: number,
    c: number,
    s: number,
    buf: number,
  ): void;
  mul_spectrum(ar: number, ai: number, hr: number, hi: number, n: number, conj: number): void;
  rl_ratio(
    ratio: number,
    blurred: number,
    image: number,
    mz: number,
    my: number,
    mx: number,
    gy: number,
    gx: number,
    add: number,
  ): void;
  rl_update(est: number, corr: number, mz: number, my: number, mx: number, gy: number, gx: number): void;
  rfft_planes(
    data: number,
    nx: number,
    ny: number,
    nxh: number,
    z0: number,
    z1: number,
    sy: number,
    ore: number,
    oim: number,
    c: number,
    s: number,
    buf: number,
  ): void;
  strided_planes(
    re: number,
    im: number,
    ny: number,
    nxh: number,
    z0: number,
    z1: number,
    inverse: number,
    c: number,
    s: number,
    buf: number,
  ): void;
  irfft_planes(
    ire: number,
    iim: number,
    nxh: number,
    ny: number,
    z0: number,
    z1: number,
    sy: number,
    out: number,
    nx: number,
    scale: number,
    c: number,
    s: number,
    buf: number,
  ): void;
}

const OPS = [
  'rfft_planes',
  'strided_planes',
  'irfft_planes',
  'strided',
  'mul_spectrum',
  'rl_ratio',
  'rl_update',
] as const;
type Op = (typeof OPS)[number];
const PAGE = 65536;
const STACK = 65536;

function instantiate(mod: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  // Exports are untyped (ExportValue); this module is wasm/kernel.c, which exports exactly KernelExports.
  return new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as KernelExports;
}

/** A throwaway instance for questions that need no workspace. */
function probe(mod: WebAssembly.Module): KernelExports {
  return instantiate(mod, new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true }));
}

let compiled: WebAssembly.Module | null | undefined;

function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) compiled = compileWasm(KERNEL_WASM_BASE64); // null: callers use the JavaScript FFT
  return compiled;
}

/** True when the SIMD kernel runs here and every axis length has only radices 2, 3, 5, 7, 11, 13. */
export function wasmFftAvailable(shape?: Shape3): boolean {
  const mod = kernelModule();
  if (!mod || getFlag('fft') === 'js') return false;
  if (!shape) return true;
  const k = probe(mod);
  return shape.every((n) => k.supported(n) === 1);
}

export interface Spectrum {
  re: string;
  im: string;
}

/** Grids smaller than this run on one thread (helpers cost more than they save). */
const THREADED_MIN_VOXELS = 1 << 18;

/**
 * Buffers for transforms on one grid. `buffers` maps a name to a length in floats; `view(name)`
 * gives its Float32Array. Views stay valid for the life of the workspace (memory is sized once).
 * Large grids are split over helper threads (kernelThreadCount()); call dispose() to stop them.
 */
export class WasmFftWorkspace {
  private readonly k: KernelExports;
  private readonly memory: WebAssembly.Memory;
  private readonly offsets = new Map<string, number>();
  private readonly lengths = new Map<string, number>();
  private readonly tw = new Map<number, { c: number; s: number }>();
  /** Scratch per thread (index 0: this thread). */
  private readonly bufs: number[] = [];
  private threads: KernelThreads | null = null;
  readonly grid: Shape3;
  readonly nxh: number;

  constructor(grid: Shape3, buffers: Record<string, number>, opts: { threads?: number } = {}) {
    const mod = kernelModule();
    if (!mod || !wasmFftAvailable(grid))
      throw new Error(`the WebAssembly FFT cannot transform a ${grid.join('×')} grid here`);
    this.grid = grid;
    this.nxh = Math.floor(grid[2] / 2) + 1;
    const voxels = grid[0] * grid[1] * grid[2];
    const want = opts.threads ?? (voxels >= THREADED_MIN_VOXELS ? kernelThreadCount() : 1);
    const nThreads = Math.max(1, Math.min(want, grid[0]));
    // Layout: [kernel's own stack and data | named buffers | twiddles | scratch | helper stacks].
    let top = Number(probe(mod).__heap_base.value);
    const take = (bytes: number) => {
      top = Math.ceil(top / 16) * 16;
      const at = top;
      top += bytes;
      return at;
    };
    for (const [name, len] of Object.entries(buffers)) {
      this.offsets.set(name, take(len * 4));
      this.lengths.set(name, len);
    }
    const twAt = [...new Set(grid)].map((n) => ({ n, c: take(n * 4), s: take(n * 4) }));
    for (let t = 0; t < nThreads; t++) this.bufs.push(take(48 * Math.max(...grid) * 4));
    const stackTops = Array.from({ length: nThreads - 1 }, () => take(STACK) + STACK);
    if (top > 2 ** 32 - PAGE)
      throw new RangeError(`FFT workspace of ${(top / 2 ** 30).toFixed(1)} GiB exceeds WebAssembly's 4 GiB`);
    const pages = Math.ceil(top / PAGE);
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    this.k = instantiate(mod, this.memory);
    const mem = new Float32Array(this.memory.buffer);
    for (const { n, c, s } of twAt) {
      for (let t = 0; t < n; t++) {
        mem[c / 4 + t] = Math.cos((2 * Math.PI * t) / n);
        mem[s / 4 + t] = -Math.sin((2 * Math.PI * t) / n);
      }
      this.tw.set(n, { c, s });
    }
    if (stackTops.length) {
      try {
        this.threads = new KernelThreads(mod, this.memory, stackTops, OPS);
      } catch {
        this.threads = null; // blocking waits or workers unavailable here: one thread
        this.bufs.length = 1;
      }
    }
  }

  /** Threads that run each pass (1 = this one only). */
  get threadCount(): number {
    return 1 + (this.threads?.helpers ?? 0);
  }

  /** Stops the helper threads. The workspace stays usable on one thread. */
  dispose(): void {
    this.threads?.dispose();
    this.threads = null;
  }

  /** The float32 view of a named buffer (shares memory with the kernel). */
  view(name: string): Float32Array {
    const at = this.offsets.get(name),
      len = this.lengths.get(name);
    if (at === undefined || len === undefined) throw new Error(`no buffer ${name}`);
    return new Float32Array(this.memory.buffer, at, len);
  }

  private at(name: string): number {
    const a = this.offsets.get(name);
    if (a === undefined) throw new Error(`no buffer ${name}`);
    return a;
  }

  private twiddles(n: number): { c: number; s: number } {
    const t = this.tw.get(n);
    if (!t) throw new Error(`no twiddles for length ${n}`);
    return t;
  }

  /** Runs `op` over [0, n) split into one range per thread (ranges multiples of `grain`); args(a, b, buf). */
  private parallel(op: Op, n: number, args: (a: number, b: number, buf: number) => number[], grain = 1): void {
    const [first, ...rest] = splitRange(n, this.threadCount, grain);
    if (!first) return;
    const call = (argv: number[]) => (this.k[op] as (...a: number[]) => void)(...argv);
    const own = args(first[0], first[1], this.bufs[0]!);
    if (!this.threads || !rest.length) {
      call(own);
      return;
    }
    this.threads.run(
      op,
      () => call(own),
      rest.map(([a, b], i) => args(a, b, this.bufs[i + 1]!)),
    );
  }

  /** Forward real FFT of buffer `src` (the grid, z-major) into the half spectrum `out`. */
  rfft3d(src: string, out: Spectrum, support?: readonly [number, number]): void {
    const [nz, ny, nx] = this.grid,
      nxh = this.nxh;
    const [sz, sy] = support ? [Math.min(support[0], nz), Math.min(support[1], ny)] : [nz, ny];
    const s0 = this.at(src),
      re = this.at(out.re),
      im = this.at(out.im);
    const tx = this.twiddles(nx);
    this.parallel('rfft_planes', sz, (a, b, buf) => [s0, nx, ny, nxh, a, b, sy, re, im, tx.c, tx.s, buf]);
    this.view(out.re).fill(0, sz * ny * nxh);
    this.view(out.im).fill(0, sz * ny * nxh);
    if (ny > 1) {
      const ty = this.twiddles(ny);
      this.parallel('strided_planes', sz, (a, b, buf) => [re, im, ny, nxh, a, b, 0, ty.c, ty.s, buf]);
    }
    if (nz > 1) this.zPass(re, im, 0);
  }

  /** Normalised inverse of rfft3d: spectrum `spec` (overwritten) into real buffer `dst`; with support, only that box. */
  irfft3d(spec: Spectrum, dst: string, support?: readonly [number, number]): void {
    const [nz, ny, nx] = this.grid,
      nxh = this.nxh;
    const [sz, sy] = support ? [Math.min(support[0], nz), Math.min(support[1], ny)] : [nz, ny];
    const re = this.at(spec.re),
      im = this.at(spec.im),
      d = this.at(dst);
    if (nz > 1) this.zPass(re, im, 1);
    if (ny > 1) {
      const ty = this.twiddles(ny);
      this.parallel('strided_planes', sz, (a, b, buf) => [re, im, ny, nxh, a, b, 1, ty.c, ty.s, buf]);
    }
    const tx = this.twiddles(nx),
      scale = 1 / (nx * ny * nz);
    this.parallel('irfft_planes', sz, (a, b, buf) => [re, im, nxh, ny, a, b, sy, d, nx, scale, tx.c, tx.s, buf]);
  }

  private zPass(re: number, im: number, inverse: number): void {
    const [nz, ny] = this.grid,
      plane = ny * this.nxh,
      tz = this.twiddles(nz);
    this.parallel(
      'strided',
      plane,
      (a, b, buf) => [re + a * 4, im + a * 4, nz, plane, b - a, inverse, tz.c, tz.s, buf],
      4,
    );
  }

  /** Richardson–Lucy: ratio = image / (blurred + add) on the box `box` of the grid; `image` holds the box densely. */
  rlRatio(ratio: string, blurred: string, image: string, box: Shape3, add: number): void {
    const [r, bl, im] = [this.at(ratio), this.at(blurred), this.at(image)],
      [, gy, gx] = this.grid,
      plane = box[1] * box[2];
    this.parallel('rl_ratio', box[0], (a, b) => [
      r + a * gy * gx * 4,
      bl + a * gy * gx * 4,
      im + a * plane * 4,
      b - a,
      box[1],
      box[2],
      gy,
      gx,
      add,
    ]);
  }

  /** Richardson–Lucy: est = max(0, est · corr) on the box. */
  rlUpdate(est: string, corr: string, box: Shape3): void {
    const [e, c] = [this.at(est), this.at(corr)],
      [, gy, gx] = this.grid;
    this.parallel('rl_update', box[0], (a, b) => [
      e + a * gy * gx * 4,
      c + a * gy * gx * 4,
      b - a,
      box[1],
      box[2],
      gy,
      gx,
    ]);
  }

  /** a ← a·h, or a·conj(h). */
  multiply(a: Spectrum, h: Spectrum, conjugate = false): void {
    const [ar, ai, hr, hi] = [this.at(a.re), this.at(a.im), this.at(h.re), this.at(h.im)];
    this.parallel(
      'mul_spectrum',
      this.lengths.get(a.re) ?? 0,
      (x, y) => [ar + x * 4, ai + x * 4, hr + x * 4, hi + x * 4, y - x, conjugate ? 1 : 0],
      4,
    );
  }
}
