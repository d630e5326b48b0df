// Public volume I/O API: read TIFF stacks (ImageJ, OME, plain, BigTIFF) and write ImageJ TIFFs or OME-TIFFs.
export type { Volume, VolumeMetadata, VoxelSize, Shape3, SampleType } from './volume';
export { makeVolume, volumeLike, voxelCount, DEFAULT_VOXEL_SIZE } from './volume';
export { writeFileAtomic, writeBytesAtomic } from './atomic';
export { openVolume, readVolume, readTiffInfo, DEFAULT_MAX_BYTES } from './reader';
export type { VolumeReader, TiffInfo, ReadOptions, OpenOptions, SliceSelection } from './reader';
export { writeVolume, createVolumeWriter, toUint16 } from './writer';
export type { VolumeWriter, VolumeWriterOptions, WriteOptions, WriteDtype, OutputFormat } from './writer';
export { OUTPUT_FORMATS, resolveOutputFormat, isOmeTiffName } from './output-format';
export { CLASSIC_TIFF_LIMIT } from './imagej-layout';
