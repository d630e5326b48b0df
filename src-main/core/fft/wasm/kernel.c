// CycleDecon FFT kernel: batched complex FFTs of four lines at once in WebAssembly SIMD
// (one f32x4 lane per line), and the real-3D-FFT passes built on them. Compiled by
// scripts/build-wasm.sh (clang --target=wasm32 -msimd128, freestanding: no libc), embedded as
// base64 in kernel.generated.ts and driven from wasm-fft.ts. All buffers live in linear memory;
// the JavaScript side owns allocation. Lengths must factor into 2, 3, 4, 5, 7, 11, 13.
//
// Algorithm: Stockham autosort, decimation in time (Govindaraju et al. 2008 formulation):
// each stage of radix R reads x[j + r·n/R], twiddles by W^{r·k}, k = j mod Ns, and writes
// y[(j div Ns)·Ns·R + k + r·Ns]; buffers ping-pong, no bit reversal.
#include <wasm_simd128.h>

typedef v128_t V;
#define ADD wasm_f32x4_add
#define SUB wasm_f32x4_sub
#define MUL wasm_f32x4_mul
#define SPL wasm_f32x4_splat
#define MAXR 16
#define MAXF 40

static int factorize(int n, int *f) {
  int nf = 0;
  while (n % 4 == 0) { f[nf++] = 4; n /= 4; }
  static const int primes[] = {2, 3, 5, 7, 11, 13};
  for (int i = 0; i < 6; i++) while (n % primes[i] == 0) { f[nf++] = primes[i]; n /= primes[i]; }
  return n == 1 ? nf : -1;
}

/** 1 when n factors into radices this kernel has (2, 3, 4, 5, 7, 11, 13). */
int supported(int n) {
  int f[MAXF];
  return n >= 1 && factorize(n, f) >= 0;
}

// Twiddle table for length n: c[t] = cos(2πt/n), s[t] = -sin(2πt/n) (forward), t < n, supplied by JS.
// One function per radix so the butterfly's vectors stay in registers (wasm locals).
#define LOAD_TWIDDLE(R)                                                                  \
  const int j = jb + k;                                                                  \
  V ar[R], ai[R];                                                                        \
  for (int r = 0; r < R; r++) { ar[r] = xr[j + r * m]; ai[r] = xi[j + r * m]; }          \
  if (k) {                                                                               \
    for (int r = 1; r < R; r++) {                                                        \
      const int t = k * step * r; /* < n: r < R, k < Ns */                               \
      const V wc = SPL(c[t]), ws = SPL(s[t]);                                            \
      const V tr = SUB(MUL(ar[r], wc), MUL(ai[r], ws));                                  \
      ai[r] = ADD(MUL(ar[r], ws), MUL(ai[r], wc));                                       \
      ar[r] = tr;                                                                        \
    }                                                                                    \
  }                                                                                      \
  const int base = (j / Ns) * Ns * R + k;

#define STAGE_LOOP_BEGIN(R)                                                              \
  const int m = n / R, step = n / (Ns * R);                                              \
  for (int jb = 0; jb < m; jb += Ns) for (int k = 0; k < Ns; k++) {                      \
    LOAD_TWIDDLE(R)
#define STAGE_LOOP_END }

#define ARGS int n, int Ns, const V *xr, const V *xi, V *yr, V *yi, const float *c, const float *s

static void stage2(ARGS) {
  STAGE_LOOP_BEGIN(2)
  yr[base] = ADD(ar[0], ar[1]); yi[base] = ADD(ai[0], ai[1]);
  yr[base + Ns] = SUB(ar[0], ar[1]); yi[base + Ns] = SUB(ai[0], ai[1]);
  STAGE_LOOP_END
}

static void stage4(ARGS) {
  STAGE_LOOP_BEGIN(4)
  V t0r = ADD(ar[0], ar[2]), t0i = ADD(ai[0], ai[2]), t1r = SUB(ar[0], ar[2]), t1i = SUB(ai[0], ai[2]);
  V t2r = ADD(ar[1], ar[3]), t2i = ADD(ai[1], ai[3]), t3r = SUB(ar[1], ar[3]), t3i = SUB(ai[1], ai[3]);
  yr[base] = ADD(t0r, t2r); yi[base] = ADD(t0i, t2i);
  yr[base + 2 * Ns] = SUB(t0r, t2r); yi[base + 2 * Ns] = SUB(t0i, t2i);
  yr[base + Ns] = ADD(t1r, t3i); yi[base + Ns] = SUB(t1i, t3r);
  yr[base + 3 * Ns] = SUB(t1r, t3i); yi[base + 3 * Ns] = ADD(t1i, t3r);
  STAGE_LOOP_END
}

static void stage3(ARGS) {
  const V h = SPL(-0.5f), s1 = SPL(0.86602540378443865f);
  STAGE_LOOP_BEGIN(3)
  V t1r = ADD(ar[1], ar[2]), t1i = ADD(ai[1], ai[2]);
  V t2r = ADD(ar[0], MUL(h, t1r)), t2i = ADD(ai[0], MUL(h, t1i));
  V t3r = MUL(s1, SUB(ar[1], ar[2])), t3i = MUL(s1, SUB(ai[1], ai[2]));
  yr[base] = ADD(ar[0], t1r); yi[base] = ADD(ai[0], t1i);
  yr[base + Ns] = ADD(t2r, t3i); yi[base + Ns] = SUB(t2i, t3r);
  yr[base + 2 * Ns] = SUB(t2r, t3i); yi[base + 2 * Ns] = ADD(t2i, t3r);
  STAGE_LOOP_END
}

static void stage5(ARGS) {
  const V c1 = SPL(0.30901699437494742f), c2 = SPL(-0.80901699437494742f);
  const V s1 = SPL(0.95105651629515357f), s2 = SPL(0.58778525229247313f);
  STAGE_LOOP_BEGIN(5)
  V t1r = ADD(ar[1], ar[4]), t1i = ADD(ai[1], ai[4]), t2r = ADD(ar[2], ar[3]), t2i = ADD(ai[2], ai[3]);
  V t3r = SUB(ar[1], ar[4]), t3i = SUB(ai[1], ai[4]), t4r = SUB(ar[2], ar[3]), t4i = SUB(ai[2], ai[3]);
  yr[base] = ADD(ar[0], ADD(t1r, t2r)); yi[base] = ADD(ai[0], ADD(t1i, t2i));
  V b1r = ADD(ar[0], ADD(MUL(c1, t1r), MUL(c2, t2r))), b1i = ADD(ai[0], ADD(MUL(c1, t1i), MUL(c2, t2i)));
  V b2r = ADD(ar[0], ADD(MUL(c2, t1r), MUL(c1, t2r))), b2i = ADD(ai[0], ADD(MUL(c2, t1i), MUL(c1, t2i)));
  V d1r = ADD(MUL(s1, t3r), MUL(s2, t4r)), d1i = ADD(MUL(s1, t3i), MUL(s2, t4i));
  V d2r = SUB(MUL(s2, t3r), MUL(s1, t4r)), d2i = SUB(MUL(s2, t3i), MUL(s1, t4i));
  // y = b ∓ i·d: (br + di, bi − dr) and (br − di, bi + dr)
  yr[base + Ns] = ADD(b1r, d1i); yi[base + Ns] = SUB(b1i, d1r);
  yr[base + 4 * Ns] = SUB(b1r, d1i); yi[base + 4 * Ns] = ADD(b1i, d1r);
  yr[base + 2 * Ns] = ADD(b2r, d2i); yi[base + 2 * Ns] = SUB(b2i, d2r);
  yr[base + 3 * Ns] = SUB(b2r, d2i); yi[base + 3 * Ns] = ADD(b2i, d2r);
  STAGE_LOOP_END
}

// Any other small prime (7, 11, 13): direct DFT with W_R^{q·r} = W_n^{(q·r mod R)·n/R} from the table.
static void stage_generic(int R, ARGS) {
  const int m = n / R, step = n / (Ns * R);
  V ar[MAXR], ai[MAXR];
  for (int jb = 0; jb < m; jb += Ns) for (int k = 0; k < Ns; k++) {
    const int j = jb + k;
    for (int r = 0; r < R; r++) { ar[r] = xr[j + r * m]; ai[r] = xi[j + r * m]; }
    if (k) {
      for (int r = 1; r < R; r++) {
        const int t = k * step * r;
        const V wc = SPL(c[t]), ws = SPL(s[t]);
        const V tr = SUB(MUL(ar[r], wc), MUL(ai[r], ws));
        ai[r] = ADD(MUL(ar[r], ws), MUL(ai[r], wc));
        ar[r] = tr;
      }
    }
    const int base = (j / Ns) * Ns * R + k;
    for (int q = 0; q < R; q++) {
      V sr = ar[0], si = ai[0];
      for (int r = 1; r < R; r++) {
        const int t = ((q * r) % R) * m;
        const V wc = SPL(c[t]), ws = SPL(s[t]);
        sr = ADD(sr, SUB(MUL(ar[r], wc), MUL(ai[r], ws)));
        si = ADD(si, ADD(MUL(ar[r], ws), MUL(ai[r], wc)));
      }
      yr[base + q * Ns] = sr; yi[base + q * Ns] = si;
    }
  }
}

static void stage(int n, int R, int Ns, const V *xr, const V *xi, V *yr, V *yi, const float *c, const float *s) {
  switch (R) {
    case 2: stage2(n, Ns, xr, xi, yr, yi, c, s); break;
    case 3: stage3(n, Ns, xr, xi, yr, yi, c, s); break;
    case 4: stage4(n, Ns, xr, xi, yr, yi, c, s); break;
    case 5: stage5(n, Ns, xr, xi, yr, yi, c, s); break;
    default: stage_generic(R, n, Ns, xr, xi, yr, yi, c, s); break;
  }
}

/**
 * Forward complex FFT (unnormalised) of four interleaved lines in place: re/im hold n vectors of
 * four lanes. sr/si: scratch of n vectors each. For the inverse, call with re and im swapped.
 */
void cfft4(float *re, float *im, int n, const float *c, const float *s, float *sr, float *si) {
  int f[MAXF];
  const int nf = factorize(n, f);
  if (nf <= 0) return;
  V *xr = (V *)re, *xi = (V *)im, *yr = (V *)sr, *yi = (V *)si;
  int Ns = 1;
  for (int i = 0; i < nf; i++) {
    stage(n, f[i], Ns, xr, xi, yr, yi, c, s);
    Ns *= f[i];
    V *tr = xr, *ti = xi; xr = yr; xi = yi; yr = tr; yi = ti;
  }
  if (xr != (V *)re) for (int k = 0; k < n; k++) { ((V *)re)[k] = xr[k]; ((V *)im)[k] = xi[k]; }
}

/**
 * Complex FFT along a strided axis of `count` columns: element k of column q sits at
 * re[q + k·stride]. Sixteen adjacent columns (one 64-byte cache line) are gathered per sweep
 * into four lane groups, transformed, and scattered back; the tail goes four (or fewer) at a time.
 * buf: 48·n floats of scratch.
 */
void strided(float *re, float *im, int n, int stride, int count, int inverse, const float *c, const float *s, float *buf) {
  float *sr = buf + 32 * n, *si = buf + 36 * n;
  int q = 0;
  for (; q + 16 <= count; q += 16) {
    for (int k = 0; k < n; k++) {
      const float *pr = re + q + k * stride, *pi = im + q + k * stride;
      for (int g = 0; g < 4; g++) {
        ((V *)(buf + 8 * g * n))[k] = wasm_v128_load(pr + 4 * g);
        ((V *)(buf + (8 * g + 4) * n))[k] = wasm_v128_load(pi + 4 * g);
      }
    }
    for (int g = 0; g < 4; g++) {
      float *lr = buf + 8 * g * n, *li = buf + (8 * g + 4) * n;
      if (inverse) cfft4(li, lr, n, c, s, sr, si); else cfft4(lr, li, n, c, s, sr, si);
    }
    for (int k = 0; k < n; k++) {
      float *pr = re + q + k * stride, *pi = im + q + k * stride;
      for (int g = 0; g < 4; g++) {
        wasm_v128_store(pr + 4 * g, ((V *)(buf + 8 * g * n))[k]);
        wasm_v128_store(pi + 4 * g, ((V *)(buf + (8 * g + 4) * n))[k]);
      }
    }
  }
  float *lr = buf, *li = buf + 4 * n;
  V *vr = (V *)lr, *vi = (V *)li;
  for (; q < count; q += 4) {
    const int w = count - q < 4 ? count - q : 4;
    if (w == 4) {
      for (int k = 0; k < n; k++) { vr[k] = wasm_v128_load(re + q + k * stride); vi[k] = wasm_v128_load(im + q + k * stride); }
    } else {
      for (int k = 0; k < n; k++) for (int l = 0; l < 4; l++) {
        lr[4 * k + l] = l < w ? re[q + l + k * stride] : 0.0f;
        li[4 * k + l] = l < w ? im[q + l + k * stride] : 0.0f;
      }
    }
    if (inverse) cfft4(li, lr, n, c, s, sr, si); else cfft4(lr, li, n, c, s, sr, si);
    if (w == 4) {
      for (int k = 0; k < n; k++) { wasm_v128_store(re + q + k * stride, vr[k]); wasm_v128_store(im + q + k * stride, vi[k]); }
    } else {
      for (int k = 0; k < n; k++) for (int l = 0; l < w; l++) { re[q + l + k * stride] = lr[4 * k + l]; im[q + l + k * stride] = li[4 * k + l]; }
    }
  }
}

/**
 * Forward real FFT along x of `rows` contiguous rows of length nx into half-spectrum rows
 * (nxh = nx/2 + 1 bins). Eight rows per round: lane l packs rows 2l (real) and 2l+1 (imaginary)
 * into one complex line, split afterwards with Hermitian symmetry. buf: 16·nx floats.
 */
void rfft_rows(const float *data, int nx, int rows, float *ore, float *oim, int nxh, const float *c, const float *s, float *buf) {
  float *lr = buf, *li = buf + 4 * nx, *sr = buf + 8 * nx, *si = buf + 12 * nx;
  const V half = SPL(0.5f);
  for (int r0 = 0; r0 < rows; r0 += 8) {
    for (int x = 0; x < nx; x++) for (int l = 0; l < 4; l++) {
      const int a = r0 + 2 * l, b = a + 1;
      lr[4 * x + l] = a < rows ? data[a * nx + x] : 0.0f;
      li[4 * x + l] = b < rows ? data[b * nx + x] : 0.0f;
    }
    cfft4(lr, li, nx, c, s, sr, si);
    const V *zr = (const V *)lr, *zi = (const V *)li;
    for (int k = 0; k < nxh; k++) {
      const int j = k == 0 ? 0 : nx - k;
      const V Ar = zr[k], Ai = zi[k], Wr = zr[j], Wi = zi[j];
      const V er = MUL(ADD(Ar, Wr), half), ei = MUL(SUB(Ai, Wi), half);
      const V orr = MUL(ADD(Ai, Wi), half), oi = MUL(SUB(Wr, Ar), half);
      float e_r[4], e_i[4], o_r[4], o_i[4];
      wasm_v128_store(e_r, er); wasm_v128_store(e_i, ei); wasm_v128_store(o_r, orr); wasm_v128_store(o_i, oi);
      for (int l = 0; l < 4; l++) {
        const int a = r0 + 2 * l, b = a + 1;
        if (a < rows) { ore[a * nxh + k] = e_r[l]; oim[a * nxh + k] = e_i[l]; }
        if (b < rows) { ore[b * nxh + k] = o_r[l]; oim[b * nxh + k] = o_i[l]; }
      }
    }
  }
}

/**
 * Inverse of rfft_rows: half-spectrum rows → real rows of length nx, multiplied by `scale`
 * (pass 1/(nx·ny·nz) to normalise a 3D inverse).
 */
void irfft_rows(const float *ire, const float *iim, int nxh, int rows, float *out, int nx, float scale, const float *c, const float *s, float *buf) {
  float *lr = buf, *li = buf + 4 * nx, *sr = buf + 8 * nx, *si = buf + 12 * nx;
  for (int r0 = 0; r0 < rows; r0 += 8) {
    for (int k = 0; k < nx; k++) {
      const int stored = k < nxh, kk = stored ? k : nx - k;
      const float sg = stored ? 1.0f : -1.0f;
      for (int l = 0; l < 4; l++) {
        const int a = r0 + 2 * l, b = a + 1;
        const float ar = a < rows ? ire[a * nxh + kk] : 0.0f, ai = a < rows ? sg * iim[a * nxh + kk] : 0.0f;
        const float br = b < rows ? ire[b * nxh + kk] : 0.0f, bi = b < rows ? sg * iim[b * nxh + kk] : 0.0f;
        lr[4 * k + l] = ar - bi; li[4 * k + l] = ai + br;
      }
    }
    cfft4(li, lr, nx, c, s, sr, si); // inverse
    for (int x = 0; x < nx; x++) for (int l = 0; l < 4; l++) {
      const int a = r0 + 2 * l, b = a + 1;
      if (a < rows) out[a * nx + x] = lr[4 * x + l] * scale;
      if (b < rows) out[b * nx + x] = li[4 * x + l] * scale;
    }
  }
}

// Plane-range entry points: each thread of a workspace runs one range of z planes.

/** rfft_rows on planes z0 ≤ z < z1 of a [·, ny, nx] grid (rows y < sy; rows above are zero in the output). */
void rfft_planes(const float *data, int nx, int ny, int nxh, int z0, int z1, int sy, float *ore, float *oim, const float *c, const float *s, float *buf) {
  for (int z = z0; z < z1; z++) {
    float *pr = ore + z * ny * nxh, *pi = oim + z * ny * nxh;
    rfft_rows(data + z * ny * nx, nx, sy, pr, pi, nxh, c, s, buf);
    for (int i = sy * nxh; i < ny * nxh; i++) { pr[i] = 0.0f; pi[i] = 0.0f; }
  }
}

/** Complex FFT along y of planes z0 ≤ z < z1 of a half spectrum [·, ny, nxh]. */
void strided_planes(float *re, float *im, int ny, int nxh, int z0, int z1, int inverse, const float *c, const float *s, float *buf) {
  for (int z = z0; z < z1; z++) strided(re + z * ny * nxh, im + z * ny * nxh, ny, nxh, nxh, inverse, c, s, buf);
}

/** irfft_rows on planes z0 ≤ z < z1 (rows y < sy). */
void irfft_planes(const float *ire, const float *iim, int nxh, int ny, int z0, int z1, int sy, float *out, int nx, float scale, const float *c, const float *s, float *buf) {
  for (int z = z0; z < z1; z++) irfft_rows(ire + z * ny * nxh, iim + z * ny * nxh, nxh, sy, out + z * ny * nx, nx, scale, c, s, buf);
}

/** a ← a·h (or a·conj(h)) elementwise over n complex values (separate re/im arrays). */
void mul_spectrum(float *ar, float *ai, const float *hr, const float *hi, int n, int conj) {
  const V sg = SPL(conj ? -1.0f : 1.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const V xr = wasm_v128_load(ar + i), xi = wasm_v128_load(ai + i);
    const V yr = wasm_v128_load(hr + i), yi = MUL(sg, wasm_v128_load(hi + i));
    wasm_v128_store(ar + i, SUB(MUL(xr, yr), MUL(xi, yi)));
    wasm_v128_store(ai + i, ADD(MUL(xr, yi), MUL(xi, yr)));
  }
  for (; i < n; i++) {
    const float yr = hr[i], yi = (conj ? -1.0f : 1.0f) * hi[i], xr = ar[i], xi = ai[i];
    ar[i] = xr * yr - xi * yi; ai[i] = xr * yi + xi * yr;
  }
}

// Richardson–Lucy's pointwise steps on the box [mz, my, mx] of a grid with rows of gx and planes
// of gy·gx floats; `image` is the box itself (dense).

/** ratio = image / (blurred + add) inside the box. */
void rl_ratio(float *ratio, const float *blurred, const float *image, int mz, int my, int mx, int gy, int gx, float add) {
  const V va = SPL(add);
  for (int z = 0; z < mz; z++) for (int y = 0; y < my; y++) {
    const int g = (z * gy + y) * gx, b = (z * my + y) * mx;
    int x = 0;
    for (; x + 4 <= mx; x += 4) wasm_v128_store(ratio + g + x, wasm_f32x4_div(wasm_v128_load(image + b + x), ADD(wasm_v128_load(blurred + g + x), va)));
    for (; x < mx; x++) ratio[g + x] = image[b + x] / (blurred[g + x] + add);
  }
}

/** est = max(0, est · corr) inside the box. */
void rl_update(float *est, const float *corr, int mz, int my, int mx, int gy, int gx) {
  const V zero = SPL(0.0f);
  for (int z = 0; z < mz; z++) for (int y = 0; y < my; y++) {
    const int g = (z * gy + y) * gx;
    int x = 0;
    for (; x + 4 <= mx; x += 4) wasm_v128_store(est + g + x, wasm_f32x4_max(zero, MUL(wasm_v128_load(est + g + x), wasm_v128_load(corr + g + x))));
    for (; x < mx; x++) { const float v = est[g + x] * corr[g + x]; est[g + x] = v > 0.0f ? v : 0.0f; }
  }
}
