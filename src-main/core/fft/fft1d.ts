// Complex 1D FFT of any length: mixed radix (2, 3, 4, 5, and any other small prime factor) for
// lengths whose prime factors are all ≤ 13, Bluestein's chirp-z for everything else.
// Transforms work in place on separate real/imaginary Float64Arrays; the inverse is unnormalised.

const MAX_DIRECT_RADIX = 13;

function factorize(n: number): number[] {
  const factors: number[] = [];
  let m = n;
  while (m % 4 === 0) {
    factors.push(4);
    m /= 4;
  }
  for (const p of [2, 3, 5])
    while (m % p === 0) {
      factors.push(p);
      m /= p;
    }
  for (let p = 7; p * p <= m; p += 2)
    while (m % p === 0) {
      factors.push(p);
      m /= p;
    }
  if (m > 1) factors.push(m);
  return factors;
}

export function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** Smallest length ≥ n whose prime factors are 2, 3 and 5 only (fast for the mixed-radix path). */
export function nextSmoothSize(n: number): number {
  for (let m = Math.max(1, n); ; m++) {
    let r = m;
    for (const p of [2, 3, 5]) while (r % p === 0) r /= p;
    if (r === 1) return m;
  }
}

export interface FFTPlan {
  readonly n: number;
  /** In-place forward (e^{-i…}) or unnormalised inverse transform. */
  transform(re: Float64Array, im: Float64Array, inverse?: boolean): void;
}

/** Mixed-radix decimation-in-time FFT with a global twiddle table. */
class MixedRadixPlan implements FFTPlan {
  private readonly factors: number[];
  private readonly cosT: Float64Array;
  private readonly sinT: Float64Array;
  private readonly tRe: Float64Array;
  private readonly tIm: Float64Array;
  private readonly sRe: Float64Array;
  private readonly sIm: Float64Array;

  constructor(readonly n: number) {
    this.factors = factorize(n);
    this.cosT = new Float64Array(n);
    this.sinT = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      this.cosT[k] = Math.cos((2 * Math.PI * k) / n);
      this.sinT[k] = -Math.sin((2 * Math.PI * k) / n);
    }
    this.tRe = new Float64Array(n);
    this.tIm = new Float64Array(n);
    const maxP = Math.max(1, ...this.factors);
    this.sRe = new Float64Array(maxP);
    this.sIm = new Float64Array(maxP);
  }

  transform(re: Float64Array, im: Float64Array, inverse = false): void {
    const n = this.n;
    if (n === 1) return;
    if (inverse) for (let i = 0; i < n; i++) im[i] = -im[i]!;
    this.tRe.set(re);
    this.tIm.set(im);
    this.rec(this.tRe, this.tIm, 0, 1, re, im, 0, n, 0);
    if (inverse) for (let i = 0; i < n; i++) im[i] = -im[i]!;
  }

  // out[outOff .. outOff+len) = DFT of in[inOff + j*stride], j < len.
  private rec(
    iRe: Float64Array,
    iIm: Float64Array,
    inOff: number,
    stride: number,
    oRe: Float64Array,
    oIm: Float64Array,
    outOff: number,
    len: number,
    fi: number,
  ): void {
    if (len === 1) {
      oRe[outOff] = iRe[inOff]!;
      oIm[outOff] = iIm[inOff]!;
      return;
    }
    const p = this.factors[fi]!;
    const m = len / p;
    if (m === 1) {
      // Leaf level: gather the p inputs directly instead of p single-element recursive calls.
      for (let q = 0; q < p; q++) {
        oRe[outOff + q] = iRe[inOff + q * stride]!;
        oIm[outOff + q] = iIm[inOff + q * stride]!;
      }
    } else {
      for (let q = 0; q < p; q++)
        this.rec(iRe, iIm, inOff + q * stride, stride * p, oRe, oIm, outOff + q * m, m, fi + 1);
    }
    const tw = this.n / len; // twiddle W_len^j = table[j * tw]
    const c = this.cosT,
      s = this.sinT,
      N = this.n;
    if (p === 2) {
      for (let k = 0; k < m; k++) {
        const a = outOff + k,
          b = a + m;
        const t = k * tw,
          wr = c[t]!,
          wi = s[t]!;
        const br = oRe[b]! * wr - oIm[b]! * wi,
          bi = oRe[b]! * wi + oIm[b]! * wr;
        const ar = oRe[a]!,
          ai = oIm[a]!;
        oRe[a] = ar + br;
        oIm[a] = ai + bi;
        oRe[b] = ar - br;
        oIm[b] = ai - bi;
      }
      return;
    }
    if (p === 4) {
      for (let k = 0; k < m; k++) {
        const i0 = outOff + k,
          i1 = i0 + m,
          i2 = i1 + m,
          i3 = i2 + m;
        const t1 = k * tw,
          t2 = 2 * t1,
          t3 = 3 * t1;
        const x0r = oRe[i0]!,
          x0i = oIm[i0]!;
        const x1r = oRe[i1]! * c[t1]! - oIm[i1]! * s[t1]!,
          x1i = oRe[i1]! * s[t1]! + oIm[i1]! * c[t1]!;
        const x2r = oRe[i2]! * c[t2]! - oIm[i2]! * s[t2]!,
          x2i = oRe[i2]! * s[t2]! + oIm[i2]! * c[t2]!;
        const x3r = oRe[i3]! * c[t3]! - oIm[i3]! * s[t3]!,
          x3i = oRe[i3]! * s[t3]! + oIm[i3]! * c[t3]!;
        const ar = x0r + x2r,
          ai = x0i + x2i,
          br = x0r - x2r,
          bi = x0i - x2i;
        const cr = x1r + x3r,
          ci = x1i + x3i,
          dr = x1r - x3r,
          di = x1i - x3i;
        // forward: X1 = b - i d, X3 = b + i d
        oRe[i0] = ar + cr;
        oIm[i0] = ai + ci;
        oRe[i2] = ar - cr;
        oIm[i2] = ai - ci;
        oRe[i1] = br + di;
        oIm[i1] = bi - dr;
        oRe[i3] = br - di;
        oIm[i3] = bi + dr;
      }
      return;
    }
    if (p === 3) {
      this.radix3(oRe, oIm, outOff, m, tw);
      return;
    }
    if (p === 5) {
      this.radix5(oRe, oIm, outOff, m, tw);
      return;
    }
    // Generic radix p: X[k + s*m] = Σ_q (W_len^{qk} Y_q[k]) W_p^{qs}
    const sRe = this.sRe,
      sIm = this.sIm,
      pStep = N / p;
    for (let k = 0; k < m; k++) {
      for (let q = 0; q < p; q++) {
        const idx = outOff + k + q * m,
          t = (q * k * tw) % N;
        sRe[q] = oRe[idx]! * c[t]! - oIm[idx]! * s[t]!;
        sIm[q] = oRe[idx]! * s[t]! + oIm[idx]! * c[t]!;
      }
      for (let sIdx = 0; sIdx < p; sIdx++) {
        let accR = 0,
          accI = 0;
        for (let q = 0; q < p; q++) {
          const t = ((q * sIdx) % p) * pStep;
          accR += sRe[q]! * c[t]! - sIm[q]! * s[t]!;
          accI += sRe[q]! * s[t]! + sIm[q]! * c[t]!;
        }
        oRe[outOff + k + sIdx * m] = accR;
        oIm[outOff + k + sIdx * m] = accI;
      }
    }
  }

  private radix3(oRe: Float64Array, oIm: Float64Array, outOff: number, m: number, tw: number): void {
    const c = this.cosT,
      s = this.sinT,
      h = Math.sqrt(3) / 2;
    for (let k = 0; k < m; k++) {
      const i0 = outOff + k,
        i1 = i0 + m,
        i2 = i1 + m,
        t1 = k * tw,
        t2 = 2 * t1;
      const x1r = oRe[i1]! * c[t1]! - oIm[i1]! * s[t1]!,
        x1i = oRe[i1]! * s[t1]! + oIm[i1]! * c[t1]!;
      const x2r = oRe[i2]! * c[t2]! - oIm[i2]! * s[t2]!,
        x2i = oRe[i2]! * s[t2]! + oIm[i2]! * c[t2]!;
      const ar = x1r + x2r,
        ai = x1i + x2i,
        br = h * (x1r - x2r),
        bi = h * (x1i - x2i);
      const mr = oRe[i0]! - 0.5 * ar,
        mi = oIm[i0]! - 0.5 * ai;
      oRe[i0]! += ar;
      oIm[i0]! += ai;
      oRe[i1] = mr + bi;
      oIm[i1] = mi - br;
      oRe[i2] = mr - bi;
      oIm[i2] = mi + br;
    }
  }

  private radix5(oRe: Float64Array, oIm: Float64Array, outOff: number, m: number, tw: number): void {
    const c = this.cosT,
      s = this.sinT;
    const c1 = Math.cos((2 * Math.PI) / 5),
      c2 = Math.cos((4 * Math.PI) / 5),
      s1 = Math.sin((2 * Math.PI) / 5),
      s2 = Math.sin((4 * Math.PI) / 5);
    for (let k = 0; k < m; k++) {
      const i0 = outOff + k,
        i1 = i0 + m,
        i2 = i1 + m,
        i3 = i2 + m,
        i4 = i3 + m;
      const t1 = k * tw,
        t2 = 2 * t1,
        t3 = 3 * t1,
        t4 = 4 * t1;
      const x1r = oRe[i1]! * c[t1]! - oIm[i1]! * s[t1]!,
        x1i = oRe[i1]! * s[t1]! + oIm[i1]! * c[t1]!;
      const x2r = oRe[i2]! * c[t2]! - oIm[i2]! * s[t2]!,
        x2i = oRe[i2]! * s[t2]! + oIm[i2]! * c[t2]!;
      const x3r = oRe[i3]! * c[t3]! - oIm[i3]! * s[t3]!,
        x3i = oRe[i3]! * s[t3]! + oIm[i3]! * c[t3]!;
      const x4r = oRe[i4]! * c[t4]! - oIm[i4]! * s[t4]!,
        x4i = oRe[i4]! * s[t4]! + oIm[i4]! * c[t4]!;
      const a1r = x1r + x4r,
        a1i = x1i + x4i,
        b1r = x1r - x4r,
        b1i = x1i - x4i;
      const a2r = x2r + x3r,
        a2i = x2i + x3i,
        b2r = x2r - x3r,
        b2i = x2i - x3i;
      const x0r = oRe[i0]!,
        x0i = oIm[i0]!;
      const p1r = x0r + c1 * a1r + c2 * a2r,
        p1i = x0i + c1 * a1i + c2 * a2i;
      const q1r = s1 * b1r + s2 * b2r,
        q1i = s1 * b1i + s2 * b2i;
      const p2r = x0r + c2 * a1r + c1 * a2r,
        p2i = x0i + c2 * a1i + c1 * a2i;
      const q2r = s2 * b1r - s1 * b2r,
        q2i = s2 * b1i - s1 * b2i;
      oRe[i0] = x0r + a1r + a2r;
      oIm[i0] = x0i + a1i + a2i;
      // X = p ∓ i·q  →  (p_r ± q_i, p_i ∓ q_r)
      oRe[i1] = p1r + q1i;
      oIm[i1] = p1i - q1r;
      oRe[i4] = p1r - q1i;
      oIm[i4] = p1i + q1r;
      oRe[i2] = p2r + q2i;
      oIm[i2] = p2i - q2r;
      oRe[i3] = p2r - q2i;
      oIm[i3] = p2i + q2r;
    }
  }
}

/** Bluestein chirp-z: an n-point DFT as a circular convolution of power-of-two length. */
class BluesteinPlan implements FFTPlan {
  private readonly m: number;
  private readonly inner: MixedRadixPlan;
  private readonly wRe: Float64Array;
  private readonly wIm: Float64Array;
  private readonly bRe: Float64Array;
  private readonly bIm: Float64Array;
  private readonly aRe: Float64Array;
  private readonly aIm: Float64Array;

  constructor(readonly n: number) {
    let m = 1;
    while (m < 2 * n - 1) m *= 2;
    this.m = m;
    this.inner = new MixedRadixPlan(m);
    this.wRe = new Float64Array(n);
    this.wIm = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const k2 = (k * k) % (2 * n); // keep the angle small for accuracy
      this.wRe[k] = Math.cos((Math.PI * k2) / n);
      this.wIm[k] = -Math.sin((Math.PI * k2) / n);
    }
    this.bRe = new Float64Array(m);
    this.bIm = new Float64Array(m);
    for (let k = 0; k < n; k++) {
      this.bRe[k] = this.wRe[k]!;
      this.bIm[k] = -this.wIm[k]!;
      if (k > 0) {
        this.bRe[m - k] = this.wRe[k]!;
        this.bIm[m - k] = -this.wIm[k]!;
      }
    }
    this.inner.transform(this.bRe, this.bIm);
    this.aRe = new Float64Array(m);
    this.aIm = new Float64Array(m);
  }

  transform(re: Float64Array, im: Float64Array, inverse = false): void {
    const { n, m, aRe, aIm, wRe, wIm, bRe, bIm } = this;
    const sign = inverse ? -1 : 1;
    aRe.fill(0);
    aIm.fill(0);
    for (let k = 0; k < n; k++) {
      const xr = re[k]!,
        xi = sign * im[k]!;
      aRe[k] = xr * wRe[k]! - xi * wIm[k]!;
      aIm[k] = xr * wIm[k]! + xi * wRe[k]!;
    }
    this.inner.transform(aRe, aIm);
    for (let k = 0; k < m; k++) {
      const r = aRe[k]! * bRe[k]! - aIm[k]! * bIm[k]!;
      aIm[k] = aRe[k]! * bIm[k]! + aIm[k]! * bRe[k]!;
      aRe[k] = r;
    }
    this.inner.transform(aRe, aIm, true);
    for (let k = 0; k < n; k++) {
      const yr = aRe[k]! / m,
        yi = aIm[k]! / m;
      re[k] = yr * wRe[k]! - yi * wIm[k]!;
      im[k] = sign * (yr * wIm[k]! + yi * wRe[k]!);
    }
  }
}

const planCache = new Map<number, FFTPlan>();

/** A cached plan for length n (n ≥ 1). Plans hold scratch space, so do not share one across threads. */
export function fftPlan(n: number): FFTPlan {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`FFT length must be a positive integer, got ${n}`);
  let plan = planCache.get(n);
  if (!plan) {
    const largest = Math.max(1, ...factorize(n));
    plan = largest <= MAX_DIRECT_RADIX ? new MixedRadixPlan(n) : new BluesteinPlan(n);
    planCache.set(n, plan);
  }
  return plan;
}
