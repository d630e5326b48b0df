// Runtime of the WebAssembly SIMD conv3d kernel (wasm/conv.c): one shared memory that grows as
// layers need, helper threads (worker_threads) that split each call by output planes (forward)
// or by taps (filter gradient), and the copy-in with zero padding. Synchronous, like a tfjs
// kernel; float32 throughout. Used by wasmConv3dImpl (wasm-conv-impl.ts).
import { KernelThreads, compileWasm, kernelThreadCount, splitRange } from './threads';
import { KERNEL_WASM_BASE64 } from './wasm/conv.generated';
import type { ConvGeometry } from './conv-geometry';

interface ConvExports {
  __heap_base: WebAssembly.Global;
  __stack_pointer: WebAssembly.Global;
  conv_fwd(xp: number, w: number, wp: number, out: number, geo: number, z0: number, z1: number): void;
  pack_w(w: number, wp: number, taps: number, c: number, co: number): void;
  conv_dw(xp: number, dy: number, dw: number, geo: number, t0: number, t1: number): void;
  conv_dx(dyp: number, wt: number, dx: number, geo: number, z0: number, z1: number): void;
}

const OPS = ['conv_fwd', 'conv_dw', 'conv_dx'] as const;
export type ConvOp = (typeof OPS)[number];
const PAGE = 65536,
  STACK = 65536;

/**
 * What the per-item functions below need from a kernel runtime: a memory of float buffers at byte
 * offsets, the filter packing, and a call split over threads. Implemented by the WebAssembly runtime
 * (here) and the native one (native-conv.ts), which run the same algorithm on the same layout.
 */
/** One byte offset per buffer length passed to ConvRuntime.layout (a tuple in, a tuple of the same length out). */
export type Offsets<L extends readonly number[]> = { [K in keyof L]: number };

export interface ConvRuntime {
  readonly memory: { readonly buffer: ArrayBufferLike };
  readonly threadCount: number;
  /** Lays out float buffers of the given lengths (16-byte aligned); returns byte offsets, one per length. */
  layout<L extends readonly number[]>(lengths: readonly [...L]): Offsets<L>;
  /** Packs a filter for conv_fwd (pack_w), on this thread. */
  packWeights(w: number, wp: number, taps: number, c: number, co: number): void;
  f32(at: number, n: number): Float32Array;
  /** Runs `op` over [0, n) split into one part per thread; `args(a, b)` gives a part's arguments. */
  run(op: ConvOp, n: number, args: (a: number, b: number) => number[]): void;
}

class WasmConvRuntime implements ConvRuntime {
  readonly memory: WebAssembly.Memory;
  private readonly k: ConvExports;
  private readonly threads: KernelThreads | null = null;
  private readonly base: number;

  constructor(mod: WebAssembly.Module, threads: number) {
    this.memory = new WebAssembly.Memory({ initial: 4, maximum: 65536, shared: true });
    // Exports are untyped (ExportValue); this module is wasm/conv.c, which exports exactly ConvExports.
    this.k = new WebAssembly.Instance(mod, { env: { memory: this.memory } }).exports as unknown as ConvExports;
    let top = Math.ceil(Number(this.k.__heap_base.value) / 16) * 16;
    const stackTops: number[] = [];
    for (let t = 1; t < threads; t++) {
      top += STACK;
      stackTops.push(top);
    }
    this.base = top;
    this.ensure(top);
    if (stackTops.length) {
      try {
        this.threads = new KernelThreads(mod, this.memory, stackTops, OPS);
      } catch {
        this.threads = null;
      }
    }
  }

  get threadCount(): number {
    return 1 + (this.threads?.helpers ?? 0);
  }

  private ensure(bytes: number): void {
    if (bytes > 2 ** 32 - PAGE)
      throw new RangeError(`conv3d needs ${(bytes / 2 ** 30).toFixed(1)} GiB, over WebAssembly's 4 GiB`);
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / PAGE));
  }

  /** Lays out float buffers of the given lengths (16-byte aligned) after the stacks; returns byte offsets. */
  layout<L extends readonly number[]>(lengths: readonly [...L]): Offsets<L> {
    let top = this.base;
    const at = lengths.map((n) => {
      const a = Math.ceil(top / 16) * 16;
      top = a + n * 4;
      return a;
    });
    this.ensure(top);
    return at as Offsets<L>; // map keeps the length
  }

  /** Packs a filter for conv_fwd (pack_w), on this thread. */
  packWeights(w: number, wp: number, taps: number, c: number, co: number): void {
    this.k.pack_w(w, wp, taps, c, co);
  }

  f32(at: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, at, n);
  }

  run(op: ConvOp, n: number, args: (a: number, b: number) => number[]): void {
    const parts = splitRange(n, this.threadCount);
    const call = (argv: number[]) => (this.k[op] as (...a: number[]) => void)(...argv);
    const [first, ...rest] = parts;
    if (!first) return;
    if (!this.threads || !rest.length) {
      for (const [a, b] of parts) call(args(a, b));
      return;
    }
    this.threads.run(
      op,
      () => call(args(first[0], first[1])),
      rest.map(([a, b]) => args(a, b)),
    );
  }
}

let runtime: WasmConvRuntime | null | undefined;

/** The shared WebAssembly runtime, or null where the kernel cannot run (no WebAssembly SIMD/threads). */
export function convRuntime(): ConvRuntime | null {
  if (runtime === undefined) {
    const mod = compileWasm(KERNEL_WASM_BASE64);
    try {
      runtime = mod ? new WasmConvRuntime(mod, kernelThreadCount()) : null;
    } catch {
      runtime = null;
    }
  }
  return runtime;
}

function padded(g: ConvGeometry): [number, number, number] {
  return [0, 1, 2].map((i) => g.inSize[i]! + g.padBefore[i]! + g.padAfter[i]!) as [number, number, number];
}

/** Copies one item [Z, Y, X, C] of x into `dst` zero-padded to the geometry's padded box. */
function copyPadded(x: Float32Array, g: ConvGeometry, c: number, dst: Float32Array): void {
  const [pz, py, px] = padded(g),
    [iz, iy, ix] = g.inSize,
    [bz, by, bx] = g.padBefore;
  dst.fill(0);
  for (let z = 0; z < iz; z++)
    for (let y = 0; y < iy; y++) {
      const src = (z * iy + y) * ix * c,
        to = (((z + bz) * py + y + by) * px + bx) * c;
      dst.set(x.subarray(src, src + ix * c), to);
    }
  void pz;
}

function geoInts(g: ConvGeometry, c: number, co: number): Int32Array {
  const p = padded(g);
  return Int32Array.from([p[0], p[1], p[2], c, ...g.kernel, co, ...g.strides, ...g.outSize]);
}

/** Forward conv of one batch item: x [Z, Y, X, C], w [kz, ky, kx, C, CO] → [OZ, OY, OX, CO]. */
export function convForwardItem(
  rt: ConvRuntime,
  x: Float32Array,
  w: Float32Array,
  g: ConvGeometry,
  c: number,
  co: number,
): Float32Array {
  const p = padded(g),
    o = g.outSize;
  const [xAt, wAt, wpAt, oAt, gAt] = rt.layout([
    p[0] * p[1] * p[2] * c,
    w.length,
    w.length,
    o[0] * o[1] * o[2] * co,
    16,
  ]);
  copyPadded(x, g, c, rt.f32(xAt, p[0] * p[1] * p[2] * c));
  rt.f32(wAt, w.length).set(w);
  rt.packWeights(wAt, wpAt, g.kernel[0] * g.kernel[1] * g.kernel[2], c, co);
  new Int32Array(rt.memory.buffer, gAt, 14).set(geoInts(g, c, co));
  rt.run('conv_fwd', o[0], (a, b) => [xAt, wAt, wpAt, oAt, gAt, a, b]);
  return rt.f32(oAt, o[0] * o[1] * o[2] * co).slice();
}

/** Filter gradient of one batch item: Σ_o xp[o·s + tap, c] · dy[o, co] → [kz, ky, kx, C, CO]. */
export function convFilterGradItem(
  rt: ConvRuntime,
  x: Float32Array,
  dy: Float32Array,
  g: ConvGeometry,
  c: number,
  co: number,
): Float32Array {
  const p = padded(g),
    taps = g.kernel[0] * g.kernel[1] * g.kernel[2];
  const [xAt, dyAt, dwAt, gAt] = rt.layout([p[0] * p[1] * p[2] * c, dy.length, taps * c * co, 16]);
  copyPadded(x, g, c, rt.f32(xAt, p[0] * p[1] * p[2] * c));
  rt.f32(dyAt, dy.length).set(dy);
  new Int32Array(rt.memory.buffer, gAt, 14).set(geoInts(g, c, co));
  rt.run('conv_dw', taps, (a, b) => [xAt, dyAt, dwAt, gAt, a, b]);
  return rt.f32(dwAt, taps * c * co).slice();
}

/**
 * Input gradient of one batch item (= transposed convolution): dy [OZ, OY, OX, CO] and
 * w [kz, ky, kx, C, CO] → dx [Z, Y, X, C] for the forward geometry g.
 */
export function convInputGradItem(
  rt: ConvRuntime,
  dy: Float32Array,
  w: Float32Array,
  g: ConvGeometry,
  c: number,
  co: number,
): Float32Array {
  const p = padded(g),
    o = g.outSize,
    k = g.kernel,
    s = g.strides,
    inz = g.inSize;
  const lo = [0, 1, 2].map((i) => Math.ceil((k[i]! - 1) / s[i]!));
  const hi = [0, 1, 2].map((i) => Math.max(0, Math.floor((p[i]! - 1) / s[i]!) - (o[i]! - 1)));
  const q = [0, 1, 2].map((i) => o[i]! + lo[i]! + hi[i]!);
  const taps = k[0] * k[1] * k[2];
  const [dAt, wAt, wpAt, xAt, gAt] = rt.layout([
    q[0]! * q[1]! * q[2]! * co,
    w.length,
    w.length,
    inz[0] * inz[1] * inz[2] * c,
    32,
  ]);
  const dyp = rt.f32(dAt, q[0]! * q[1]! * q[2]! * co);
  dyp.fill(0);
  for (let z = 0; z < o[0]; z++)
    for (let y = 0; y < o[1]; y++) {
      const src = (z * o[1] + y) * o[2] * co,
        to = (((z + lo[0]!) * q[1]! + y + lo[1]!) * q[2]! + lo[2]!) * co;
      dyp.set(dy.subarray(src, src + o[2] * co), to);
    }
  const wt = rt.f32(wAt, w.length);
  if (s[0] === 1 && s[1] === 1 && s[2] === 1) {
    // Stride 1: dx[i] = Σ_t' dyp[i + padBefore + t'] · w[K−1−t']ᵀ, a forward correlation over dyp
    // (lo = K−1) with the flipped, channel-transposed filter: the forward kernel's tiles, any channels.
    for (let t = 0; t < taps; t++)
      for (let i = 0; i < c; i++)
        for (let j = 0; j < co; j++) wt[((taps - 1 - t) * co + j) * c + i] = w[(t * c + i) * co + j]!;
    const off = ((g.padBefore[0] * q[1]! + g.padBefore[1]) * q[2]! + g.padBefore[2]) * co;
    new Int32Array(rt.memory.buffer, gAt, 14).set([
      q[0]!,
      q[1]!,
      q[2]!,
      co,
      k[0],
      k[1],
      k[2],
      c,
      1,
      1,
      1,
      inz[0],
      inz[1],
      inz[2],
    ]);
    rt.packWeights(wAt, wpAt, taps, co, c);
    rt.run('conv_fwd', inz[0], (a, b) => [dAt + off * 4, wAt, wpAt, xAt, gAt, a, b]);
  } else {
    for (let t = 0; t < taps; t++)
      for (let i = 0; i < c; i++) for (let j = 0; j < co; j++) wt[(t * co + j) * c + i] = w[(t * c + i) * co + j]!;
    new Int32Array(rt.memory.buffer, gAt, 26).set([...geoInts(g, c, co), ...lo, ...q, ...inz, ...g.padBefore]);
    rt.run('conv_dx', inz[0], (a, b) => [dAt, wAt, xAt, gAt, a, b]);
  }
  return rt.f32(xAt, inz[0] * inz[1] * inz[2] * c).slice();
}
