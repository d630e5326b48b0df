// Opt-in installation of the vol2col conv3d for every network (ops/conv3d hook). NOT installed by default:
// measured on the 2-core box it beats tfjs' Conv3D only on the wasm backend and only for ≥ 8 channels
// (see bench/conv3d.ts); on cpu it is ~10× slower, and single-channel large kernels (the PSF layer) are slower
// everywhere. Training on wasm additionally needs initBackend({ allowWasmForTraining: true }).
import { getConv3dImpl, setConv3dImpl, type Conv3dImpl } from '../ops';
import { fastConv3dImpl } from './vol2col-conv3d';

/** Install the fast conv3d; returns the previous implementation so callers/tests can restore it. */
export function installFastConv(): Conv3dImpl {
  return setConv3dImpl(fastConv3dImpl);
}

export function isFastConvInstalled(): boolean {
  return getConv3dImpl() === fastConv3dImpl;
}
