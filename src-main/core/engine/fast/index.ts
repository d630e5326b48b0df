// Fast conv3d (issue 9): vol2col + matMul with custom gradients, and its opt-in installer.
export { fastConv3d, fastConv3dTranspose, fastConv3dImpl } from './conv3d';
export { conv3dForward, conv3dInputGrad, conv3dFilterGrad, setMaxColumnFloats } from './kernels';
export { installFastConv, isFastConvInstalled } from './install';
