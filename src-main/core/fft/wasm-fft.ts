// Real 3D FFTs in WebAssembly SIMD (kernel.c): the fast path of Richardson–Lucy. A workspace owns
// one kernel instance and its linear memory; named float32 buffers are laid out in it once, and
// the transforms work between them without copies. Same conventions as fft3d.ts: z-major [z, y, x],
// half spectrum along x (nx/2 + 1 bins), unnormalised forward, normalised inverse, optional
// support [sz, sy] (data zero outside z < sz, y < sy; only that box of an inverse is produced).
// Arithmetic is float32 throughout (scipy.fft does the same for float32 input).
import { KERNEL_WASM_BASE64 } from './wasm/kernel.generated';
import type { Shape3 } from './fft3d';

interface KernelExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  supported(n: number): number;
  strided(re: number, im: number, n: number, stride: number, count: number, inverse: number, c: number, s: number, buf: number): void;
  rfft_rows(data: number, nx: number, rows: number, ore: number, oim: number, nxh: number, c: number, s: number, buf: number): void;
  irfft_rows(ire: number, iim: number, nxh: number, rows: number, out: number, nx: number, scale: number, c: number, s: number, buf: number): void;
  mul_spectrum(ar: number, ai: number, hr: number, hi: number, n: number, conj: number): void;
  rl_ratio(ratio: number, blurred: number, image: number, mz: number, my: number, mx: number, gy: number, gx: number, add: number): void;
  rl_update(est: number, corr: number, mz: number, my: number, mx: number, gy: number, gx: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

function kernelModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const bin = atob(KERNEL_WASM_BASE64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    compiled = new WebAssembly.Module(bytes);
  } catch {
    compiled = null; // no WebAssembly SIMD here: callers fall back to the JavaScript FFT
  }
  return compiled;
}

/** True when the SIMD kernel runs here and every axis length has only radices 2, 3, 5, 7, 11, 13. */
export function wasmFftAvailable(shape?: Shape3): boolean {
  const mod = kernelModule();
  if (!mod || process.env.CYCLEDECON_FFT === 'js') return false;
  if (!shape) return true;
  const k = new WebAssembly.Instance(mod, {}).exports as unknown as KernelExports;
  return shape.every((n) => k.supported(n) === 1);
}

const PAGE = 65536;

export interface Spectrum { re: string; im: string }

/**
 * Buffers for transforms on one grid. `buffers` maps a name to a length in floats; each also gets
 * `view(name)`. Views stay valid for the life of the workspace (memory grows once, at creation).
 */
export class WasmFftWorkspace {
  private readonly k: KernelExports;
  private readonly offsets = new Map<string, number>();
  private readonly lengths = new Map<string, number>();
  private readonly tw = new Map<number, { c: number; s: number }>();
  private readonly buf: number;
  readonly grid: Shape3;
  readonly nxh: number;

  constructor(grid: Shape3, buffers: Record<string, number>) {
    const mod = kernelModule();
    if (!mod || !wasmFftAvailable(grid)) throw new Error(`the WebAssembly FFT cannot transform a ${grid.join('×')} grid here`);
    this.k = new WebAssembly.Instance(mod, {}).exports as unknown as KernelExports;
    this.grid = grid;
    this.nxh = Math.floor(grid[2] / 2) + 1;
    let top = Number(this.k.__heap_base.value);
    const take = (floats: number) => {
      top = Math.ceil(top / 16) * 16;
      const at = top;
      top += floats * 4;
      return at;
    };
    for (const [name, len] of Object.entries(buffers)) {
      this.offsets.set(name, take(len));
      this.lengths.set(name, len);
    }
    const axes = [...new Set(grid)];
    const twAt = axes.map((n) => ({ n, c: take(n), s: take(n) }));
    this.buf = take(16 * Math.max(...grid));
    const need = Math.ceil(top / PAGE) - this.k.memory.buffer.byteLength / PAGE;
    if (top > 2 ** 32 - PAGE) throw new RangeError(`FFT workspace of ${(top / 2 ** 30).toFixed(1)} GiB exceeds WebAssembly's 4 GiB`);
    if (need > 0) this.k.memory.grow(need);
    const mem = new Float32Array(this.k.memory.buffer);
    for (const { n, c, s } of twAt) {
      for (let t = 0; t < n; t++) {
        mem[c / 4 + t] = Math.cos((2 * Math.PI * t) / n);
        mem[s / 4 + t] = -Math.sin((2 * Math.PI * t) / n);
      }
      this.tw.set(n, { c, s });
    }
  }

  /** The float32 view of a named buffer (shares memory with the kernel). */
  view(name: string): Float32Array {
    const at = this.offsets.get(name), len = this.lengths.get(name);
    if (at === undefined || len === undefined) throw new Error(`no buffer ${name}`);
    return new Float32Array(this.k.memory.buffer, at, len);
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

  /** Forward real FFT of buffer `src` (the grid, z-major) into the half spectrum `out`. */
  rfft3d(src: string, out: Spectrum, support?: readonly [number, number]): void {
    const [nz, ny, nx] = this.grid, nxh = this.nxh, k = this.k;
    const [sz, sy] = support ? [Math.min(support[0], nz), Math.min(support[1], ny)] : [nz, ny];
    const s0 = this.at(src), re = this.at(out.re), im = this.at(out.im);
    const vr = this.view(out.re), vi = this.view(out.im);
    const tx = this.twiddles(nx);
    for (let z = 0; z < nz; z++) {
      const plane = z * ny * nxh;
      if (z < sz) k.rfft_rows(s0 + z * ny * nx * 4, nx, sy, re + plane * 4, im + plane * 4, nxh, tx.c, tx.s, this.buf);
      const from = z < sz ? plane + sy * nxh : plane;
      vr.fill(0, from, plane + ny * nxh);
      vi.fill(0, from, plane + ny * nxh);
    }
    if (ny > 1) {
      const ty = this.twiddles(ny);
      for (let z = 0; z < sz; z++) k.strided(re + z * ny * nxh * 4, im + z * ny * nxh * 4, ny, nxh, nxh, 0, ty.c, ty.s, this.buf);
    }
    if (nz > 1) {
      const tz = this.twiddles(nz);
      k.strided(re, im, nz, ny * nxh, ny * nxh, 0, tz.c, tz.s, this.buf);
    }
  }

  /** Normalised inverse of rfft3d: spectrum `spec` (overwritten) into real buffer `dst`; with support, only that box. */
  irfft3d(spec: Spectrum, dst: string, support?: readonly [number, number]): void {
    const [nz, ny, nx] = this.grid, nxh = this.nxh, k = this.k;
    const [sz, sy] = support ? [Math.min(support[0], nz), Math.min(support[1], ny)] : [nz, ny];
    const re = this.at(spec.re), im = this.at(spec.im), d = this.at(dst);
    if (nz > 1) {
      const tz = this.twiddles(nz);
      k.strided(re, im, nz, ny * nxh, ny * nxh, 1, tz.c, tz.s, this.buf);
    }
    if (ny > 1) {
      const ty = this.twiddles(ny);
      for (let z = 0; z < sz; z++) k.strided(re + z * ny * nxh * 4, im + z * ny * nxh * 4, ny, nxh, nxh, 1, ty.c, ty.s, this.buf);
    }
    const tx = this.twiddles(nx), scale = 1 / (nx * ny * nz);
    for (let z = 0; z < sz; z++) {
      const plane = z * ny * nxh;
      k.irfft_rows(re + plane * 4, im + plane * 4, nxh, sy, d + z * ny * nx * 4, nx, scale, tx.c, tx.s, this.buf);
    }
  }

  /** Richardson–Lucy: ratio = image / (blurred + add) on the box `box` of the grid; `image` holds the box densely. */
  rlRatio(ratio: string, blurred: string, image: string, box: Shape3, add: number): void {
    this.k.rl_ratio(this.at(ratio), this.at(blurred), this.at(image), box[0], box[1], box[2], this.grid[1], this.grid[2], add);
  }

  /** Richardson–Lucy: est = max(0, est · corr) on the box. */
  rlUpdate(est: string, corr: string, box: Shape3): void {
    this.k.rl_update(this.at(est), this.at(corr), box[0], box[1], box[2], this.grid[1], this.grid[2]);
  }

  /** a ← a·h, or a·conj(h). */
  multiply(a: Spectrum, h: Spectrum, conjugate = false): void {
    this.k.mul_spectrum(this.at(a.re), this.at(a.im), this.at(h.re), this.at(h.im), this.lengths.get(a.re) ?? 0, conjugate ? 1 : 0);
  }
}
