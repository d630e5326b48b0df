// The engine's networks, built from plain tf.Variables.
export type { Module, PsfModule, UNetConfig, DiscriminatorConfig, PsfConfig, PsfInit } from './types';
export { buildUNet, buildCnnGenerator, validateUNetConfig, unetSizeMultiple, unetTileHalo, unetUpMode } from './unet';
export type { UNetOptions } from './unet';
export {
  buildDiscriminator,
  discriminatorOutputShape,
  validateDiscriminatorConfig,
  MIN_NORM_VOXELS,
} from './discriminator';
export type { DiscriminatorOptions } from './discriminator';
export { buildPsfLayer, psfShape, psfCentre, deltaPsf, gaussianPsf, roll3d, centringShift } from './psf-layer';
export type { PsfLayerOptions } from './psf-layer';
export { countParams, disposeModule, ParamFactory } from './init';
