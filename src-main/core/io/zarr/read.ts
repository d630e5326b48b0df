// OME-Zarr input through the same VolumeReader as TIFF: the full-resolution level of the first multiscale,
// any tczyx subset of axes, physical scale converted to µm, channel labels from `omero`. Chunks are decoded
// by zarrita from a store confined to the folder (store.ts); metadata is checked before any pixel is read.
import * as zarr from 'zarrita';
import type { Shape3, Volume, VoxelSize } from '../volume';
import type { OpenOptions, SliceSelection, TiffInfo, VolumeReader } from '../reader';
import { InvalidParameterError, isCycleDeconError, OutOfMemoryError, ZarrFormatError } from '../../errors';
import { calibrationWarnings } from '../calibration';
import { finishVoxelSize } from '../metadata';
import { ConfinedFolderStore } from './store';
import { parseNgffImage, type AxisName, type NgffImage } from './ngff';
import { checkArray, type ArrayFacts } from './array-check';

const DEFAULT_MAX_BYTES = 8 * 1024 ** 3;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Root attributes (v2 .zattrs or v3 zarr.json), and the image group under a bioformats2raw layout. */
async function imageGroup(
  store: ConfinedFolderStore,
  warnings: string[],
): Promise<{ prefix: string; attrs: unknown; v3: boolean }> {
  const v3doc = await store.json('/zarr.json');
  const attrsOf = async (prefix: string) =>
    v3doc !== undefined
      ? ((await store.json(`${prefix}/zarr.json`)) as Obj | undefined)?.attributes
      : await store.json(`${prefix}/.zattrs`);
  const top = await attrsOf('');
  const layout = isObj(top)
    ? isObj(top.ome)
      ? top.ome['bioformats2raw.layout']
      : top['bioformats2raw.layout']
    : undefined;
  const hasMultiscales =
    isObj(top) && (Array.isArray(top.multiscales) || (isObj(top.ome) && Array.isArray(top.ome.multiscales)));
  if (layout !== undefined && !hasMultiscales) {
    // bioformats2raw writes each series of a vendor file as its own image group: 0, 1, …
    if (await store.get(v3doc !== undefined ? '/1/zarr.json' : '/1/.zattrs'))
      warnings.push(`${store.folder}: holds several series (bioformats2raw layout); series 0 is read`);
    return { prefix: '/0', attrs: await attrsOf('/0'), v3: v3doc !== undefined };
  }
  return { prefix: '', attrs: top, v3: v3doc !== undefined };
}

/** Voxel size in µm from the NGFF scale, or unitless when a spatial axis has no known unit. */
function voxelSizeOf(
  file: string,
  img: NgffImage,
  nz: number,
  warnings: string[],
): { voxelSize: VoxelSize; assumed: boolean } {
  const at = (n: AxisName) => img.axes.indexOf(n);
  const s = (n: 'x' | 'y' | 'z') => (at(n) >= 0 ? img.scale[at(n)]! : undefined);
  const known =
    (['x', 'y'] as const).every((n) => img.umPerUnit[n] !== undefined) &&
    (at('z') < 0 || img.umPerUnit.z !== undefined);
  if (!known) {
    const units = (['x', 'y', 'z'] as const)
      .filter((n) => at(n) >= 0)
      .map((n) => `${n}: ${img.units[n] ?? 'none'}`)
      .join(', ');
    warnings.push(
      `${file}: the spatial axes have no unit we know (${units}); the scale is read as pixels. Give --voxel-size to calibrate.`,
    );
    return { voxelSize: { x: s('x') ?? 1, y: s('y') ?? 1, z: s('z') ?? 1, unit: 'px' }, assumed: true };
  }
  const um = (n: 'x' | 'y' | 'z') => (s(n) === undefined ? undefined : s(n)! * img.umPerUnit[n]!);
  return finishVoxelSize(um('x'), um('y'), um('z'), nz);
}

/** A decoded z-slab is kept for the next read only up to this size (slice-by-slice readers reuse it). */
const SLAB_CACHE_BYTES = 256 * 1024 * 1024;

class ZarrVolumeReader implements VolumeReader {
  /** The last chunk-aligned z-slab read: a slice-by-slice reader (convert) would otherwise decode each chunk once per slice. */
  private slab: { key: string; data: Float32Array } | null = null;
  constructor(
    private readonly arr: zarr.Array<zarr.DataType, ConfinedFolderStore>,
    private readonly axes: AxisName[],
    private readonly maxBytes: number,
    readonly info: TiffInfo,
    private readonly chunkZ: number,
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
    for (const [name, v, n] of [
      ['channel', channel, this.info.channels],
      ['frame', frame, this.info.frames],
    ] as const) {
      if (!Number.isInteger(v) || v < 0 || v >= n)
        throw new InvalidParameterError(name, `${v} is out of range (the file has ${n}; counting from 0)`);
    }
    if (!Number.isInteger(z0) || !Number.isInteger(z1) || z0 < 0 || z1 > nz || z0 >= z1)
      throw new InvalidParameterError('slices', `range ${z0}–${z1} is not within 0–${nz}`);
    const bytes = (z1 - z0) * ny * nx * 4;
    if (bytes > this.maxBytes)
      throw new OutOfMemoryError(
        `${this.info.file}: reading ${z1 - z0} slices needs ${bytes} bytes, above the ${this.maxBytes}-byte limit`,
        'Read fewer slices at a time.',
      );
    const s0 = Math.floor(z0 / this.chunkZ) * this.chunkZ,
      s1 = Math.min(nz, s0 + this.chunkZ);
    // Part of one slab (not all of it: then there is nothing to reuse, and no copy to make).
    if (z1 <= s1 && (z0 !== s0 || z1 !== s1) && (s1 - s0) * ny * nx * 4 <= Math.min(SLAB_CACHE_BYTES, this.maxBytes)) {
      const key = `${channel}/${frame}/${s0}`;
      if (this.slab?.key !== key) this.slab = { key, data: await this.decode(s0, s1, channel, frame) };
      return this.slab.data.slice((z0 - s0) * ny * nx, (z1 - s0) * ny * nx);
    }
    return this.decode(z0, z1, channel, frame);
  }

  /**
   * The box [start, start + size) of one channel/frame, decoding only the chunks it touches: out-of-core
   * deconvolution reads a box and its halo, never whole slices.
   */
  async readBox(start: Shape3, size: Shape3, sel: SliceSelection = {}): Promise<Float32Array> {
    const { channel = 0, frame = 0 } = sel;
    const shape = this.info.shape;
    for (const [name, v, n] of [
      ['channel', channel, this.info.channels],
      ['frame', frame, this.info.frames],
    ] as const) {
      if (!Number.isInteger(v) || v < 0 || v >= n)
        throw new InvalidParameterError(name, `${v} is out of range (the file has ${n}; counting from 0)`);
    }
    if (
      start.some(
        (s, a) =>
          !Number.isInteger(s) || !Number.isInteger(size[a]) || s < 0 || size[a]! < 1 || s + size[a]! > shape[a]!,
      )
    ) {
      throw new InvalidParameterError('box', `${start.join(',')} + ${size.join('×')} is not within ${shape.join('×')}`);
    }
    const bytes = size[0] * size[1] * size[2] * 4;
    if (bytes > this.maxBytes)
      throw new OutOfMemoryError(
        `${this.info.file}: reading a ${size.join('×')} box needs ${bytes} bytes, above the ${this.maxBytes}-byte limit`,
        'Use smaller boxes.',
      );
    const range = {
      z: zarr.slice(start[0], start[0] + size[0]),
      y: zarr.slice(start[1], start[1] + size[1]),
      x: zarr.slice(start[2], start[2] + size[2]),
    };
    return this.get(this.axes.map((a) => (a === 't' ? frame : a === 'c' ? channel : range[a])));
  }

  private async decode(z0: number, z1: number, channel: number, frame: number): Promise<Float32Array> {
    return this.get(
      this.axes.map((a) => (a === 't' ? frame : a === 'c' ? channel : a === 'z' ? zarr.slice(z0, z1) : null)),
    );
  }

  private async get(selection: (number | zarr.Slice | null)[]): Promise<Float32Array> {
    let chunk: { data: ArrayLike<number> };
    try {
      chunk = (await zarr.get(this.arr, selection)) as { data: ArrayLike<number> };
    } catch (e) {
      if (isCycleDeconError(e)) throw e;
      throw new ZarrFormatError(
        this.info.file,
        `a chunk could not be decoded (${(e as Error).message})`,
        'The folder is damaged or was written with a codec we cannot decode.',
      );
    }
    return Float32Array.from(chunk.data);
  }

  async readAll(sel: SliceSelection = {}): Promise<Volume> {
    const { channel = 0, frame = 0 } = sel;
    const data = await this.readSlices(0, this.info.shape[0], sel);
    const i = this.info;
    return {
      data,
      shape: this.shape,
      voxelSize: this.voxelSize,
      metadata: {
        sourceFormat: i.sourceFormat,
        sourceDtype: i.dtype,
        voxelSizeSource: i.voxelSizeSource,
        ...(i.voxelSizeAssumed ? { voxelSizeAssumed: true } : {}),
        ...(i.warnings.length ? { warnings: [...i.warnings] } : {}),
        ...(i.channels > 1 || i.frames > 1 ? { channel, frame, channels: i.channels, frames: i.frames } : {}),
        extra: { ...i.extra },
      },
    };
  }

  async close(): Promise<void> {
    this.slab = null; /* files are opened and closed per chunk */
  }
}

function infoOf(path: string, img: NgffImage, facts: ArrayFacts, options: OpenOptions, warnings: string[]): TiffInfo {
  const dim = (n: AxisName) => (img.axes.includes(n) ? facts.shape[img.axes.indexOf(n)]! : 1);
  const shape: Shape3 = [dim('z'), dim('y'), dim('x')];
  if (shape.some((n) => n === 0) || dim('c') === 0 || dim('t') === 0)
    throw new ZarrFormatError(path, `has an empty axis (shape ${facts.shape.join('×')})`);
  const own = voxelSizeOf(path, img, shape[0], warnings);
  const override = options.voxelSize;
  const extra: Record<string, string> = { 'ome.ngff.version': img.version };
  if (img.channelNames) extra['ome.channels'] = JSON.stringify(img.channelNames);
  const info: TiffInfo = {
    file: path,
    fileBytes: 0,
    shape,
    channels: dim('c'),
    frames: dim('t'),
    pages: shape[0] * dim('c') * dim('t'),
    dtype: facts.dtype,
    voxelSize: override ? { ...override } : own.voxelSize,
    voxelSizeAssumed: override ? false : own.assumed,
    voxelSizeSource: override
      ? (options.voxelSizeSource ?? 'cli')
      : own.assumed && own.voxelSize.unit === 'px'
        ? 'none'
        : 'file',
    warnings,
    sourceFormat: `ome-zarr-${img.version}`,
    bigTiff: false,
    byteOrder: 'little-endian',
    compression: facts.codecs.filter((c) => c !== 'bytes').join('+') || 'none',
    extra,
  };
  if (img.channelNames && img.channelNames.length !== info.channels)
    warnings.push(
      `${path}: omero lists ${img.channelNames.length} channels but the array has ${info.channels}; channel names ignored`,
    );
  info.warnings.push(...calibrationWarnings(info.voxelSize, path));
  return info;
}

/** A reader that can read a box of voxels (an OME-Zarr input), not only whole slices. */
export interface BoxReader extends VolumeReader {
  readBox(start: Shape3, size: Shape3, sel?: SliceSelection): Promise<Float32Array>;
}

export function isBoxReader(r: VolumeReader): r is BoxReader {
  return typeof (r as Partial<BoxReader>).readBox === 'function';
}

/** Opens an OME-Zarr folder (NGFF 0.1–0.5) for lazy reading, z-slab by z-slab or box by box. */
export async function openZarrVolume(path: string, options: OpenOptions = {}): Promise<BoxReader> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const store = await ConfinedFolderStore.open(path, Math.min(maxBytes, 2 * 1024 ** 3));
  const warnings: string[] = [];
  const group = await imageGroup(store, warnings);
  const img = parseNgffImage(path, group.attrs);
  const dsKey = `${group.prefix}/${img.path}`;
  const metaDoc = await store.json(`${dsKey}/${group.v3 ? 'zarr.json' : '.zarray'}`);
  const facts = checkArray(path, `dataset ${img.path}`, metaDoc, img.axes.length);
  const info = infoOf(path, img, facts, options, warnings);
  let arr: zarr.Array<zarr.DataType, ConfinedFolderStore>;
  try {
    arr = await zarr.open(zarr.root(store).resolve(dsKey.replace(/^\//, '')), { kind: 'array' });
  } catch (e) {
    if (isCycleDeconError(e)) throw e;
    throw new ZarrFormatError(path, `dataset ${img.path} could not be opened (${(e as Error).message})`);
  }
  const zAxis = img.axes.indexOf('z');
  return new ZarrVolumeReader(arr, img.axes, maxBytes, info, zAxis < 0 ? 1 : facts.chunks[zAxis]!);
}
