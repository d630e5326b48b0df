// Runtime of the native conv3d kernel (native/conv.c, AVX2 + FMA, Node-API): the same entry points,
// layout and per-thread split as the WebAssembly runtime (wasm-conv.ts), so the per-item functions
// there drive either. The addon is a committed file (prebuilds/linux-x64/conv.node, built by
// scripts/build-native.sh), checked against its manifest's SHA-256 and loaded in place with process.dlopen
// (native-prebuild.ts finds it in a checkout, the CLI bundle and the packaged app); it threads with pthreads.
// Loaded only on linux-x64 CPUs with AVX2 and FMA; anywhere else (or with CYCLEDECON_NATIVE=0) this returns
// null and the WebAssembly kernel runs.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernelThreadCount, splitRange } from './threads';
import {
  NativeKernelError,
  missingPrebuild,
  resolvePrebuild,
  verifyPrebuild,
  type PrebuildPlace,
} from './native-prebuild';
import { NATIVE_PREBUILD } from './native/prebuild';
import type { ConvOp, ConvRuntime, Offsets } from './wasm-conv';
import { FLAG_DEFS, getFlag } from '../flags';

/** Element-wise ops on typed arrays (conv.c `ew`), bit-identical to ops/norm-cpu.ts' JavaScript. */
export interface NativeEw {
  (op: 0, channels: number, x: Float32Array, meanVar: Float64Array): void;
  (op: 1 | 2, channels: number, x: Float32Array, y: Float32Array, mean: Float64Array, inv: Float64Array): void;
  (op: 3, channels: number, dy: Float32Array, y: Float32Array, dx: Float32Array, invAndScratch: Float64Array): void;
  (op: 4, channels: 1, x: Float32Array, y: Float32Array): void;
  (op: 5, channels: 1, dy: Float32Array, y: Float32Array, dx: Float32Array): void;
}
/** ew op codes. */
export const EW = { stats: 0, apply: 1, applyRelu: 2, normBackward: 3, relu: 4, reluBackward: 5 } as const;

interface Addon {
  run(op: number, memory: ArrayBuffer, args: Float64Array): void;
  ew(op: number, ...args: unknown[]): void;
  setAvx512(on: boolean): boolean;
  supported(): boolean;
}

export const NATIVE_ENV = FLAG_DEFS.native.env;
/** CYCLEDECON_AVX512=0 keeps the native kernel on its AVX2 tiles on CPUs with AVX-512. */
export const AVX512_ENV = FLAG_DEFS.avx512.env;
const OP_ID: Record<ConvOp, number> = { conv_fwd: 0, conv_dw: 1, conv_dx: 2 };
const OP_PACK = 3;
const ALIGN = 32,
  GROW = 1 << 20;

/** Why the native kernel is not in use (undefined while it is, or before the first try). */
export let nativeUnavailableReason: string | undefined;

/** Where the native kernel stands: loaded from `path`, or why not (`error`). Null fields before the first try. */
export interface NativeKernelStatus {
  loaded: boolean;
  path: string | null;
  error: string | null;
}
let status: NativeKernelStatus = { loaded: false, path: null, error: null };
/** Set when the kernel should have loaded here (linux-x64, not switched off) but could not: the one-line notice. */
let failureNotice: string | null = null;

/** Whether the AVX-512 tiles are on by default here (CPU has AVX-512F and CYCLEDECON_AVX512 is not 0). */
let avx512Default = false;

function here(): PrebuildPlace {
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  return {
    moduleDir: path.dirname(fileURLToPath(import.meta.url)),
    resourcesPath,
    platformArch: `${process.platform}-${process.arch}`,
  };
}

function notLoaded(reason: string, file: string | null = null): null {
  nativeUnavailableReason = reason;
  status = { loaded: false, path: file, error: reason };
  return null;
}

/** Finds, checks and dlopens the committed addon; throws NativeKernelError where it should load but cannot. */
function openAddon(place: PrebuildPlace): { addon: Addon; file: string } {
  const file = resolvePrebuild(place, existsSync);
  if (!file) throw missingPrebuild(place);
  verifyPrebuild(file, readFileSync(file));
  const mod = { exports: {} as Addon };
  try {
    process.dlopen(mod, file);
  } catch (e) {
    throw new NativeKernelError('dlopen', file, `dlopen refused ${file}: ${(e as Error).message}`, e);
  }
  return { addon: mod.exports, file };
}

function loadAddon(): Addon | null {
  if (!getFlag('native')) return notLoaded(`${NATIVE_ENV}=0`);
  const place = here();
  if (place.platformArch !== NATIVE_PREBUILD.platformArch) return notLoaded(`no build for ${place.platformArch}`);
  try {
    const { addon, file } = openAddon(place);
    if (!addon.supported()) return notLoaded('the CPU lacks AVX2 or FMA', file);
    avx512Default = addon.setAvx512(getFlag('avx512'));
    status = { loaded: true, path: file, error: null };
    return addon;
  } catch (e) {
    notLoaded(`could not load the addon: ${(e as Error).message}`, e instanceof NativeKernelError ? e.file : null);
    // The kernel should load here (linux-x64): a missing or altered file or a dlopen failure costs 1.5–3× in
    // training speed, so say so once instead of only in `cycledecon backends`.
    failureNotice = `the native kernel could not load (${nativeUnavailableReason}); using the WebAssembly kernel`;
    process.stderr.write(`cycledecon: ${failureNotice}. Reinstall, or set ${NATIVE_ENV}=0 to silence this.\n`);
    return null;
  }
}

class NativeConvRuntime implements ConvRuntime {
  memory = { buffer: new ArrayBuffer(GROW) };

  constructor(
    private readonly addon: Addon,
    readonly threadCount: number,
  ) {}

  layout<L extends readonly number[]>(lengths: readonly [...L]): Offsets<L> {
    let top = 0;
    const at = lengths.map((n) => {
      const a = Math.ceil(top / ALIGN) * ALIGN;
      top = a + n * 4;
      return a;
    });
    // Contents need not survive: callers lay out first, then fill.
    const have = this.memory.buffer.byteLength;
    if (top > have) this.memory = { buffer: new ArrayBuffer(Math.ceil(Math.max(top, have * 1.25) / GROW) * GROW) };
    return at as Offsets<L>; // map keeps the length
  }

  /** Gives the workspace back (it keeps the size of the largest call otherwise). */
  release(): void {
    this.memory = { buffer: new ArrayBuffer(GROW) };
  }

  packWeights(w: number, wp: number, taps: number, c: number, co: number): void {
    this.addon.run(OP_PACK, this.memory.buffer, Float64Array.of(w, wp, taps, c, co));
  }

  f32(at: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, at, n);
  }

  run(op: ConvOp, n: number, args: (a: number, b: number) => number[]): void {
    const parts = splitRange(n, this.threadCount);
    if (parts.length)
      this.addon.run(OP_ID[op], this.memory.buffer, Float64Array.from(parts.flatMap(([a, b]) => args(a, b))));
  }
}

let addon: Addon | null | undefined;

/**
 * Turns the AVX-512 tiles (16-wide channel blocks, same sums per lane as the AVX2 tiles) on or off;
 * returns whether they are in use, false without the addon or without AVX-512F. For tests and benchmarks.
 */
export function setNativeAvx512(on: boolean): boolean {
  if (addon === undefined) addon = loadAddon();
  return addon ? addon.setAvx512(on) : false;
}

/** The instruction set the native kernel runs on by default: 'avx512', 'avx2', or null without it. */
export function nativeIsa(): 'avx512' | 'avx2' | null {
  if (addon === undefined) addon = loadAddon();
  if (!addon) return null;
  return avx512Default ? 'avx512' : 'avx2';
}

/** The addon's element-wise ops, or null where the addon does not load. */
export function nativeEw(): NativeEw | null {
  if (addon === undefined) addon = loadAddon();
  return addon ? (addon.ew as NativeEw) : null;
}
let runtime: NativeConvRuntime | null | undefined;

/** A runtime on `threads` threads of its own (tests compare thread counts), or null without the addon. */
export function createNativeConvRuntime(threads: number): NativeConvRuntime | null {
  if (addon === undefined) addon = loadAddon();
  return addon ? new NativeConvRuntime(addon, threads) : null;
}

/** Whether the native kernel loaded, from which file, or why not (tries to load it first). */
export function nativeKernelStatus(): NativeKernelStatus {
  if (addon === undefined) addon = loadAddon();
  return { ...status };
}

/**
 * Why the native kernel did not load where it should have (missing or altered file, dlopen failure), for a job
 * log; null when it loaded or is not meant to here (another platform, no AVX2, CYCLEDECON_NATIVE=0).
 */
export function nativeLoadFailure(): string | null {
  if (addon === undefined) addon = loadAddon();
  return failureNotice;
}

/** The shared native runtime, or null where it cannot run (see nativeUnavailableReason). */
export function nativeConvRuntime(): NativeConvRuntime | null {
  if (runtime === undefined) runtime = createNativeConvRuntime(kernelThreadCount());
  return runtime;
}
