// Public FFT API: 1D plans of any length, real 3D transforms with a half spectrum.
export { fftPlan, nextSmoothSize, isPowerOfTwo } from './fft1d';
export type { FFTPlan } from './fft1d';
export { rfft3d, irfft3d, halfSpectrumSize } from './fft3d';
export type { HalfSpectrum, RealArray } from './fft3d';
