// G_AB (nn/models/unet.ts) as an ONNX graph, layer for layer, in ONNX's NCDHW layout:
//   conv 3³ (tfjs 'same', stride 1 = one zero voxel on each side) – InstanceNormalization (scale 1, bias 0,
//   ε = INSTANCE_NORM_EPS, biased variance over the whole volume, as an untiled pass) – Relu;
//   2³ MaxPool stride 2; up-sampling as ConvTranspose 2³ stride 2 (no padding: tfjs 'same' adds none for
//   k = s = 2) or, for generator.upsample 'nearest-conv', Resize nearest ×2 (asymmetric/floor: every voxel
//   copied to its 2³ block, as ops/resample.ts upsample3d) then Conv 3³ with bias; skip first in Concat;
//   the 1³ output conv; the residual sum; the softplus head written overflow-safe as
//   (Relu(βy) + Log(1 + Exp(−|βy|))) / β.
// Kernels move from tfjs' [kz, ky, kx, a, b] to ONNX's [b, a, kz, ky, kx] — for Conv (a = in, b = out) and
// for ConvTranspose (tfjs [.., out, in] → ONNX [in, out, ..]) alike; neither flips the kernel.
import { InvalidParameterError } from '../errors';
import { INSTANCE_NORM_EPS } from '../nn/ops/norm';
import { OUTPUT_SOFTPLUS_SHARPNESS, unetSizeMultiple, unetUpMode, validateUNetConfig } from '../nn/models/unet';
import type { UNetConfig } from '../nn/models/types';
import type { OnnxGraph, OnnxNode, OnnxTensor } from './onnx-proto';

/** A weight of the network by its id below the network's name ('enc0_conv0/kernel'), in tfjs layout. */
export type WeightLookup = (id: string) => { shape: number[]; data: Float32Array };

export const ONNX_INPUT = 'input';
export const ONNX_OUTPUT = 'output';

/** tfjs [kz, ky, kx, a, b] → ONNX [b, a, kz, ky, kx]. */
export function onnxKernel(data: Float32Array, shape: number[]): { dims: number[]; data: Float32Array } {
  if (shape.length !== 5)
    throw new InvalidParameterError('kernel', `expected a 5-D kernel, got shape ${shape.join('×')}`);
  const [kz, ky, kx, a, b] = shape as [number, number, number, number, number];
  const out = new Float32Array(data.length);
  const taps = kz * ky * kx;
  for (let t = 0; t < taps; t++)
    for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) out[(j * a + i) * taps + t] = data[(t * a + i) * b + j]!;
  return { dims: [b, a, kz, ky, kx], data: out };
}

/** The ONNX graph of G_AB with weights from `weight`; input and output are [batch, 1, z, y, x]. */
export function unetOnnxGraph(cfg: UNetConfig, weight: WeightLookup, name = 'G_AB'): OnnxGraph {
  validateUNetConfig(cfg);
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  const have = new Set<string>();
  const constant = (id: string, dims: number[], data: Float32Array): string => {
    if (!have.has(id)) {
      have.add(id);
      initializers.push({ name: id, dims, data });
    }
    return id;
  };
  const kernel = (id: string): string => {
    const w = weight(`${id}/kernel`);
    const k = onnxKernel(w.data, w.shape);
    return constant(`${id}/kernel`, k.dims, k.data);
  };
  const bias = (id: string): string => {
    const b = weight(`${id}/bias`);
    return constant(`${id}/bias`, [b.data.length], b.data);
  };
  const node = (op: string, inputs: string[], out: string, attrs?: OnnxNode['attrs']): string => {
    nodes.push({ op, inputs, outputs: [out], name: out, attrs });
    return out;
  };
  const ch = (l: number) => cfg.baseChannels * 2 ** l;
  const pads1 = { ints: [1, 1, 1, 1, 1, 1] };
  const k3 = { ints: [3, 3, 3] };

  const convNormRelu = (id: string, x: string, channels: number): string => {
    const c = node('Conv', [x, kernel(id)], `${id}/conv`, {
      kernel_shape: k3,
      pads: pads1,
      strides: { ints: [1, 1, 1] },
    });
    const ones = constant(`ones_${channels}`, [channels], new Float32Array(channels).fill(1));
    const zeros = constant(`zeros_${channels}`, [channels], new Float32Array(channels));
    const n = node('InstanceNormalization', [c, ones, zeros], `${id}/norm`, { epsilon: { f: INSTANCE_NORM_EPS } });
    return node('Relu', [n], `${id}/relu`);
  };

  let h = ONNX_INPUT;
  const skips: string[] = [];
  for (let l = 0; l < cfg.levels; l++) {
    for (let i = 0; i < cfg.convsPerLevel; i++) h = convNormRelu(`enc${l}_conv${i}`, h, ch(l));
    if (l < cfg.levels - 1) {
      skips.push(h);
      h = node('MaxPool', [h], `pool${l}`, { kernel_shape: { ints: [2, 2, 2] }, strides: { ints: [2, 2, 2] } });
    }
  }
  const upMode = unetUpMode(cfg);
  for (let l = cfg.levels - 2; l >= 0; l--) {
    let up: string;
    if (upMode === 'upsample') {
      const scales = constant('resize_scales', [5], Float32Array.from([1, 1, 2, 2, 2]));
      const r = node('Resize', [h, '', scales], `up${l}/resize`, {
        mode: { s: 'nearest' },
        coordinate_transformation_mode: { s: 'asymmetric' },
        nearest_mode: { s: 'floor' },
      });
      up = node('Conv', [r, kernel(`up${l}`), bias(`up${l}`)], `up${l}/conv`, {
        kernel_shape: k3,
        pads: pads1,
        strides: { ints: [1, 1, 1] },
      });
    } else {
      up = node('ConvTranspose', [h, kernel(`up${l}`), bias(`up${l}`)], `up${l}/convT`, {
        kernel_shape: { ints: [2, 2, 2] },
        strides: { ints: [2, 2, 2] },
      });
    }
    h = node('Concat', [skips.pop()!, up], `cat${l}`, { axis: { i: 1 } });
    for (let i = 0; i < cfg.convsPerLevel; i++) h = convNormRelu(`dec${l}_conv${i}`, h, ch(l));
  }
  let y = node('Conv', [h, kernel('out'), bias('out')], 'out/conv', { kernel_shape: { ints: [1, 1, 1] } });
  if (cfg.residual) y = node('Add', [y, ONNX_INPUT], 'residual');
  if (cfg.output === 'softplus') {
    const beta = constant('softplus_beta', [], Float32Array.of(OUTPUT_SOFTPLUS_SHARPNESS));
    const one = constant('one', [], Float32Array.of(1));
    const v = node('Mul', [y, beta], 'softplus/scaled');
    const tail = node(
      'Log',
      [
        node(
          'Add',
          [one, node('Exp', [node('Neg', [node('Abs', [v], 'softplus/abs')], 'softplus/neg')], 'softplus/exp')],
          'softplus/1p',
        ),
      ],
      'softplus/log1p',
    );
    y = node('Div', [node('Add', [node('Relu', [v], 'softplus/relu'), tail], 'softplus/sum'), beta], 'softplus');
  }
  nodes.push({ op: 'Identity', inputs: [y], outputs: [ONNX_OUTPUT], name: ONNX_OUTPUT });
  const m = unetSizeMultiple(cfg.levels);
  const doc = `float32 [batch, 1, z, y, x] on the network scale; z, y and x must be multiples of ${m}`;
  return {
    name,
    nodes,
    initializers,
    inputs: [{ name: ONNX_INPUT, dims: ['batch', 1, 'z', 'y', 'x'], doc }],
    outputs: [{ name: ONNX_OUTPUT, dims: ['batch', 1, 'z', 'y', 'x'], doc }],
  };
}
