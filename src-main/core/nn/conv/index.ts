// Fast conv3d (issue 9): vol2col + matMul with custom gradients, and its opt-in installer.
export { fastConv3d, fastConv3dTranspose, fastConv3dImpl } from './vol2col-conv3d';
export { conv3dForward, conv3dInputGrad, conv3dFilterGrad, setMaxColumnFloats } from './vol2col';
export { installFastConv, isFastConvInstalled } from './install';
