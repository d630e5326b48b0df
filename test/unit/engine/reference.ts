// Reads the PyTorch/SciPy references written by test/fixtures/engine/make_reference.py.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { fixture } from '../../helpers';

interface Stored {
  shape: number[];
  values: number[];
}
type Reference = Record<string, Stored> & { params: Record<string, number> };

let cache: Reference | undefined;
export function reference(): Reference {
  cache ??= JSON.parse(readFileSync(fixture('engine', 'reference.json'), 'utf8')) as Reference;
  return cache;
}
export function refTensor(name: string): tf.Tensor {
  const r = reference()[name] as Stored;
  return tf.tensor(r.values, r.shape, 'float32');
}
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  if (a.shape.join() !== b.shape.join()) throw new Error(`shape ${a.shape} ≠ ${b.shape}`);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}
