// Lazy TIFF stack reader: parses structure and metadata once, then decodes only the pages asked for, so a
// 2 GB stack is never held in memory more than once.
import type { SampleType, Shape3, Volume, VoxelSize } from './volume';
import { FileBytes, readStructure, type TiffPage } from './tiff-structure';
import { describeLayout, type StackLayout } from './metadata';
import { checkPage, declaredBytes, decodePage, COMPRESSION_NAMES } from './page-decoder';
import { overExpanded } from './expansion';
import { InvalidParameterError, OutOfMemoryError, TiffFormatError, UnsupportedFormatError } from '../errors';
import { openRegularFile } from './paths';
import { checkLayout } from './stack-shape';
import { calibrationWarnings, type VoxelSizeSource } from './calibration';
import { isZarrFolder } from './zarr/store';
import { openZarrVolume } from './zarr/read';

export interface OpenOptions {
  /** Refuse any read that would allocate more than this many bytes (default 8 GiB). */
  maxBytes?: number;
  /** Read a single-slice multichannel file's channels as z (PSFs only; see stack-shape.ts). */
  channelsAsZ?: boolean;
  /** Use this voxel size instead of the file's (`--voxel-size`). */
  voxelSize?: VoxelSize;
  /** Recorded as the voxel size's source with `voxelSize` (default 'cli'; 'psf' when taken from the PSF). */
  voxelSizeSource?: 'cli' | 'psf' | 'project';
}

export interface SliceSelection {
  channel?: number;
  frame?: number;
}

export interface TiffInfo {
  file: string;
  fileBytes: number;
  /** [z, y, x] of one channel at one frame. */
  shape: Shape3;
  channels: number;
  frames: number;
  pages: number;
  dtype: SampleType;
  voxelSize: VoxelSize;
  voxelSizeAssumed: boolean;
  /** Where voxelSize came from: the file, the command line (OpenOptions.voxelSize), or nowhere. */
  voxelSizeSource: VoxelSizeSource;
  /** Reinterpretations and doubts about the header (axes, calibration): to be shown to the user. */
  warnings: string[];
  /** 'imagej' | 'ome' | 'tiff', with '-bigtiff' appended for BigTIFF files. */
  sourceFormat: string;
  bigTiff: boolean;
  byteOrder: 'little-endian' | 'big-endian';
  compression: string;
  intensityScale?: string;
  extra: Record<string, string>;
}

export interface VolumeReader {
  readonly info: TiffInfo;
  readonly shape: Shape3;
  readonly voxelSize: VoxelSize;
  /** Slices z0 ≤ z < z1 of one channel/frame as float32, z-major. */
  readSlices(z0: number, z1: number, sel?: SliceSelection): Promise<Float32Array>;
  /** The whole z-stack of one channel/frame as a Volume. */
  readAll(sel?: SliceSelection): Promise<Volume>;
  close(): Promise<void>;
}

export const DEFAULT_MAX_BYTES = 8 * 1024 ** 3;

async function openHandle(path: string): Promise<FileBytes> {
  const { handle, stats } = await openRegularFile(path);
  return new FileBytes(path, handle, stats.size);
}

function checkIndex(name: string, v: number, n: number): void {
  if (!Number.isInteger(v) || v < 0 || v >= n)
    throw new InvalidParameterError(name, `${v} is out of range (the file has ${n}; counting from 0)`);
}

class TiffVolumeReader implements VolumeReader {
  constructor(
    private readonly src: FileBytes,
    private readonly pages: TiffPage[],
    private readonly layout: StackLayout,
    private readonly littleEndian: boolean,
    private readonly maxBytes: number,
    readonly info: TiffInfo,
  ) {}

  get shape(): Shape3 {
    return [...this.info.shape] as Shape3;
  }
  get voxelSize(): VoxelSize {
    return { ...this.info.voxelSize };
  }

  async readSlices(z0: number, z1: number, sel: SliceSelection = {}): Promise<Float32Array> {
    const { channel = 0, frame = 0 } = sel;
    const [nz, ny, nx] = this.info.shape;
    checkIndex('channel', channel, this.info.channels);
    checkIndex('frame', frame, this.info.frames);
    if (!Number.isInteger(z0) || !Number.isInteger(z1) || z0 < 0 || z1 > nz || z0 >= z1) {
      throw new InvalidParameterError('slices', `range ${z0}–${z1} is not within 0–${nz}`);
    }
    const bytes = (z1 - z0) * ny * nx * 4;
    if (bytes > this.maxBytes)
      throw new OutOfMemoryError(
        `${this.src.file}: reading ${z1 - z0} slices needs ${bytes} bytes, above the ${this.maxBytes}-byte limit`,
        'Read fewer slices at a time.',
      );
    const out = new Float32Array((z1 - z0) * ny * nx);
    for (let z = z0; z < z1; z++) {
      const page = this.pages[this.layout.pageOf(z, channel, frame)]!;
      await decodePage(this.src, page, this.info.dtype, this.littleEndian, out, (z - z0) * ny * nx);
    }
    return out;
  }

  async readAll(sel: SliceSelection = {}): Promise<Volume> {
    const { channel = 0, frame = 0 } = sel;
    const data = await this.readSlices(0, this.info.shape[0], sel);
    return {
      data,
      shape: this.shape,
      voxelSize: this.voxelSize,
      metadata: {
        sourceFormat: this.info.sourceFormat,
        sourceDtype: this.info.dtype,
        ...(this.info.voxelSizeAssumed ? { voxelSizeAssumed: true } : {}),
        voxelSizeSource: this.info.voxelSizeSource,
        ...(this.info.warnings.length ? { warnings: [...this.info.warnings] } : {}),
        ...(this.info.channels > 1 || this.info.frames > 1
          ? { channel, frame, channels: this.info.channels, frames: this.info.frames }
          : {}),
        ...(this.info.intensityScale !== undefined ? { intensityScale: this.info.intensityScale } : {}),
        extra: { ...this.info.extra },
      },
    };
  }

  async close(): Promise<void> {
    await this.src.handle.close().catch(() => undefined);
  }
}

function checkUniform(
  file: string,
  pages: TiffPage[],
  used: number[],
  fileBytes: number,
  maxBytes: number,
): SampleType {
  const first = pages[used[0]!]!;
  const type = checkPage(file, fileBytes, first, maxBytes);
  for (const i of used) {
    const p = pages[i]!;
    const t = checkPage(file, fileBytes, p, maxBytes);
    if (p.width !== first.width || p.height !== first.height || t !== type) {
      throw new UnsupportedFormatError(
        file,
        `pages of different sizes or types: page ${first.index} is ${first.width}×${first.height} ${type}, page ${p.index} is ${p.width}×${p.height} ${t}`,
        'Only stacks whose slices all have the same size and type can be read.',
      );
    }
  }
  const over = overExpanded(
    used.map((i) => pages[i]!),
    (p) => declaredBytes(p, type),
  );
  if (over) {
    throw new TiffFormatError(
      file,
      `corrupt or hostile: its ${used.length} pages declare ${over.declared} bytes of pixels but their image data occupies only ${over.stored} distinct bytes of the file`,
      'Pages share one block of image data, which no genuine stack does; re-save the file with ImageJ/Fiji or tifffile.',
    );
  }
  return type;
}

function calibration(
  layout: StackLayout,
  options: OpenOptions,
): Pick<TiffInfo, 'voxelSize' | 'voxelSizeAssumed' | 'voxelSizeSource'> {
  const override = options.voxelSize;
  if (override)
    return { voxelSize: { ...override }, voxelSizeAssumed: false, voxelSizeSource: options.voxelSizeSource ?? 'cli' };
  return {
    voxelSize: layout.voxelSize,
    voxelSizeAssumed: layout.voxelSizeAssumed,
    voxelSizeSource: layout.voxelSizeAssumed && layout.voxelSize.unit === 'px' ? 'none' : 'file',
  };
}

/** Opens a TIFF stack or an OME-Zarr folder for lazy reading. The caller must close() the reader. */
export async function openVolume(path: string, options: OpenOptions = {}): Promise<VolumeReader> {
  if (await isZarrFolder(path)) return openZarrVolume(path, options);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const src = await openHandle(path);
  try {
    const structure = await readStructure(src);
    // Reduced-resolution pages (thumbnails, pyramid levels) are not slices of the stack.
    const pages = structure.pages.filter((p, i) => i === 0 || (p.subfileType & 1) === 0);
    const checked = checkLayout(path, describeLayout(path, pages), options);
    const layout = checked.layout;
    const { slices, channels, frames } = layout;
    const used: number[] = [];
    for (let t = 0; t < frames; t++)
      for (let c = 0; c < channels; c++) for (let z = 0; z < slices; z++) used.push(layout.pageOf(z, c, t));
    const type = checkUniform(path, pages, used, structure.fileBytes, maxBytes);
    const first = pages[used[0]!]!;
    const info: TiffInfo = {
      file: path,
      fileBytes: structure.fileBytes,
      shape: [slices, first.height, first.width],
      channels,
      frames,
      pages: structure.pages.length,
      dtype: type,
      ...calibration(layout, options),
      warnings: checked.warnings,
      sourceFormat: layout.sourceFormat + (structure.bigTiff ? '-bigtiff' : ''),
      bigTiff: structure.bigTiff,
      byteOrder: structure.littleEndian ? 'little-endian' : 'big-endian',
      // checkPage (through checkUniform) has refused compressions without a name.
      compression: COMPRESSION_NAMES[first.compression]!,
      ...(layout.intensityScale !== undefined ? { intensityScale: layout.intensityScale } : {}),
      extra: layout.extra,
    };
    info.warnings.push(...calibrationWarnings(info.voxelSize, path));
    return new TiffVolumeReader(src, pages, layout, structure.littleEndian, maxBytes, info);
  } catch (e) {
    await src.handle.close().catch(() => undefined);
    throw e;
  }
}

export interface ReadOptions extends SliceSelection, OpenOptions {
  /** Reject single-slice (2D) images with UnsupportedFormatError. */
  require3d?: boolean;
}

/** Reads one channel/frame of a TIFF stack into memory as float32. */
export async function readVolume(path: string, options: ReadOptions = {}): Promise<Volume> {
  const reader = await openVolume(path, options);
  try {
    if (options.require3d && reader.shape[0] < 2) {
      throw new UnsupportedFormatError(
        path,
        `is a 2D image (${reader.shape[2]}×${reader.shape[1]}, one z slice); a 3D stack is needed`,
        'Open a z-stack; in ImageJ check Image › Properties that the slices are not stored as frames or channels.',
      );
    }
    return await reader.readAll(options);
  } finally {
    await reader.close();
  }
}

/** Shape, type, calibration and format of a TIFF without reading its pixels. */
export async function readTiffInfo(path: string, options: OpenOptions = {}): Promise<TiffInfo> {
  const reader = await openVolume(path, options);
  await reader.close();
  return reader.info;
}
