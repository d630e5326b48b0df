// The trained U-Net (G_AB) run for inference on typed arrays and a conv kernel runtime (native or
// WebAssembly) instead of tfjs ops: every layer of a whole volume at once, slab by slab (conv-chunked),
// instance normalisation and ReLU in place, intermediates released as soon as the next layer has read
// them, and the skip concatenation fused into the convolution's input copy. Peak memory is about three
// level-0 activations (skip + up-sampled + output), like PyTorch's eager forward, instead of a tf.tidy
// that keeps every intermediate; so most stacks run untiled in one pass, and those that do not are tiled
// exactly with the same StagedNet protocol as staged.ts (known statistics, stop at the next layer).
// Same arithmetic as the tfjs forward (tested < 1e-5); supports 2³ max-pool down (every trained G_AB)
// and both up-samplings of generator.upsample: the 2³ transposed conv and nearest ×2 then a 3³ conv.
import type { Shape3 } from '../io/volume';
import { InvalidVolumeError } from '../errors';
import { INSTANCE_NORM_EPS } from '../nn/ops';
import type { Module, UNetConfig } from '../nn/models';
import { softplusHeadInPlace, unetSizeMultiple, unetUpMode } from '../nn/models/unet';
import { convSameSlabs, convTranspose2Slabs, type ChannelPart } from '../kernels/conv-chunked';
import type { ConvRuntime } from '../kernels/wasm-conv';
import { EW, nativeEw } from '../kernels/native-conv';
import type { ChannelMoments, ChannelStats } from './core-grid';
import type { StagedNet, StagedResult } from './staged';

/** Thrown inside the forward pass once the wanted layer's moments are known. */
class StopAt {
  constructor(readonly result: StagedResult) {}
}

/** Per-channel moments of x [Z, Y, X, C] over a box (float64, two passes: mean, then squared deviations). */
function boxMoments(x: Float32Array, shape: Shape3, c: number, start: Shape3, size: Shape3): ChannelMoments {
  const [, ny, nx] = shape;
  const ew = nativeEw();
  if (ew && size.every((n, a) => n === shape[a] && start[a] === 0)) {
    const mv = new Float64Array(2 * c),
      count = x.length / c;
    ew(EW.stats, c, x, mv);
    return { count, mean: mv.slice(0, c), m2: mv.slice(c).map((v) => v * count) };
  }
  const sum = new Float64Array(c),
    m2 = new Float64Array(c);
  const count = size[0] * size[1] * size[2];
  const rows = (f: (i0: number, i1: number) => void) => {
    for (let z = start[0]; z < start[0] + size[0]; z++)
      for (let y = start[1]; y < start[1] + size[1]; y++) {
        const i0 = ((z * ny + y) * nx + start[2]) * c;
        f(i0, i0 + size[2] * c);
      }
  };
  rows((i0, i1) => {
    for (let i = i0; i < i1; i += c) for (let k = 0; k < c; k++) sum[k]! += x[i + k]!;
  });
  const mean = sum.map((s) => s / count);
  rows((i0, i1) => {
    for (let i = i0; i < i1; i += c)
      for (let k = 0; k < c; k++) {
        const d = x[i + k]! - mean[k]!;
        m2[k]! += d * d;
      }
  });
  return { count, mean, m2 };
}

/** y = max(0, (x − mean) / sqrt(var + eps)) per channel, in place. */
function normRelu(x: Float32Array, c: number, mean: ArrayLike<number>, variance: ArrayLike<number>): void {
  const inv = Float64Array.from({ length: c }, (_, k) => 1 / Math.sqrt(variance[k]! + INSTANCE_NORM_EPS));
  const mu = Float64Array.from(mean);
  const ew = nativeEw();
  if (ew) {
    ew(EW.applyRelu, c, x, x, mu, inv);
    return;
  }
  for (let i = 0; i < x.length; i += c)
    for (let k = 0; k < c; k++) {
      const v = (x[i + k]! - mu[k]!) * inv[k]!;
      x[i + k] = v > 0 ? v : 0;
    }
}

function maxPool2(x: Float32Array, shape: Shape3, c: number): Float32Array {
  const [, ny, nx] = shape,
    [oz, oy, ox] = shape.map((n) => n >> 1) as Shape3;
  const out = new Float32Array(oz * oy * ox * c);
  for (let z = 0, o = 0; z < oz; z++)
    for (let y = 0; y < oy; y++)
      for (let xx = 0; xx < ox; xx++) {
        const base = ((2 * z * ny + 2 * y) * nx + 2 * xx) * c;
        for (let k = 0; k < c; k++, o++) {
          let m = x[base + k]!;
          for (let dz = 0; dz < 2; dz++)
            for (let dy = 0; dy < 2; dy++)
              for (let dx = 0; dx < 2; dx++) {
                const v = x[base + ((dz * ny + dy) * nx + dx) * c + k]!;
                if (v > m) m = v;
              }
          out[o] = m;
        }
      }
  return out;
}

/** Nearest-neighbour ×2 on z, y, x of x [Z, Y, X, C] (the same values as ops/resample.ts upsample3d). */
function upsampleNearest2(x: Float32Array, shape: Shape3, c: number): Float32Array {
  const [nz, ny, nx] = shape,
    oy = 2 * ny,
    ox = 2 * nx,
    row = ox * c;
  const out = new Float32Array(8 * x.length);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) {
      const o = (2 * z * oy + 2 * y) * row;
      for (let xx = 0; xx < nx; xx++) {
        const src = x.subarray(((z * ny + y) * nx + xx) * c, ((z * ny + y) * nx + xx + 1) * c);
        out.set(src, o + 2 * xx * c);
        out.set(src, o + (2 * xx + 1) * c);
      }
      out.copyWithin(o + row, o, o + row); // the row below
      out.copyWithin(o + oy * row, o, o + 2 * row); // the plane below, both rows
    }
  return out;
}

function addBias(x: Float32Array, b: Float32Array): void {
  const c = b.length;
  for (let i = 0; i < x.length; i += c) for (let k = 0; k < c; k++) x[i + k]! += b[k]!;
}

/**
 * Peak bytes per input voxel of the lean forward: about three level-0 activations (4 B × base
 * channels each) at the first decoder convolution, the coarser levels (≤ 1/8 each), the input,
 * the normalised copy and the output; ×1.25 margin. The runtime's slab workspace is a constant.
 */
export function leanUNetBytesPerVoxel(cfg: UNetConfig): number {
  // Nearest-conv up-sampling also holds the up-sampled input (2·base channels) during its 3³ conv.
  const level0 = unetUpMode(cfg) === 'upsample' ? 4 : 3;
  return 1.25 * (4 * cfg.baseChannels * (level0 + 2 * 0.25) + 16);
}

/** G_AB as a StagedNet on a kernel runtime; `runtime` is asked on each call (it is shared and lazily made). */
export function leanStagedNet(net: Module, cfg: UNetConfig, halo: number, runtime: () => ConvRuntime): StagedNet {
  const weights = new Map(net.variables().map((v) => [v.name, v]));
  const W = (id: string): Float32Array => {
    const v = weights.get(`${net.name}/${id}`);
    if (!v) throw new InvalidVolumeError(`the model has no weight ${net.name}/${id}`);
    return v.dataSync() as Float32Array;
  };
  const multiple = unetSizeMultiple(cfg.levels);
  const ch = (l: number) => cfg.baseChannels * 2 ** l;
  const upMode = unetUpMode(cfg);
  const layers: string[] = [];
  for (let l = 0; l < cfg.levels; l++)
    for (let i = 0; i < cfg.convsPerLevel; i++) layers.push(`${net.name}/enc${l}_conv${i}`);
  for (let l = cfg.levels - 2; l >= 0; l--)
    for (let i = 0; i < cfg.convsPerLevel; i++) layers.push(`${net.name}/dec${l}_conv${i}`);

  async function run(
    tile: Float32Array,
    tileShape: Shape3,
    core: { start: Shape3; size: Shape3 },
    known?: ReadonlyMap<string, ChannelStats>,
  ): Promise<StagedResult> {
    if (tileShape.some((n) => n % multiple !== 0))
      throw new InvalidVolumeError(
        `U-Net with ${cfg.levels} levels needs sizes divisible by ${multiple}, got ${tileShape.join('×')}`,
      );
    const rt = runtime();
    /** Conv 3³ – InstanceNorm – ReLU of `parts` at `shape`; the norm uses known statistics, the tile's own, or stops here. */
    const block = (id: string, parts: ChannelPart[], shape: Shape3, co: number): Float32Array => {
      const y = convSameSlabs(rt, parts, shape, W(`${id}/kernel`), [3, 3, 3], co);
      const layer = `${net.name}/${id}`;
      const stats = known?.get(layer);
      if (stats) {
        normRelu(y, co, stats.mean, stats.variance);
      } else if (known) {
        const f = tileShape[0] / shape[0];
        const m = boxMoments(
          y,
          shape,
          co,
          core.start.map((n) => n / f) as Shape3,
          core.size.map((n) => n / f) as Shape3,
        );
        throw new StopAt({ layer, moments: m });
      } else {
        const m = boxMoments(y, shape, co, [0, 0, 0], shape);
        normRelu(
          y,
          co,
          m.mean,
          m.m2.map((s) => s / m.count),
        );
      }
      return y;
    };
    try {
      let h: ChannelPart = { data: tile, c: 1 };
      let shape = tileShape;
      const skips: { part: ChannelPart; shape: Shape3 }[] = [];
      for (let l = 0; l < cfg.levels; l++) {
        for (let i = 0; i < cfg.convsPerLevel; i++)
          h = { data: block(`enc${l}_conv${i}`, [h], shape, ch(l)), c: ch(l) };
        if (l < cfg.levels - 1) {
          skips.push({ part: h, shape });
          h = { data: maxPool2(h.data, shape, h.c), c: h.c };
          shape = shape.map((n) => n >> 1) as Shape3;
        }
      }
      for (let l = cfg.levels - 2; l >= 0; l--) {
        const skip = skips.pop()!;
        const up =
          upMode === 'upsample'
            ? convSameSlabs(
                rt,
                [{ data: upsampleNearest2(h.data, shape, h.c), c: h.c }],
                skip.shape,
                W(`up${l}/kernel`),
                [3, 3, 3],
                ch(l),
              )
            : convTranspose2Slabs(rt, h.data, shape, h.c, W(`up${l}/kernel`), ch(l));
        addBias(up, W(`up${l}/bias`));
        shape = skip.shape;
        let parts: ChannelPart[] = [skip.part, { data: up, c: ch(l) }];
        for (let i = 0; i < cfg.convsPerLevel; i++) {
          h = { data: block(`dec${l}_conv${i}`, parts, shape, ch(l)), c: ch(l) };
          parts = [h];
        }
      }
      const out = convSameSlabs(rt, [h], shape, W('out/kernel'), [1, 1, 1], 1);
      addBias(out, W('out/bias'));
      if (cfg.residual) for (let i = 0; i < out.length; i++) out[i]! += tile[i]!; // output = input + U-Net(input)
      if (cfg.output === 'softplus') softplusHeadInPlace(out);
      return { output: out };
    } catch (e) {
      if (e instanceof StopAt) return e.result;
      throw e;
    }
  }
  return { multiple, halo, layers, run };
}
