// CycleDecon conv3d kernel: direct 3D convolution (cross-correlation, channels last) and its filter
// gradient in WebAssembly SIMD, register-tiled 4 output voxels × 8 output channels (two f32x4
// accumulators per voxel). The input is already zero-padded by the caller, so every tap is in
// bounds; strides are free. Compiled by scripts/build-wasm.sh, driven from wasm-conv.ts.
//   xp  [PZ, PY, PX, C]        padded input
//   w   [KZ, KY, KX, C, CO]    filter (tfjs layout)
//   out [OZ, OY, OX, CO]       output; out[o, co] = Σ_tap Σ_c xp[o·s + tap, c] · w[tap, c, co]
#include <wasm_simd128.h>

typedef v128_t V;
#define ADD wasm_f32x4_add
#define MUL wasm_f32x4_mul
#define SPL wasm_f32x4_splat
#define LD wasm_v128_load
#define ST wasm_v128_store

typedef struct {
  int PZ, PY, PX, C, KZ, KY, KX, CO, sz, sy, sx, OZ, OY, OX;
} Geo;

/**
 * Packs the filter's output channels in blocks of 8, [CO/8][taps][C][8], so the forward pass reads
 * each block's weights as one contiguous stream instead of 32 bytes every CO floats.
 */
void pack_w(const float *w, float *wp, int taps, int C, int CO) {
  for (int cb = 0; cb < CO / 8; cb++) for (int t = 0; t < taps; t++) for (int c = 0; c < C; c++) for (int j = 0; j < 8; j++) {
    wp[((cb * taps + t) * C + c) * 8 + j] = w[(t * C + c) * CO + cb * 8 + j];
  }
}

/** Output planes z0 ≤ oz < z1 of the forward convolution. g: 14 ints (Geo); wp: pack_w(w). */
void conv_fwd(const float *xp, const float *w, const float *wp, float *out, const int *gi, int z0, int z1) {
  const Geo g = *(const Geo *)gi;
  const int C = g.C, CO = g.CO, taps = g.KZ * g.KY * g.KX, vstep = g.sx * C;
  const int co8 = CO - CO % 8;
  if (C == 1 && CO == 1 && g.sx == 1) {
    // Single channel (the PSF layer): sixteen adjacent output voxels per step, one weight splat per tap.
    for (int oz = z0; oz < z1; oz++) for (int oy = 0; oy < g.OY; oy++) {
      float *orow = out + (oz * g.OY + oy) * g.OX;
      int ox = 0;
      for (; ox + 16 <= g.OX; ox += 16) {
        V a0 = SPL(0), a1 = SPL(0), a2 = SPL(0), a3 = SPL(0);
        for (int kz = 0; kz < g.KZ; kz++) for (int ky = 0; ky < g.KY; ky++) {
          const float *x0 = xp + ((oz * g.sz + kz) * g.PY + oy * g.sy + ky) * g.PX + ox;
          const float *wr = w + (kz * g.KY + ky) * g.KX;
          for (int kx = 0; kx < g.KX; kx++) {
            const V b = SPL(wr[kx]);
            a0 = ADD(a0, MUL(b, LD(x0 + kx))); a1 = ADD(a1, MUL(b, LD(x0 + kx + 4)));
            a2 = ADD(a2, MUL(b, LD(x0 + kx + 8))); a3 = ADD(a3, MUL(b, LD(x0 + kx + 12)));
          }
        }
        ST(orow + ox, a0); ST(orow + ox + 4, a1); ST(orow + ox + 8, a2); ST(orow + ox + 12, a3);
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
    // One output channel (U-Net output layer, discriminator heads, input gradients of 1-channel
    // layers): vectors run over input channels, four voxels at a time, summed across lanes at the end.
    for (int oz = z0; oz < z1; oz++) for (int oy = 0; oy < g.OY; oy++) {
      float *orow = out + (oz * g.OY + oy) * g.OX;
      for (int ox = 0; ox < g.OX; ox += 4) {
        const int nv = g.OX - ox < 4 ? g.OX - ox : 4;
        V a[4] = {SPL(0), SPL(0), SPL(0), SPL(0)};
        for (int t = 0; t < taps; t++) {
          const int kz = t / (g.KY * g.KX), ky = (t / g.KX) % g.KY, kx = t % g.KX;
          const float *x0 = xp + (((oz * g.sz + kz) * g.PY + oy * g.sy + ky) * g.PX + ox * g.sx + kx) * C;
          const float *wt = w + t * C;
          if (nv == 4) {
            for (int c = 0; c < C; c += 4) {
              const V wv = LD(wt + c);
              a[0] = ADD(a[0], MUL(LD(x0 + c), wv)); a[1] = ADD(a[1], MUL(LD(x0 + vstep + c), wv));
              a[2] = ADD(a[2], MUL(LD(x0 + 2 * vstep + c), wv)); a[3] = ADD(a[3], MUL(LD(x0 + 3 * vstep + c), wv));
            }
          } else {
            for (int v = 0; v < nv; v++) for (int c = 0; c < C; c += 4) a[v] = ADD(a[v], MUL(LD(x0 + v * vstep + c), LD(wt + c)));
          }
        }
        for (int v = 0; v < nv; v++) {
          orow[ox + v] = wasm_f32x4_extract_lane(a[v], 0) + wasm_f32x4_extract_lane(a[v], 1) + wasm_f32x4_extract_lane(a[v], 2) + wasm_f32x4_extract_lane(a[v], 3);
        }
      }
    }
    return;
  }
  for (int co = 0; co < CO; co += (co < co8 ? 8 : 1)) {
    const int wide = co < co8;
    for (int oz = z0; oz < z1; oz++) for (int oy = 0; oy < g.OY; oy++) {
      float *orow = out + ((oz * g.OY + oy) * g.OX) * CO + co;
      int ox = 0;
      if (wide) {
        for (; ox + 6 <= g.OX; ox += 6) {
          V a00 = SPL(0), a01 = SPL(0), a10 = SPL(0), a11 = SPL(0), a20 = SPL(0), a21 = SPL(0), a30 = SPL(0), a31 = SPL(0);
          V a40 = SPL(0), a41 = SPL(0), a50 = SPL(0), a51 = SPL(0);
          for (int t = 0; t < taps; t++) {
            const int kz = t / (g.KY * g.KX), ky = (t / g.KX) % g.KY, kx = t % g.KX;
            const float *x0 = xp + (((oz * g.sz + kz) * g.PY + oy * g.sy + ky) * g.PX + ox * g.sx + kx) * C;
            const float *wt = wp + ((co >> 3) * taps + t) * C * 8;
            for (int c = 0; c < C; c++) {
              const V w0 = LD(wt + c * 8), w1 = LD(wt + c * 8 + 4);
              V b = SPL(x0[c]);
              a00 = ADD(a00, MUL(b, w0)); a01 = ADD(a01, MUL(b, w1));
              b = SPL(x0[vstep + c]);
              a10 = ADD(a10, MUL(b, w0)); a11 = ADD(a11, MUL(b, w1));
              b = SPL(x0[2 * vstep + c]);
              a20 = ADD(a20, MUL(b, w0)); a21 = ADD(a21, MUL(b, w1));
              b = SPL(x0[3 * vstep + c]);
              a30 = ADD(a30, MUL(b, w0)); a31 = ADD(a31, MUL(b, w1));
              b = SPL(x0[4 * vstep + c]);
              a40 = ADD(a40, MUL(b, w0)); a41 = ADD(a41, MUL(b, w1));
              b = SPL(x0[5 * vstep + c]);
              a50 = ADD(a50, MUL(b, w0)); a51 = ADD(a51, MUL(b, w1));
            }
          }
          float *o = orow + ox * CO;
          ST(o, a00); ST(o + 4, a01); o += CO;
          ST(o, a10); ST(o + 4, a11); o += CO;
          ST(o, a20); ST(o + 4, a21); o += CO;
          ST(o, a30); ST(o + 4, a31); o += CO;
          ST(o, a40); ST(o + 4, a41); o += CO;
          ST(o, a50); ST(o + 4, a51);
        }
        for (; ox + 4 <= g.OX; ox += 4) {
          V a00 = SPL(0), a01 = SPL(0), a10 = SPL(0), a11 = SPL(0), a20 = SPL(0), a21 = SPL(0), a30 = SPL(0), a31 = SPL(0);
          for (int t = 0; t < taps; t++) {
            const int kz = t / (g.KY * g.KX), ky = (t / g.KX) % g.KY, kx = t % g.KX;
            const float *x0 = xp + (((oz * g.sz + kz) * g.PY + oy * g.sy + ky) * g.PX + ox * g.sx + kx) * C;
            const float *wt = wp + ((co >> 3) * taps + t) * C * 8;
            for (int c = 0; c < C; c++) {
              const V w0 = LD(wt + c * 8), w1 = LD(wt + c * 8 + 4);
              V b = SPL(x0[c]);
              a00 = ADD(a00, MUL(b, w0)); a01 = ADD(a01, MUL(b, w1));
              b = SPL(x0[vstep + c]);
              a10 = ADD(a10, MUL(b, w0)); a11 = ADD(a11, MUL(b, w1));
              b = SPL(x0[2 * vstep + c]);
              a20 = ADD(a20, MUL(b, w0)); a21 = ADD(a21, MUL(b, w1));
              b = SPL(x0[3 * vstep + c]);
              a30 = ADD(a30, MUL(b, w0)); a31 = ADD(a31, MUL(b, w1));
            }
          }
          float *o = orow + ox * CO;
          ST(o, a00); ST(o + 4, a01); o += CO;
          ST(o, a10); ST(o + 4, a11); o += CO;
          ST(o, a20); ST(o + 4, a21); o += CO;
          ST(o, a30); ST(o + 4, a31);
        }
        for (; ox < g.OX; ox++) {
          V a0 = SPL(0), a1 = SPL(0);
          for (int t = 0; t < taps; t++) {
            const int kz = t / (g.KY * g.KX), ky = (t / g.KX) % g.KY, kx = t % g.KX;
            const float *x0 = xp + (((oz * g.sz + kz) * g.PY + oy * g.sy + ky) * g.PX + ox * g.sx + kx) * C;
            const float *wt = wp + ((co >> 3) * taps + t) * C * 8;
            for (int c = 0; c < C; c++) {
              const V b = SPL(x0[c]);
              a0 = ADD(a0, MUL(b, LD(wt + c * 8))); a1 = ADD(a1, MUL(b, LD(wt + c * 8 + 4)));
            }
          }
          ST(orow + ox * CO, a0); ST(orow + ox * CO + 4, a1);
        }
      } else {
        for (; ox < g.OX; ox++) {
          float a = 0;
          for (int t = 0; t < taps; t++) {
            const int kz = t / (g.KY * g.KX), ky = (t / g.KX) % g.KY, kx = t % g.KX;
            const float *x0 = xp + (((oz * g.sz + kz) * g.PY + oy * g.sy + ky) * g.PX + ox * g.sx + kx) * C;
            const float *wt = w + t * C * CO + co;
            for (int c = 0; c < C; c++) a += x0[c] * wt[c * CO];
          }
          orow[ox * CO] = a;
        }
      }
    }
  }
}

/**
 * Filter gradient for taps t0 ≤ t < t1: dw[t, c, co] = Σ_o xp[o·s + tap(t), c] · dy[o, co]
 * (overwrites those taps of dw). Row by row (one output row of x voxels at a time, which stays in
 * cache), tiles of 6 (or 4, or 1) input channels × 8 output channels accumulated over the row, then added into dw.
 */
void conv_dw(const float *xp, const float *dy, float *dw, const int *gi, int t0, int t1) {
  const Geo g = *(const Geo *)gi;
  const int C = g.C, CO = g.CO, co8 = CO - CO % 8, xs = g.sx * C;
  for (int t = t0; t < t1; t++) for (int i = 0; i < C * CO; i++) dw[t * C * CO + i] = 0.0f;
  for (int oz = 0; oz < g.OZ; oz++) for (int oy = 0; oy < g.OY; oy++) {
    const float *d0 = dy + ((oz * g.OY + oy) * g.OX) * CO;
    for (int t = t0; t < t1; t++) {
      const int kz = t / (g.KY * g.KX), ky = (t / g.KX) % g.KY, kx = t % g.KX;
      const float *xrow = xp + (((oz * g.sz + kz) * g.PY + oy * g.sy + ky) * g.PX + kx) * C;
      float *dwt = dw + t * C * CO;
      if (C == 1 && CO == 1) {
        // Single channel (the PSF layer): a dot product along the row, four voxels per vector when contiguous.
        V acc = SPL(0);
        int ox = 0;
        if (g.sx == 1) for (; ox + 4 <= g.OX; ox += 4) acc = ADD(acc, MUL(LD(xrow + ox), LD(d0 + ox)));
        float a = wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1) + wasm_f32x4_extract_lane(acc, 2) + wasm_f32x4_extract_lane(acc, 3);
        for (; ox < g.OX; ox++) a += xrow[ox * g.sx] * d0[ox];
        dwt[0] += a;
        continue;
      }
      for (int c = 0; c < C;) {
        const int nc = C - c >= 6 ? 6 : C - c >= 4 ? 4 : 1;
        for (int co = 0; co < CO; co += (co < co8 ? 8 : 1)) {
          if (co < co8) {
            V a00 = SPL(0), a01 = SPL(0), a10 = SPL(0), a11 = SPL(0), a20 = SPL(0), a21 = SPL(0), a30 = SPL(0), a31 = SPL(0);
            V a40 = SPL(0), a41 = SPL(0), a50 = SPL(0), a51 = SPL(0);
            const float *xv = xrow + c, *dv = d0 + co;
            if (nc == 6) {
              for (int ox = 0; ox < g.OX; ox++, xv += xs, dv += CO) {
                const V d = LD(dv), e = LD(dv + 4);
                V b = SPL(xv[0]); a00 = ADD(a00, MUL(b, d)); a01 = ADD(a01, MUL(b, e));
                b = SPL(xv[1]); a10 = ADD(a10, MUL(b, d)); a11 = ADD(a11, MUL(b, e));
                b = SPL(xv[2]); a20 = ADD(a20, MUL(b, d)); a21 = ADD(a21, MUL(b, e));
                b = SPL(xv[3]); a30 = ADD(a30, MUL(b, d)); a31 = ADD(a31, MUL(b, e));
                b = SPL(xv[4]); a40 = ADD(a40, MUL(b, d)); a41 = ADD(a41, MUL(b, e));
                b = SPL(xv[5]); a50 = ADD(a50, MUL(b, d)); a51 = ADD(a51, MUL(b, e));
              }
            } else if (nc == 4) {
              for (int ox = 0; ox < g.OX; ox++, xv += xs, dv += CO) {
                const V d = LD(dv), e = LD(dv + 4);
                V b = SPL(xv[0]); a00 = ADD(a00, MUL(b, d)); a01 = ADD(a01, MUL(b, e));
                b = SPL(xv[1]); a10 = ADD(a10, MUL(b, d)); a11 = ADD(a11, MUL(b, e));
                b = SPL(xv[2]); a20 = ADD(a20, MUL(b, d)); a21 = ADD(a21, MUL(b, e));
                b = SPL(xv[3]); a30 = ADD(a30, MUL(b, d)); a31 = ADD(a31, MUL(b, e));
              }
            } else {
              for (int ox = 0; ox < g.OX; ox++, xv += xs, dv += CO) {
                const V b = SPL(xv[0]);
                a00 = ADD(a00, MUL(b, LD(dv))); a01 = ADD(a01, MUL(b, LD(dv + 4)));
              }
            }
            float *o = dwt + c * CO + co;
            ST(o, ADD(LD(o), a00)); ST(o + 4, ADD(LD(o + 4), a01));
            if (nc >= 4) {
              o += CO; ST(o, ADD(LD(o), a10)); ST(o + 4, ADD(LD(o + 4), a11));
              o += CO; ST(o, ADD(LD(o), a20)); ST(o + 4, ADD(LD(o + 4), a21));
              o += CO; ST(o, ADD(LD(o), a30)); ST(o + 4, ADD(LD(o + 4), a31));
            }
            if (nc == 6) {
              o += CO; ST(o, ADD(LD(o), a40)); ST(o + 4, ADD(LD(o + 4), a41));
              o += CO; ST(o, ADD(LD(o), a50)); ST(o + 4, ADD(LD(o + 4), a51));
            }
          } else {
            for (int i = 0; i < nc; i++) {
              float a = 0;
              for (int ox = 0; ox < g.OX; ox++) a += xrow[ox * xs + c + i] * d0[ox * CO + co];
              dwt[(c + i) * CO + co] += a;
            }
          }
        }
        c += nc;
      }
    }
  }
}

/**
 * Input gradient (the transposed convolution) for input planes z0 ≤ iz < z1:
 * dx[i, c] = Σ_{t, o: o·s + t = i + padBefore} Σ_co dy[o, co] · w[t, c, co].
 * dyp is dy zero-padded by `lo` (gi[14..16]) before on each axis with dims gi[17..19], so every
 * gathered o is in bounds; wt is the filter transposed to [t, co, c]; dx is [IZ, IY, IX, C]
 * (gi[20..22]) and gi[23..25] are padBefore. Tiles: 4 voxels of one x phase × 8 channels.
 */
void conv_dx(const float *dyp, const float *wt, float *dx, const int *gi, int z0, int z1) {
  const Geo g = *(const Geo *)gi;
  const int loz = gi[14], loy = gi[15], lox = gi[16], QY = gi[18], QX = gi[19];
  const int IY = gi[21], IX = gi[22], pbz = gi[23], pby = gi[24], pbx = gi[25];
  const int C = g.C, CO = g.CO, c8 = C - C % 8;
  for (int iz = z0; iz < z1; iz++) for (int iy = 0; iy < IY; iy++) {
    const int pz = iz + pbz, py = iy + pby;
    float *drow = dx + ((iz * IY + iy) * IX) * C;
    for (int r = 0; r < g.sx; r++) {
      // voxels ix ≡ (r − pbx) mod sx, i.e. px = ix + pbx ≡ r: taps kx ≡ r (mod sx) reach them.
      int ix0 = ((r - pbx) % g.sx + g.sx) % g.sx;
      for (int c = 0; c < C; c += (c < c8 ? 8 : 1)) {
        const int wide = c < c8;
        for (int ix = ix0; ix < IX; ix += (wide && ix + 3 * g.sx < IX ? 4 : 1) * g.sx) {
          const int four = wide && ix + 3 * g.sx < IX;
          const int px = ix + pbx;
          V a00 = SPL(0), a01 = SPL(0), a10 = SPL(0), a11 = SPL(0), a20 = SPL(0), a21 = SPL(0), a30 = SPL(0), a31 = SPL(0);
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
                    const V w0 = LD(w + co * C), w1 = LD(w + co * C + 4);
                    V b = SPL(d[co]); a00 = ADD(a00, MUL(b, w0)); a01 = ADD(a01, MUL(b, w1));
                    b = SPL(d[CO + co]); a10 = ADD(a10, MUL(b, w0)); a11 = ADD(a11, MUL(b, w1));
                    b = SPL(d[2 * CO + co]); a20 = ADD(a20, MUL(b, w0)); a21 = ADD(a21, MUL(b, w1));
                    b = SPL(d[3 * CO + co]); a30 = ADD(a30, MUL(b, w0)); a31 = ADD(a31, MUL(b, w1));
                  }
                } else if (wide) {
                  for (int co = 0; co < CO; co++) {
                    const V b = SPL(d[co]);
                    a00 = ADD(a00, MUL(b, LD(w + co * C))); a01 = ADD(a01, MUL(b, LD(w + co * C + 4)));
                  }
                } else {
                  for (int co = 0; co < CO; co++) sc += d[co] * w[co * C];
                }
              }
            }
          }
          float *o = drow + ix * C + c;
          if (four) {
            const int st = g.sx * C;
            ST(o, a00); ST(o + 4, a01); o += st;
            ST(o, a10); ST(o + 4, a11); o += st;
            ST(o, a20); ST(o + 4, a21); o += st;
            ST(o, a30); ST(o + 4, a31);
          } else if (wide) {
            ST(o, a00); ST(o + 4, a01);
          } else {
            o[0] = sc;
          }
        }
      }
    }
  }
}
