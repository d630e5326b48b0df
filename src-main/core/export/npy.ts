// NumPy .npy files (format 1.0, numpy/lib/format.py): magic, version, a little-endian uint16 header length, a
// Python-literal header dict padded with spaces to a 64-byte boundary and ending in '\n', then the raw data in
// C order. float32 only: the BioImage Model Zoo's test tensors.
import { InvalidParameterError } from '../errors';

export function encodeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length)
    throw new InvalidParameterError('shape', `${shape.join('×')} holds ${count} values, the data has ${data.length}`);
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${dims}, }`;
  const preamble = 10; // magic (6) + version (2) + header length (2)
  header += ' '.repeat(63 - ((preamble + header.length) % 64)) + '\n';
  const out = new Uint8Array(preamble + header.length + 4 * data.length);
  out.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), preamble);
  const view = new DataView(out.buffer, preamble + header.length);
  data.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return out;
}
