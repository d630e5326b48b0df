// ONNX model serialisation (onnx/onnx.proto, IR version 8 = the IR of opset 17): ModelProto, GraphProto,
// NodeProto, AttributeProto, TensorProto and ValueInfoProto, written with our protobuf encoder. Field numbers
// are the ones in onnx.proto; only float32 tensors are needed by the exported networks.
import { ProtoWriter } from './protobuf';

/** IR version that goes with opset 17 (onnx/docs/Versioning.md). */
export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;
/** TensorProto.DataType.FLOAT. */
const FLOAT = 1;

/** AttributeProto.AttributeType values. */
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

export type OnnxAttr = { f: number } | { i: number } | { s: string } | { floats: number[] } | { ints: number[] };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attrs?: Record<string, OnnxAttr>;
}

/** A float32 initializer (weights, constants), row-major with `dims`. */
export interface OnnxTensor {
  name: string;
  dims: number[];
  data: Float32Array;
}

/** A graph input or output: float32 with fixed (number) or symbolic (string) dimensions. */
export interface OnnxValueInfo {
  name: string;
  dims: (number | string)[];
  doc?: string;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface OnnxModel {
  graph: OnnxGraph;
  producerName: string;
  producerVersion: string;
  doc?: string;
  metadata?: Record<string, string>;
}

function writeAttr(w: ProtoWriter, name: string, a: OnnxAttr): void {
  w.string(1, name);
  if ('f' in a) w.float(2, a.f).int(20, ATTR.FLOAT);
  else if ('i' in a) w.int(3, a.i).int(20, ATTR.INT);
  else if ('s' in a) w.string(4, a.s).int(20, ATTR.STRING);
  else if ('floats' in a) w.packedFloats(7, a.floats).int(20, ATTR.FLOATS);
  else w.packedInts(8, a.ints).int(20, ATTR.INTS);
}

function writeNode(w: ProtoWriter, n: OnnxNode): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name) w.string(3, n.name);
  w.string(4, n.op);
  for (const [name, a] of Object.entries(n.attrs ?? {})) w.message(5, (m) => writeAttr(m, name, a));
}

function writeTensor(w: ProtoWriter, t: OnnxTensor): void {
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (count !== t.data.length)
    throw new RangeError(`tensor ${t.name}: dims ${t.dims.join('×')} hold ${count} values, got ${t.data.length}`);
  w.packedInts(1, t.dims).int(2, FLOAT).string(8, t.name);
  // raw_data is little-endian (onnx.proto); copy so a subarray view writes only its own bytes.
  const le = new Uint8Array(4 * t.data.length);
  const view = new DataView(le.buffer);
  t.data.forEach((v, i) => view.setFloat32(4 * i, v, true));
  w.bytes(9, le);
}

function writeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  w.string(1, v.name);
  // TypeProto.tensor_type (1) → elem_type (1), shape (2) → dim (1) → dim_value (1) | dim_param (2).
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, FLOAT);
      tensor.message(2, (shape) => {
        for (const d of v.dims) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
  if (v.doc) w.string(3, v.doc);
}

function writeGraph(w: ProtoWriter, g: OnnxGraph): void {
  for (const n of g.nodes) w.message(1, (m) => writeNode(m, n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, (m) => writeTensor(m, t));
  for (const i of g.inputs) w.message(11, (m) => writeValueInfo(m, i));
  for (const o of g.outputs) w.message(12, (m) => writeValueInfo(m, o));
}

/** The serialised ModelProto (a `.onnx` file's bytes). */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, ONNX_IR_VERSION);
  w.string(2, model.producerName).string(3, model.producerVersion);
  if (model.doc) w.string(6, model.doc);
  w.message(7, (g) => writeGraph(g, model.graph));
  w.message(8, (o) => o.string(1, '').int(2, ONNX_OPSET));
  for (const [key, value] of Object.entries(model.metadata ?? {}))
    w.message(14, (e) => e.string(1, key).string(2, value));
  return w.finish();
}
