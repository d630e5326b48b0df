// Shape arithmetic shared by the fast conv3d kernels: tfjs' padding rule ('same': total padding
// max((out − 1)·s + k − in, 0), the smaller half BEFORE) and the output sizes.
/** tfjs' padding modes; defined here so the kernels need nothing from the tfjs layer above them. */
export type Padding = 'same' | 'valid';

export type Triple = [number, number, number];

export interface ConvGeometry {
  /** Input spatial size [z, y, x]. */
  inSize: Triple;
  kernel: Triple;
  strides: Triple;
  /** Padding before / after on each axis. */
  padBefore: Triple;
  padAfter: Triple;
  outSize: Triple;
}

export function convGeometry(inSize: Triple, kernel: Triple, strides: Triple, padding: Padding): ConvGeometry {
  const outSize = [0, 1, 2].map((i) =>
    padding === 'same' ? Math.ceil(inSize[i]! / strides[i]!) : Math.floor((inSize[i]! - kernel[i]!) / strides[i]!) + 1,
  ) as Triple;
  const total = [0, 1, 2].map((i) =>
    padding === 'same' ? Math.max((outSize[i]! - 1) * strides[i]! + kernel[i]! - inSize[i]!, 0) : 0,
  );
  const padBefore = total.map((t) => Math.floor(t / 2)) as Triple;
  const padAfter = total.map((t, i) => t - padBefore[i]!) as Triple;
  return { inSize, kernel, strides, padBefore, padAfter, outSize };
}

/** Output depth slices per chunk so that one vol2col matrix holds at most `maxFloats` values. */
export function depthChunk(outSize: Triple, kernel: Triple, channels: number, maxFloats: number): number {
  const perSlice = outSize[1] * outSize[2] * kernel[0] * kernel[1] * kernel[2] * channels;
  return Math.max(1, Math.min(outSize[0], Math.floor(maxFloats / Math.max(perSlice, 1))));
}
