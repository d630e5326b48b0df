// CycleDecon conv3d kernel, native x86-64 (AVX2 + FMA) build of the WebAssembly kernel's algorithm
// (../wasm/conv.c): the same entry points, memory layout and work split, with 8-lane vectors and
// fused multiply-add. A Node-API addon (no node-gyp, no download): scripts/build-native.sh compiles
// it with gcc into prebuilds/linux-x64/conv.node; native-conv.ts loads it in place where the CPU has
// AVX2 and FMA, else the WebAssembly kernel runs. Threads: the caller passes one argument list per
// part; part 0 runs on the calling thread, the others on pthreads, each writing disjoint outputs,
// so results do not depend on the thread count.
//   xp  [PZ, PY, PX, C]        padded input
//   w   [KZ, KY, KX, C, CO]    filter (tfjs layout); wp = pack_w(w): [CO/8][taps][C][8]
//   out [OZ, OY, OX, CO]       out[o, co] = Σ_tap Σ_c xp[o·s + tap, c] · w[tap, c, co]
#include <immintrin.h>
#include <node_api.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define AVX __attribute__((target("avx2,fma")))
#define INL __attribute__((always_inline)) inline
typedef __m256 V;

typedef struct {
  int PZ, PY, PX, C, KZ, KY, KX, CO, sz, sy, sx, OZ, OY, OX;
} Geo;

/** AVX-512 tiles in use (CPU has AVX-512F and setAvx512 did not turn them off). */
static int use512 = 0;
#define AVX512 __attribute__((target("avx512f,avx2,fma")))
typedef __m512 W16;

/** Output channels go in 16-wide blocks (AVX-512) when there are a multiple of 16 of them. */
static inline int wide16(int CO) { return use512 && CO % 16 == 0; }

/** Packs the filter's output channels in blocks of 8 (or 16, see wide16): [CO/B][taps][C][B]. */
static void pack_w(const float *w, float *wp, int taps, int C, int CO) {
  const int B = wide16(CO) ? 16 : 8;
  for (int cb = 0; cb < CO / B; cb++) for (int t = 0; t < taps; t++) for (int c = 0; c < C; c++) for (int j = 0; j < B; j++) {
    wp[((cb * taps + t) * C + c) * B + j] = w[(t * C + c) * CO + cb * B + j];
  }
}

#define TAP_PTR(g, oz, oy, ox, t, C) \
  (xp + ((((oz) * (g)->sz + (t) / ((g)->KY * (g)->KX)) * (g)->PY + (oy) * (g)->sy + ((t) / (g)->KX) % (g)->KY) * (g)->PX + (ox) * (g)->sx + (t) % (g)->KX) * (C))

/** NV adjacent output voxels × NB blocks of 8 output channels (co.. co + 8·NB), summed over taps and input channels. */
AVX static INL void fwd_tile(const Geo *g, const float *xp, const float *wp, float *out, int co, int oz, int oy, int ox, const int NV, const int NB) {
  const int C = g->C, CO = g->CO, taps = g->KZ * g->KY * g->KX, vstep = g->sx * C, blk = taps * C * 8;
  V a[12][2];
#pragma GCC unroll 12
  for (int v = 0; v < NV; v++)
#pragma GCC unroll 2
    for (int b = 0; b < NB; b++) a[v][b] = _mm256_setzero_ps();
  for (int t = 0; t < taps; t++) {
    const float *x0 = TAP_PTR(g, oz, oy, ox, t, C);
    const float *wt = wp + ((co >> 3) * taps + t) * C * 8;
    for (int c = 0; c < C; c++) {
      V w[2];
#pragma GCC unroll 2
      for (int b = 0; b < NB; b++) w[b] = _mm256_loadu_ps(wt + b * blk + c * 8);
#pragma GCC unroll 12
      for (int v = 0; v < NV; v++) {
        const V x = _mm256_broadcast_ss(x0 + v * vstep + c);
#pragma GCC unroll 2
        for (int b = 0; b < NB; b++) a[v][b] = _mm256_fmadd_ps(x, w[b], a[v][b]);
      }
    }
  }
  float *o = out + ((oz * g->OY + oy) * g->OX + ox) * CO + co;
#pragma GCC unroll 12
  for (int v = 0; v < NV; v++)
#pragma GCC unroll 2
    for (int b = 0; b < NB; b++) _mm256_storeu_ps(o + v * CO + b * 8, a[v][b]);
}

AVX static void fwd_6x2(const Geo *g, const float *xp, const float *wp, float *out, int co, int oz, int oy, int ox) { fwd_tile(g, xp, wp, out, co, oz, oy, ox, 6, 2); }
AVX static void fwd_1x2(const Geo *g, const float *xp, const float *wp, float *out, int co, int oz, int oy, int ox) { fwd_tile(g, xp, wp, out, co, oz, oy, ox, 1, 2); }
AVX static void fwd_12x1(const Geo *g, const float *xp, const float *wp, float *out, int co, int oz, int oy, int ox) { fwd_tile(g, xp, wp, out, co, oz, oy, ox, 12, 1); }
AVX static void fwd_4x1(const Geo *g, const float *xp, const float *wp, float *out, int co, int oz, int oy, int ox) { fwd_tile(g, xp, wp, out, co, oz, oy, ox, 4, 1); }
AVX static void fwd_1x1(const Geo *g, const float *xp, const float *wp, float *out, int co, int oz, int oy, int ox) { fwd_tile(g, xp, wp, out, co, oz, oy, ox, 1, 1); }

#include "avx512.inc"

AVX static float hsum128(__m128 v) {
  v = _mm_add_ps(v, _mm_movehl_ps(v, v));
  v = _mm_add_ss(v, _mm_shuffle_ps(v, v, 1));
  return _mm_cvtss_f32(v);
}

/** Output planes z0 ≤ oz < z1 of the forward convolution. */
AVX static void conv_fwd(const float *xp, const float *w, const float *wp, float *out, const Geo *gp, int z0, int z1) {
  const Geo g = *gp;
  const int C = g.C, CO = g.CO, taps = g.KZ * g.KY * g.KX, vstep = g.sx * C;
  const int co8 = CO - CO % 8;
  if (C == 1 && CO == 1 && g.sx == 1) {
    // Single channel (the PSF layer): 32 adjacent output voxels per step, one weight broadcast per tap.
    for (int oz = z0; oz < z1; oz++) for (int oy = 0; oy < g.OY; oy++) {
      float *orow = out + (oz * g.OY + oy) * g.OX;
      int ox = 0;
      for (; ox + 32 <= g.OX; ox += 32) {
        V a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        for (int kz = 0; kz < g.KZ; kz++) for (int ky = 0; ky < g.KY; ky++) {
          const float *x0 = xp + ((oz * g.sz + kz) * g.PY + oy * g.sy + ky) * g.PX + ox;
          const float *wr = w + (kz * g.KY + ky) * g.KX;
          for (int kx = 0; kx < g.KX; kx++) {
            const V b = _mm256_broadcast_ss(wr + kx);
            a0 = _mm256_fmadd_ps(b, _mm256_loadu_ps(x0 + kx), a0); a1 = _mm256_fmadd_ps(b, _mm256_loadu_ps(x0 + kx + 8), a1);
            a2 = _mm256_fmadd_ps(b, _mm256_loadu_ps(x0 + kx + 16), a2); a3 = _mm256_fmadd_ps(b, _mm256_loadu_ps(x0 + kx + 24), a3);
          }
        }
        _mm256_storeu_ps(orow + ox, a0); _mm256_storeu_ps(orow + ox + 8, a1);
        _mm256_storeu_ps(orow + ox + 16, a2); _mm256_storeu_ps(orow + ox + 24, a3);
      }
      // Then 8 at a time; a last partial group is recomputed as the 8 voxels ending at the row's end
      // (each lane sums its taps in the same order, so the overlapping voxels get identical values).
      while (ox < g.OX && g.OX >= 8) {
        if (ox + 8 > g.OX) ox = g.OX - 8;
        V a0 = _mm256_setzero_ps();
        for (int kz = 0; kz < g.KZ; kz++) for (int ky = 0; ky < g.KY; ky++) {
          const float *x0 = xp + ((oz * g.sz + kz) * g.PY + oy * g.sy + ky) * g.PX + ox;
          const float *wr = w + (kz * g.KY + ky) * g.KX;
          for (int kx = 0; kx < g.KX; kx++) a0 = _mm256_fmadd_ps(_mm256_broadcast_ss(wr + kx), _mm256_loadu_ps(x0 + kx), a0);
        }
        _mm256_storeu_ps(orow + ox, a0);
        ox += 8;
      }
      for (; ox < g.OX; ox++) {
        float a = 0;
        for (int t = 0; t < taps; t++) {
          const int kz = t / (g.KY * g.KX), ky = (t / g.KX) % g.KY, kx = t % g.KX;
          a += xp[((oz * g.sz + kz) * g.PY + oy * g.sy + ky) * g.PX + ox + kx] * w[t];
        }
        orow[ox] = a;
      }
    }
    return;
  }
  if (CO == 1 && C % 4 == 0) {
    // One output channel: vectors over input channels, summed across lanes at the end.
    for (int oz = z0; oz < z1; oz++) for (int oy = 0; oy < g.OY; oy++) {
      float *orow = out + (oz * g.OY + oy) * g.OX;
      for (int ox = 0; ox < g.OX; ox++) {
        __m128 a = _mm_setzero_ps();
        for (int t = 0; t < taps; t++) {
          const float *x0 = TAP_PTR(&g, oz, oy, ox, t, C);
          const float *wt = w + t * C;
          for (int c = 0; c < C; c += 4) a = _mm_fmadd_ps(_mm_loadu_ps(x0 + c), _mm_loadu_ps(wt + c), a);
        }
        orow[ox] = hsum128(a);
      }
    }
    return;
  }
  if (wide16(CO)) {
    conv_fwd16(&g, xp, wp, out, z0, z1);
    return;
  }
  for (int co = 0; co < CO;) {
    const int nb = co + 16 <= co8 ? 2 : co < co8 ? 1 : 0;
    for (int oz = z0; oz < z1; oz++) for (int oy = 0; oy < g.OY; oy++) {
      int ox = 0;
      if (nb == 2) {
        for (; ox + 6 <= g.OX; ox += 6) fwd_6x2(&g, xp, wp, out, co, oz, oy, ox);
        for (; ox < g.OX; ox++) fwd_1x2(&g, xp, wp, out, co, oz, oy, ox);
      } else if (nb == 1) {
        for (; ox + 12 <= g.OX; ox += 12) fwd_12x1(&g, xp, wp, out, co, oz, oy, ox);
        for (; ox + 4 <= g.OX; ox += 4) fwd_4x1(&g, xp, wp, out, co, oz, oy, ox);
        for (; ox < g.OX; ox++) fwd_1x1(&g, xp, wp, out, co, oz, oy, ox);
      } else {
        float *orow = out + ((oz * g.OY + oy) * g.OX) * CO + co;
        for (; ox < g.OX; ox++) {
          float a = 0;
          for (int t = 0; t < taps; t++) {
            const float *x0 = TAP_PTR(&g, oz, oy, ox, t, C);
            const float *wt = w + t * C * CO + co;
            for (int c = 0; c < C; c++) a += x0[c] * wt[c * CO];
          }
          orow[ox * CO] = a;
        }
      }
    }
    co += nb ? 8 * nb : 1;
  }
  (void)vstep;
}

/** NC input channels × NB blocks of 8 output channels of the filter gradient, accumulated over one output row. */
AVX static INL void dw_tile(const Geo *g, const float *xrow, const float *d0, float *dwt, int c, int co, const int NC, const int NB) {
  const int CO = g->CO, xs = g->sx * g->C;
  V a[12][2];
#pragma GCC unroll 12
  for (int i = 0; i < NC; i++)
#pragma GCC unroll 2
    for (int b = 0; b < NB; b++) a[i][b] = _mm256_setzero_ps();
  const float *xv = xrow + c, *dv = d0 + co;
  for (int ox = 0; ox < g->OX; ox++, xv += xs, dv += CO) {
    V d[2];
#pragma GCC unroll 2
    for (int b = 0; b < NB; b++) d[b] = _mm256_loadu_ps(dv + 8 * b);
#pragma GCC unroll 12
    for (int i = 0; i < NC; i++) {
      const V x = _mm256_broadcast_ss(xv + i);
#pragma GCC unroll 2
      for (int b = 0; b < NB; b++) a[i][b] = _mm256_fmadd_ps(x, d[b], a[i][b]);
    }
  }
#pragma GCC unroll 12
  for (int i = 0; i < NC; i++)
#pragma GCC unroll 2
    for (int b = 0; b < NB; b++) {
      float *o = dwt + (c + i) * CO + co + 8 * b;
      _mm256_storeu_ps(o, _mm256_add_ps(_mm256_loadu_ps(o), a[i][b]));
    }
}

#define DW(NC, NB) AVX static void dw_##NC##x##NB(const Geo *g, const float *x, const float *d, float *dw, int c, int co) { dw_tile(g, x, d, dw, c, co, NC, NB); }
DW(6, 2) DW(4, 2) DW(1, 2) DW(12, 1) DW(4, 1) DW(1, 1)

/** Filter gradient for taps t0 ≤ t < t1 (overwrites those taps of dw), row by row. */
AVX static void conv_dw(const float *xp, const float *dy, float *dw, const Geo *gp, int t0, int t1) {
  const Geo g = *gp;
  const int C = g.C, CO = g.CO, co8 = CO - CO % 8, xs = g.sx * C;
  memset(dw + (size_t)t0 * C * CO, 0, sizeof(float) * (size_t)(t1 - t0) * C * CO);
  for (int oz = 0; oz < g.OZ; oz++) for (int oy = 0; oy < g.OY; oy++) {
    const float *d0 = dy + ((oz * g.OY + oy) * g.OX) * CO;
    for (int t = t0; t < t1; t++) {
      const float *xrow = TAP_PTR(&g, oz, oy, 0, t, C);
      float *dwt = dw + t * C * CO;
      if (C == 1 && CO == 1) {
        V acc = _mm256_setzero_ps();
        int ox = 0;
        if (g.sx == 1) for (; ox + 8 <= g.OX; ox += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(xrow + ox), _mm256_loadu_ps(d0 + ox), acc);
        float a = hsum128(_mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1)));
        for (; ox < g.OX; ox++) a += xrow[ox * g.sx] * d0[ox];
        dwt[0] += a;
        continue;
      }
      if (wide16(CO)) {
        dw16_row(&g, xrow, d0, dwt);
        continue;
      }
      for (int co = 0; co < CO;) {
        const int nb = co + 16 <= co8 ? 2 : co < co8 ? 1 : 0;
        int c = 0;
        if (nb == 2) {
          for (; c + 6 <= C; c += 6) dw_6x2(&g, xrow, d0, dwt, c, co);
          for (; c + 4 <= C; c += 4) dw_4x2(&g, xrow, d0, dwt, c, co);
          for (; c < C; c++) dw_1x2(&g, xrow, d0, dwt, c, co);
        } else if (nb == 1) {
          for (; c + 12 <= C; c += 12) dw_12x1(&g, xrow, d0, dwt, c, co);
          for (; c + 4 <= C; c += 4) dw_4x1(&g, xrow, d0, dwt, c, co);
          for (; c < C; c++) dw_1x1(&g, xrow, d0, dwt, c, co);
        } else {
          for (; c < C; c++) {
            float a = 0;
            for (int ox = 0; ox < g.OX; ox++) a += xrow[ox * xs + c] * d0[ox * CO + co];
            dwt[c * CO + co] += a;
          }
        }
        co += nb ? 8 * nb : 1;
      }
    }
  }
}

/**
 * Input gradient (transposed convolution, strided case) for input planes z0 ≤ iz < z1; arguments as
 * in the WebAssembly kernel: dyp is dy zero-padded by lo (gi[14..16]) to gi[17..19], wt is the filter
 * as [t, co, c], dx is [IZ, IY, IX, C] (gi[20..22]), gi[23..25] padBefore. Tiles: 4 voxels × 8 channels.
 */
AVX static void conv_dx(const float *dyp, const float *wt, float *dx, const int *gi, int z0, int z1) {
  const Geo g = *(const Geo *)gi;
  const int loz = gi[14], loy = gi[15], lox = gi[16], QY = gi[18], QX = gi[19];
  const int IY = gi[21], IX = gi[22], pbz = gi[23], pby = gi[24], pbx = gi[25];
  const int C = g.C, CO = g.CO, c8 = C - C % 8;
  for (int iz = z0; iz < z1; iz++) for (int iy = 0; iy < IY; iy++) {
    const int pz = iz + pbz, py = iy + pby;
    float *drow = dx + ((iz * IY + iy) * IX) * C;
    for (int r = 0; r < g.sx; r++) {
      int ix0 = ((r - pbx) % g.sx + g.sx) % g.sx;
      for (int c = 0; c < C; c += (c < c8 ? 8 : 1)) {
        const int wide = c < c8;
        for (int ix = ix0; ix < IX; ix += (wide && ix + 3 * g.sx < IX ? 4 : 1) * g.sx) {
          const int four = wide && ix + 3 * g.sx < IX;
          const int px = ix + pbx;
          V a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
          float sc = 0;
          for (int kz = (pz % g.sz); kz < g.KZ; kz += g.sz) {
            const int oz = (pz - kz) / g.sz + loz;
            for (int ky = (py % g.sy); ky < g.KY; ky += g.sy) {
              const int oy = (py - ky) / g.sy + loy;
              for (int kx = (px % g.sx); kx < g.KX; kx += g.sx) {
                const int ox = (px - kx) / g.sx + lox;
                const float *d = dyp + ((oz * QY + oy) * QX + ox) * CO;
                const float *w = wt + ((kz * g.KY + ky) * g.KX + kx) * CO * C + c;
                if (four) {
                  for (int co = 0; co < CO; co++) {
                    const V wv = _mm256_loadu_ps(w + co * C);
                    a0 = _mm256_fmadd_ps(_mm256_broadcast_ss(d + co), wv, a0);
                    a1 = _mm256_fmadd_ps(_mm256_broadcast_ss(d + CO + co), wv, a1);
                    a2 = _mm256_fmadd_ps(_mm256_broadcast_ss(d + 2 * CO + co), wv, a2);
                    a3 = _mm256_fmadd_ps(_mm256_broadcast_ss(d + 3 * CO + co), wv, a3);
                  }
                } else if (wide) {
                  for (int co = 0; co < CO; co++) a0 = _mm256_fmadd_ps(_mm256_broadcast_ss(d + co), _mm256_loadu_ps(w + co * C), a0);
                } else {
                  for (int co = 0; co < CO; co++) sc += d[co] * w[co * C];
                }
              }
            }
          }
          float *o = drow + ix * C + c;
          if (four) {
            const int st = g.sx * C;
            _mm256_storeu_ps(o, a0); _mm256_storeu_ps(o + st, a1);
            _mm256_storeu_ps(o + 2 * st, a2); _mm256_storeu_ps(o + 3 * st, a3);
          } else if (wide) {
            _mm256_storeu_ps(o, a0);
          } else {
            o[0] = sc;
          }
        }
      }
    }
  }
}

// ---- Node-API glue: run(op, memory, args) ------------------------------------------------------
// args (Float64Array): `parts` lists of ARGC[op] numbers; pointers are byte offsets into memory.

enum { OP_FWD = 0, OP_DW = 1, OP_DX = 2, OP_PACK = 3 };
static const int ARGC[4] = {7, 6, 6, 5};

typedef struct {
  int op;
  char *base;
  const double *a;
} Job;

static void *run_job(void *p) {
  const Job *j = (const Job *)p;
  const double *a = j->a;
  char *m = j->base;
#define P(i) ((float *)(m + (size_t)a[i]))
  switch (j->op) {
    case OP_FWD: conv_fwd(P(0), P(1), P(2), P(3), (const Geo *)(m + (size_t)a[4]), (int)a[5], (int)a[6]); break;
    case OP_DW: conv_dw(P(0), P(1), P(2), (const Geo *)(m + (size_t)a[3]), (int)a[4], (int)a[5]); break;
    case OP_DX: conv_dx(P(0), P(1), P(2), (const int *)(m + (size_t)a[3]), (int)a[4], (int)a[5]); break;
    case OP_PACK: pack_w(P(0), P(1), (int)a[2], (int)a[3], (int)a[4]); break;
  }
#undef P
  return NULL;
}

static napi_value fail(napi_env env, const char *msg) {
  napi_throw_error(env, "CYCLEDECON_NATIVE", msg);
  return NULL;
}

static napi_value Run(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) return fail(env, "run(op, memory, args) needs 3 arguments");
  int32_t op;
  if (napi_get_value_int32(env, argv[0], &op) != napi_ok || op < 0 || op > 3) return fail(env, "unknown op");
  void *base;
  size_t len;
  if (napi_get_arraybuffer_info(env, argv[1], &base, &len) != napi_ok) return fail(env, "memory must be an ArrayBuffer");
  napi_typedarray_type type;
  size_t n;
  void *data;
  if (napi_get_typedarray_info(env, argv[2], &type, &n, &data, NULL, NULL) != napi_ok || type != napi_float64_array) return fail(env, "args must be a Float64Array");
  const int k = ARGC[op];
  if (n == 0 || n % k) return fail(env, "args length is not a multiple of the op's argument count");
  const double *a = (const double *)data;
  // Pointer arguments must lie inside the memory (the kernel trusts the geometry beyond that).
  const int nptr = op == OP_FWD ? 5 : op == OP_PACK ? 2 : 4;
  for (size_t p = 0; p < n / k; p++) for (int i = 0; i < nptr; i++) {
    const double v = a[p * k + i];
    if (!(v >= 0 && v < (double)len) || (uint64_t)v % 4) return fail(env, "pointer argument outside the memory");
  }
  const size_t parts = n / k;
  Job jobs[64];
  pthread_t th[64];
  int started[64] = {0};
  if (parts > 64) return fail(env, "at most 64 parts");
  for (size_t p = 0; p < parts; p++) jobs[p] = (Job){op, (char *)base, a + p * k};
  for (size_t p = 1; p < parts; p++) started[p] = pthread_create(&th[p], NULL, run_job, &jobs[p]) == 0;
  run_job(&jobs[0]);
  for (size_t p = 1; p < parts; p++) {
    if (started[p]) pthread_join(th[p], NULL);
    else run_job(&jobs[p]);
  }
  return NULL;
}

#include "ew.inc"

/** setAvx512(on): uses the AVX-512 tiles when on and the CPU has them; returns whether they are in use. */
static napi_value SetAvx512(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  bool on = false;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc >= 1) napi_get_value_bool(env, argv[0], &on);
  __builtin_cpu_init();
  use512 = on && __builtin_cpu_supports("avx512f");
  napi_value r;
  napi_get_boolean(env, use512, &r);
  return r;
}

static napi_value Supported(napi_env env, napi_callback_info info) {
  (void)info;
  __builtin_cpu_init();
  napi_value r;
  napi_get_boolean(env, __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"), &r);
  return r;
}

NAPI_MODULE_INIT() {
  napi_value f;
  napi_create_function(env, "run", NAPI_AUTO_LENGTH, Run, NULL, &f);
  napi_set_named_property(env, exports, "run", f);
  napi_create_function(env, "setAvx512", NAPI_AUTO_LENGTH, SetAvx512, NULL, &f);
  napi_set_named_property(env, exports, "setAvx512", f);
  napi_create_function(env, "ew", NAPI_AUTO_LENGTH, Ew, NULL, &f);
  napi_set_named_property(env, exports, "ew", f);
  napi_create_function(env, "supported", NAPI_AUTO_LENGTH, Supported, NULL, &f);
  napi_set_named_property(env, exports, "supported", f);
  return exports;
}
