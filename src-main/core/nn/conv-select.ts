// Which conv3d implementation the networks use on each backend (ops/conv3d setConv3dImpl): on the
// CPU backends (cpu, wasm) the native AVX2 + FMA kernel where it loads (linux-x64; ~2.8× the
// WebAssembly kernel here), else the WebAssembly SIMD kernel (~40× tfjs' cpu Conv3D here); both have
// correct gradients (nn/conv/runtime-conv3d.ts). On GPU backends tfjs' own kernels. CYCLEDECON_CONV
// forces one: 'native-avx2', 'wasm-simd', 'tfjs' or 'vol2col'.
import { getConv3dImpl, setConv3dImpl, tfConv3dImpl, type Conv3dImpl } from './ops';
import { vol2colConv3dImpl } from './conv/vol2col-conv3d';
import { nativeConv3dImpl, nativeConvThreads, wasmConv3dImpl, wasmConvThreads } from './conv/runtime-conv3d';
import { FLAG_DEFS, getFlag, type FlagValue } from '../flags';

export const CONV_ENV = FLAG_DEFS.conv.env;
const BY_NAME: Record<Exclude<FlagValue<'conv'>, 'auto'>, Conv3dImpl> = {
  'native-avx2': nativeConv3dImpl,
  'wasm-simd': wasmConv3dImpl,
  tfjs: tfConv3dImpl,
  vol2col: vol2colConv3dImpl,
};

/** The implementation for a backend (our backend id), honouring CYCLEDECON_CONV. */
export function convImplFor(backend: string): Conv3dImpl {
  const forced = getFlag('conv');
  if (forced !== 'auto') return BY_NAME[forced];
  if (backend !== 'cpu' && backend !== 'wasm') return tfConv3dImpl;
  if (nativeConvThreads() > 0) return nativeConv3dImpl;
  return wasmConvThreads() > 0 ? wasmConv3dImpl : tfConv3dImpl;
}

/** Installs the implementation for `backend`; returns its name. */
export function selectConvImpl(backend: string): string {
  const impl = convImplFor(backend);
  if (getConv3dImpl() !== impl) setConv3dImpl(impl);
  return impl.name;
}
