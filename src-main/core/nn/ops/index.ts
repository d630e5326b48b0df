// Differentiable building blocks shared by every network. Importing this registers the missing
// Conv3DBackpropInputV2 gradient.
export {
  conv3d,
  conv3dTranspose,
  setConv3dImpl,
  getConv3dImpl,
  tfConv3dImpl,
  registerConv3dGradients,
  convOutSize,
  strides3,
} from './conv3d';
export type { Conv3dImpl, Padding, Stride } from './conv3d';
export { instanceNorm3d, INSTANCE_NORM_EPS, channelwise, addBias, relu, withNormStats } from './norm';
export type { InstanceNormOptions, NormStats, NormStatsHook } from './norm';
export {
  slice5,
  upsample3d,
  maxPool3d,
  reflectPad3d,
  samePads,
  crop3d,
  centerCrop3d,
  concatChannels,
} from './resample';
export type { Pads3 } from './resample';
