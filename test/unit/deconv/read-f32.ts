// Reads the raw little-endian float32 fixtures written by test/fixtures/reference/*.py.
import { readFileSync } from 'node:fs';
import { fixture } from '../../helpers';

export function readF32(name: string): Float32Array {
  const buf = readFileSync(fixture('reference', name));
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

export function readJson<T>(name: string): T {
  return JSON.parse(readFileSync(fixture('reference', name), 'utf8')) as T;
}

export function relativeL2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0,
    den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
}
