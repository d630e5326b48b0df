// Bounded decoders for striped pages: LZW, Deflate, PackBits and TIFF predictors 2 and 3.
// geotiff's LZW decoder loops without bound on some corrupt streams (found by scripts/fuzz-tiff.ts), so
// strips are decoded here with the output size capped at what the strip can legitimately hold.
import { inflateSync } from 'node:zlib';

/** TIFF LZW (MSB-first, early change). Stops at EOI, at the end of input, or when `maxOut` bytes are produced. */
export function lzwDecode(input: Uint8Array, maxOut: number): Uint8Array {
  const out = new Uint8Array(maxOut);
  const prefix = new Int32Array(4096);
  const suffix = new Uint8Array(4096);
  const length = new Int32Array(4096);
  for (let i = 0; i < 256; i++) {
    prefix[i] = -1;
    suffix[i] = i;
    length[i] = 1;
  }
  let next = 258;
  let width = 9;
  let bitPos = 0;
  let n = 0;
  let old = -1;
  const totalBits = input.length * 8;
  const emit = (code: number): number => {
    // Writes the string for `code` and returns its first byte.
    const len = length[code]!;
    const end = Math.min(n + len, maxOut);
    let c = code;
    for (let k = n + len - 1; k >= n; k--) {
      if (k < end) out[k] = suffix[c]!;
      c = prefix[c]!;
    }
    const first = n < maxOut ? out[n]! : 0;
    n = end;
    return first;
  };
  while (bitPos + width <= totalBits && n < maxOut) {
    let code = 0;
    for (let b = 0; b < width; b++, bitPos++) code = (code << 1) | ((input[bitPos >> 3]! >> (7 - (bitPos & 7))) & 1);
    if (code === 257) break;
    if (code === 256) {
      next = 258;
      width = 9;
      old = -1;
      continue;
    }
    if (old === -1) {
      if (code > 255) throw new Error(`LZW code ${code} after a clear code`);
      emit(code);
      old = code;
      continue;
    }
    let first: number;
    if (code < next) {
      first = emit(code);
    } else if (code === next) {
      const start = n;
      emit(old);
      first = start < maxOut ? out[start]! : 0;
      if (n < maxOut) out[n++] = first;
    } else {
      throw new Error(`LZW code ${code} beyond the dictionary (${next})`);
    }
    if (next < 4096) {
      prefix[next] = old;
      suffix[next] = first;
      length[next] = length[old]! + 1;
      next++;
    }
    if (next + 1 >= 1 << width && width < 12) width++;
    old = code;
  }
  return out.subarray(0, n);
}

/** PackBits run-length decoding, capped at `maxOut` bytes. */
export function packbitsDecode(input: Uint8Array, maxOut: number): Uint8Array {
  const out = new Uint8Array(maxOut);
  let n = 0;
  let i = 0;
  while (i < input.length && n < maxOut) {
    const h = (input[i++]! << 24) >> 24;
    if (h >= 0) {
      const len = Math.min(h + 1, input.length - i, maxOut - n);
      out.set(input.subarray(i, i + len), n);
      n += len;
      i += h + 1;
    } else if (h !== -128) {
      // A repeat header with its byte cut off: stop short, so the reader reports the strip as truncated.
      if (i >= input.length) break;
      const v = input[i++]!;
      const len = Math.min(1 - h, maxOut - n);
      out.fill(v, n, n + len);
      n += len;
    }
  }
  return out.subarray(0, n);
}

export function inflateDecode(input: Uint8Array, maxOut: number): Uint8Array {
  try {
    return new Uint8Array(
      inflateSync(input, {
        maxOutputLength: Math.max(1, maxOut),
        finishFlush: 2 /* Z_SYNC_FLUSH: accept truncated streams */,
      }),
    );
  } catch (e) {
    // zlib stops at maxOutputLength: the stream holds more than the strip or tile declares (a bomb).
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new Error(`the stream inflates to more than the ${maxOut} bytes declared`, { cause: e });
    throw e;
  }
}

/** Undoes horizontal differencing (predictor 2) in place on native-order integer samples, row by row. */
export function undoHorizontal(
  samples: Uint8Array | Uint16Array | Int16Array | Uint32Array | Int32Array,
  width: number,
): void {
  for (let row = 0; row + width <= samples.length; row += width) {
    for (let x = 1; x < width; x++) samples[row + x]! += samples[row + x - 1]!;
  }
}
