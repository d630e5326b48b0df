// Writes ImageJ-compatible TIFF stacks or OME-TIFFs (float32 or uint16), whole or slice-by-slice, through a temp file
// that is renamed onto the target only when complete: a crash never leaves a half-written stack.
//
// uint16 output: each value is rounded to the nearest integer (halves away from zero) and clipped to
// [0, 65535]; NaN becomes 0. Scale the data first if it is normalised to [0, 1].
import { promises as fs } from 'node:fs';
import { checkSlab } from './slab-check';
import { basename } from 'node:path';
import type { Shape3, Volume, VolumeMetadata, VoxelSize } from './volume';
import { checkExisting, prepareTarget, tempPathFor, writeError } from './atomic';
import { writeBudgetFor, type WriteBudget } from './write-faults';
import { planLayout, headerBytes, tailBytes, imagejDescription, type Layout, type WriteDtype } from './imagej-layout';
import { omeDescription } from './ome-write';
import { resolveOutputFormat, type OutputFormat } from './output-format';
import { createZarrWriter } from './zarr/write';
import type { NgffVersion } from './zarr/ngff-docs';
import { FileExistsError, InvalidParameterError, InvalidVolumeError, NotRegularFileError } from '../errors';

export type { WriteDtype } from './imagej-layout';
export type { OutputFormat } from './output-format';

export interface VolumeWriterOptions {
  shape: Shape3;
  voxelSize: VoxelSize;
  dtype?: WriteDtype;
  force?: boolean;
  /** The folder the file must resolve into (a project's results); see atomic.prepareTarget. */
  within?: string;
  metadata?: Partial<Pick<VolumeMetadata, 'intensityScale' | 'extra'>>;
  /** File size (bytes) above which BigTIFF is written; default just under 4 GiB. */
  bigTiffThreshold?: number;
  /** A hyperstack of `channels` × `frames` volumes of `shape` (write each with writeSlicesAt); default 1 × 1. */
  channels?: number;
  frames?: number;
  /** 'imagej', 'ome-tiff' (same pixel pages, OME-XML description) or 'ome-zarr' (zarr/write.ts); default from the name (output-format.ts). */
  format?: OutputFormat;
  /** OME-Zarr only: NGFF 0.4 on Zarr v2 (default) or 0.5 on Zarr v3 (zarr/ngff-docs.ts). */
  ngff?: NgffVersion;
}

export interface VolumeWriter {
  readonly path: string;
  readonly bigTiff: boolean;
  readonly format: OutputFormat;
  /** Appends the next `zCount` slices (z-major float32, zCount·y·x values). */
  writeSlices(data: Float32Array, zCount?: number): Promise<void>;
  /** Writes slices z0… of the volume of channel c at frame t (hyperstacks; any order, each page once). */
  writeSlicesAt(c: number, t: number, z0: number, data: Float32Array): Promise<void>;
  /** Replaces the metadata written at close (e.g. per-channel normalisation known only after processing). */
  setMetadata(metadata: NonNullable<VolumeWriterOptions['metadata']>): void;
  /** Writes the IFDs and description, syncs, and renames the temp file onto the target. */
  close(): Promise<void>;
  /** Deletes the temp file; the target is left as it was. */
  abort(): Promise<void>;
}

/** uint16 conversion: round half away from zero, clip to [0, 65535], NaN → 0. */
export function toUint16(data: Float32Array): Uint16Array {
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    out[i] = v > 0 ? (v >= 65535 ? 65535 : Math.round(v)) : 0;
  }
  return out;
}

function encode(data: Float32Array, dtype: WriteDtype): Uint8Array {
  const typed = dtype === 'uint16' ? toUint16(data) : data;
  // Our files are little-endian; so is every host Node runs on in practice, but convert if not.
  const bytes = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) return bytes;
  const out = new Uint8Array(bytes.length);
  const w = typed.BYTES_PER_ELEMENT;
  for (let i = 0; i < bytes.length; i += w) for (let k = 0; k < w; k++) out[i + k] = bytes[i + w - 1 - k]!;
  return out;
}

function validate(path: string, o: VolumeWriterOptions): void {
  const [nz, ny, nx] = o.shape;
  if (![nz, ny, nx].every((n) => Number.isInteger(n) && n > 0))
    throw new InvalidVolumeError(`cannot write ${path}: shape ${o.shape.join('×')} has a zero or invalid dimension`);
  if (ny > 0xffffffff || nx > 0xffffffff)
    throw new InvalidVolumeError(`cannot write ${path}: slices of ${nx}×${ny} are too large for TIFF`);
  const dtype = o.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'uint16')
    throw new InvalidParameterError('dtype', `"${String(dtype)}" is not one of float32, uint16`);
  for (const n of [o.channels ?? 1, o.frames ?? 1])
    if (!Number.isInteger(n) || n < 1)
      throw new InvalidVolumeError(
        `cannot write ${path}: ${o.channels} channels × ${o.frames} frames is not a valid hyperstack`,
      );
}

class TiffStackWriter implements VolumeWriter {
  private written = 0;
  /** Pages written by writeSlicesAt, so a page written twice or never is caught at close. */
  private readonly pageDone: Uint8Array;
  private min = Infinity;
  private max = -Infinity;
  private done = false;
  constructor(
    readonly path: string,
    private readonly tmp: string,
    private readonly handle: fs.FileHandle,
    private readonly layout: Layout,
    private readonly o: Required<Pick<VolumeWriterOptions, 'shape' | 'voxelSize' | 'dtype' | 'format'>> &
      VolumeWriterOptions,
    private readonly budget: WriteBudget | null = null,
  ) {
    this.pageDone = new Uint8Array(this.layout.ifdOffsets.length);
  }

  setMetadata(metadata: NonNullable<VolumeWriterOptions['metadata']>): void {
    this.o.metadata = metadata;
  }

  get bigTiff(): boolean {
    return this.layout.bigTiff;
  }
  get format(): OutputFormat {
    return this.o.format;
  }

  private async put(bytes: Uint8Array, position: number): Promise<void> {
    let off = 0;
    while (off < bytes.byteLength) {
      const want = bytes.byteLength - off;
      const { bytesWritten } = await this.handle.write(
        bytes,
        off,
        this.budget ? this.budget.take(position + off, want) : want,
        position + off,
      );
      off += bytesWritten;
    }
  }

  async writeSlices(data: Float32Array, zCount?: number): Promise<void> {
    if (this.done) throw new InvalidParameterError('writer', `${this.path} is already closed`);
    const [nz, ny, nx] = this.o.shape;
    const n = zCount ?? data.length / (ny * nx);
    if (!Number.isInteger(n) || n <= 0 || data.length !== n * ny * nx)
      throw new InvalidVolumeError(
        `writing ${this.path}: ${data.length} values are not ${zCount ?? 'a whole number of'} slices of ${nx}×${ny}`,
      );
    if (this.written + n > nz)
      throw new InvalidVolumeError(`writing ${this.path}: ${this.written + n} slices exceed the declared ${nz}`);
    if (this.pageDone.length !== nz)
      throw new InvalidVolumeError(`writing ${this.path}: a hyperstack is written with writeSlicesAt`);
    await this.putSlices(data, this.written);
    this.pageDone.fill(1, this.written, this.written + n);
    this.written += n;
  }

  async writeSlicesAt(c: number, t: number, z0: number, data: Float32Array): Promise<void> {
    const n = checkSlab({ path: this.path, done: this.done, ...this.o }, c, t, z0, data.length);
    const [nz, ny, nx] = this.o.shape;
    const nc = this.o.channels ?? 1;
    const slice = ny * nx;
    for (let z = z0; z < z0 + n; z++) {
      // ImageJ's page order: channel fastest, then slice, then frame.
      const page = (t * nz + z) * nc + c;
      if (this.pageDone[page])
        throw new InvalidVolumeError(`writing ${this.path}: channel ${c}, frame ${t}, slice ${z} was already written`);
      await this.putSlices(data.subarray((z - z0) * slice, (z - z0 + 1) * slice), page);
      this.pageDone[page] = 1;
    }
    this.written += n;
  }

  private async putSlices(data: Float32Array, page: number): Promise<void> {
    const out = this.o.dtype === 'uint16' ? null : data;
    for (let i = 0; i < data.length; i++) {
      const v = out ? data[i]! : Math.min(65535, Math.max(0, Math.round(data[i]!) || 0));
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
    }
    try {
      await this.put(encode(data, this.o.dtype), this.layout.headerBytes + page * this.layout.sliceBytes);
    } catch (e) {
      await this.abort();
      throw writeError(this.path, e);
    }
  }

  async close(): Promise<void> {
    if (this.done) return;
    const pages = this.pageDone.length;
    if (this.written !== pages || this.pageDone.includes(0)) {
      await this.abort();
      throw new InvalidVolumeError(
        `writing ${this.path}: only ${this.written} of ${pages} slices were written; nothing was saved`,
      );
    }
    const description = this.description();
    try {
      await this.put(headerBytes(this.layout), 0);
      await this.put(
        tailBytes(this.layout, this.o.shape, this.o.dtype, this.o.voxelSize, description),
        this.layout.dataEnd,
      );
      await this.handle.sync();
      await this.handle.close();
      this.done = true;
      await checkExisting(this.path, this.o.force);
      await fs.rename(this.tmp, this.path);
    } catch (e) {
      await this.abort();
      if (e instanceof FileExistsError || e instanceof NotRegularFileError) throw e;
      throw writeError(this.path, e);
    }
  }

  private description(): string {
    const {
      shape: [nz, ny, nx],
      channels,
      frames,
      voxelSize,
      metadata,
    } = this.o;
    if (this.o.format === 'ome-tiff') {
      return omeDescription({
        nx,
        ny,
        nz,
        channels,
        frames,
        dtype: this.o.dtype,
        voxelSize,
        name: basename(this.path),
        intensityScale: metadata?.intensityScale,
        extra: metadata?.extra,
      });
    }
    return imagejDescription({
      nz,
      channels,
      frames,
      voxelSize,
      min: this.min === Infinity ? 0 : this.min,
      max: this.max === -Infinity ? 0 : this.max,
      intensityScale: metadata?.intensityScale,
      extra: metadata?.extra,
    });
  }

  async abort(): Promise<void> {
    if (!this.done) await this.handle.close().catch(() => undefined);
    this.done = true;
    await fs.rm(this.tmp, { force: true }).catch(() => undefined);
  }
}

/** Starts a slice-by-slice ImageJ TIFF or OME-TIFF write (for tile-by-tile inference). Call close() or abort(). */
export async function createVolumeWriter(path: string, options: VolumeWriterOptions): Promise<VolumeWriter> {
  validate(path, options);
  const o = {
    ...options,
    dtype: options.dtype ?? 'float32',
    shape: [...options.shape] as Shape3,
    format: resolveOutputFormat(path, options.format),
  };
  if (o.format === 'ome-zarr') return createZarrWriter(path, o);
  await prepareTarget(path, o);
  const layout = planLayout(
    o.shape,
    o.dtype,
    options.bigTiffThreshold,
    o.shape[0] * (o.channels ?? 1) * (o.frames ?? 1),
  );
  const tmp = tempPathFor(path);
  let handle: fs.FileHandle;
  let budget: WriteBudget | null;
  try {
    budget = writeBudgetFor(path, tmp);
    handle = await fs.open(tmp, 'wx');
  } catch (e) {
    throw writeError(path, e);
  }
  return new TiffStackWriter(path, tmp, handle, layout, o, budget);
}

export interface WriteOptions {
  dtype?: WriteDtype;
  force?: boolean;
  within?: string;
  bigTiffThreshold?: number;
  format?: OutputFormat;
}

/** Writes a whole volume as an ImageJ TIFF or OME-TIFF with its voxel size (atomic; refuses to overwrite without force). */
export async function writeVolume(path: string, vol: Volume, options: WriteOptions = {}): Promise<void> {
  const writer = await createVolumeWriter(path, {
    shape: vol.shape,
    voxelSize: vol.voxelSize,
    dtype: options.dtype,
    force: options.force,
    within: options.within,
    bigTiffThreshold: options.bigTiffThreshold,
    format: options.format,
    metadata: { intensityScale: vol.metadata.intensityScale, extra: vol.metadata.extra },
  });
  try {
    const sliceLen = vol.shape[1] * vol.shape[2];
    if (vol.data.length !== vol.shape[0] * sliceLen)
      throw new InvalidVolumeError(
        `cannot write ${path}: data length ${vol.data.length} does not match shape ${vol.shape.join('×')}`,
      );
    // Write in chunks of about 64 MiB so a uint16 conversion never doubles a large volume in memory.
    const step = Math.max(1, Math.floor((64 * 1024 * 1024) / (sliceLen * 4)));
    for (let z = 0; z < vol.shape[0]; z += step) {
      const z1 = Math.min(vol.shape[0], z + step);
      await writer.writeSlices(vol.data.subarray(z * sliceLen, z1 * sliceLen), z1 - z);
    }
    await writer.close();
  } catch (e) {
    await writer.abort();
    throw e;
  }
}
