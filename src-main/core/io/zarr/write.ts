// OME-Zarr output (NGFF 0.4 on Zarr v2 or, with ngff '0.5', on Zarr v3; gzip) through the same VolumeWriter as TIFF: slices arrive in any
// order; each z-slab of CHUNK_ZYX[0] slices of one channel/frame is encoded, with its pyramid levels, as
// soon as it is complete, so a hyperstack streams with one slab per volume in memory. Everything goes into
// a hidden temp folder beside the target that is renamed onto it at close: a crash leaves no half image.
import { promises as fs } from 'node:fs';
import { checkSlab } from '../slab-check';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import type { Shape3 } from '../volume';
import type { OutputFormat, VolumeWriter, VolumeWriterOptions } from '../writer';
import type { WriteDtype } from '../imagej-layout';
import { writeError } from '../atomic';
import { confinedPath, kindOf } from '../paths';
import { FileExistsError, InvalidVolumeError, NotRegularFileError } from '../../errors';
import { halveXY, planLevels, type Level } from './pyramid';
import { GZIP_LEVEL, type ImageDescription } from './ngff-write';
import { DEFAULT_NGFF, jsonBytes, metadataDocuments, volumeDir } from './ngff-docs';
import { isZarrFolder } from './store';

const gzip = promisify(gzipCb);
/** Chunks compressed at once (each up to 64×256×256×4 bytes = 16 MiB before compression). */
const GZIP_PARALLEL = 4;

/** A hidden temp folder beside the target, named like atomic.tempPathFor's files. */
function tempFolderFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** One level's slab cut into chunk files, each padded to the full chunk (Zarr v2 stores whole chunks). */
function chunkBytes(
  slab: Float32Array,
  slabZ: number,
  level: Level,
  yi: number,
  xi: number,
  dtype: WriteDtype,
): Uint8Array {
  const [cz, cy, cx] = level.chunks;
  const [, ny, nx] = level.shape;
  const out = dtype === 'uint16' ? new Uint16Array(cz * cy * cx) : new Float32Array(cz * cy * cx);
  const y0 = yi * cy,
    x0 = xi * cx,
    h = Math.min(cy, ny - y0),
    w = Math.min(cx, nx - x0);
  for (let z = 0; z < slabZ; z++) {
    for (let y = 0; y < h; y++) {
      const from = (z * ny + y0 + y) * nx + x0;
      const to = (z * cy + y) * cx;
      if (dtype === 'float32') out.set(slab.subarray(from, from + w), to);
      else
        for (let x = 0; x < w; x++) {
          const v = slab[from + x]!;
          out[to + x] = v > 0 ? (v >= 65535 ? 65535 : Math.round(v)) : 0;
        }
    }
  }
  return new Uint8Array(out.buffer);
}

async function writeSynced(file: string, bytes: Uint8Array): Promise<void> {
  const h = await fs.open(file, 'wx');
  try {
    await h.writeFile(bytes);
    await h.sync();
  } finally {
    await h.close();
  }
}

/** An existing target may be replaced (with force) only when it is an OME-Zarr or a regular file. */
async function checkZarrTarget(target: string, force: boolean): Promise<void> {
  const st = await fs.lstat(target).catch(() => null);
  if (!st) return;
  if (!force) throw new FileExistsError(target);
  if (st.isFile()) return;
  if (!st.isDirectory() || !(await isZarrFolder(target)))
    throw new NotRegularFileError(target, st.isDirectory() ? 'a folder that is not an OME-Zarr' : kindOf(st));
}

export class ZarrVolumeWriter implements VolumeWriter {
  readonly bigTiff = false;
  readonly format: OutputFormat = 'ome-zarr';
  private readonly levels: Level[];
  private readonly sliceDone: Uint8Array;
  private readonly slabs = new Map<string, { data: Float32Array; filled: number }>();
  private min = Infinity;
  private max = -Infinity;
  private done = false;
  private appended = 0;

  constructor(
    readonly path: string,
    private readonly tmp: string,
    private readonly o: VolumeWriterOptions & { dtype: WriteDtype },
  ) {
    this.levels = planLevels(o.shape);
    this.sliceDone = new Uint8Array(o.shape[0] * (o.channels ?? 1) * (o.frames ?? 1));
  }

  setMetadata(metadata: NonNullable<VolumeWriterOptions['metadata']>): void {
    this.o.metadata = metadata;
  }

  async writeSlices(data: Float32Array, zCount?: number): Promise<void> {
    const [, ny, nx] = this.o.shape;
    const n = zCount ?? data.length / (ny * nx);
    if ((this.o.channels ?? 1) * (this.o.frames ?? 1) !== 1)
      throw new InvalidVolumeError(`writing ${this.path}: a hyperstack is written with writeSlicesAt`);
    await this.writeSlicesAt(0, 0, this.appended, data.subarray(0, n * ny * nx));
    this.appended += n;
  }

  async writeSlicesAt(c: number, t: number, z0: number, data: Float32Array): Promise<void> {
    const n = checkSlab({ path: this.path, done: this.done, ...this.o }, c, t, z0, data.length);
    const [nz, ny, nx] = this.o.shape;
    const nc = this.o.channels ?? 1;
    const cz = this.levels[0]!.chunks[0],
      slice = ny * nx;
    for (let z = z0; z < z0 + n; z++) {
      const k = (t * nc + c) * nz + z;
      if (this.sliceDone[k])
        throw new InvalidVolumeError(`writing ${this.path}: channel ${c}, frame ${t}, slice ${z} was already written`);
      this.sliceDone[k] = 1;
      const zi = Math.floor(z / cz),
        depth = Math.min(cz, nz - zi * cz),
        key = `${t}/${c}/${zi}`;
      let slab = this.slabs.get(key);
      if (!slab) this.slabs.set(key, (slab = { data: new Float32Array(depth * slice), filled: 0 }));
      const src = data.subarray((z - z0) * slice, (z - z0 + 1) * slice);
      this.track(src);
      slab.data.set(src, (z - zi * cz) * slice);
      if (++slab.filled === depth) {
        this.slabs.delete(key);
        await this.flush(t, c, zi, slab.data, depth);
      }
    }
  }

  private track(src: Float32Array): void {
    for (let i = 0; i < src.length; i++) {
      const v = this.o.dtype === 'uint16' ? Math.min(65535, Math.max(0, Math.round(src[i]!) || 0)) : src[i]!;
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
    }
  }

  /** Encodes one complete z-slab at every level. */
  private async flush(t: number, c: number, zi: number, data: Float32Array, depth: number): Promise<void> {
    let slab = data;
    try {
      for (const [l, level] of this.levels.entries()) {
        if (l > 0) slab = halveXY(slab, depth, this.levels[l - 1]!.shape[1], this.levels[l - 1]!.shape[2]).data;
        const dir = join(volumeDir(this.tmp, this.o.ngff ?? DEFAULT_NGFF, l, t, c), String(zi));
        const [, ny, nx] = level.shape,
          [, cy, cx] = level.chunks;
        const tiles: [number, number][] = [];
        for (let yi = 0; yi * cy < ny; yi++) {
          await fs.mkdir(join(dir, String(yi)), { recursive: true });
          for (let xi = 0; xi * cx < nx; xi++) tiles.push([yi, xi]);
        }
        // gzip runs on libuv's thread pool: a few chunks at once use the cores, a bounded number bounds memory.
        let next = 0;
        const worker = async () => {
          for (let k = next++; k < tiles.length; k = next++) {
            const [yi, xi] = tiles[k]!;
            await writeSynced(
              join(dir, String(yi), String(xi)),
              await gzip(chunkBytes(slab, depth, level, yi, xi, this.o.dtype), { level: GZIP_LEVEL }),
            );
          }
        };
        await Promise.all(Array.from({ length: Math.min(GZIP_PARALLEL, tiles.length) }, worker));
      }
    } catch (e) {
      await this.abort();
      throw writeError(this.path, e);
    }
  }

  private description(): ImageDescription {
    const m = this.o.metadata;
    return {
      name: basename(this.path),
      channels: this.o.channels ?? 1,
      frames: this.o.frames ?? 1,
      voxelSize: this.o.voxelSize,
      dtype: this.o.dtype,
      levels: this.levels,
      intensityScale: m?.intensityScale,
      extra: m?.extra,
    };
  }

  async close(): Promise<void> {
    if (this.done) return;
    const missing = this.sliceDone.length - this.sliceDone.reduce((a, b) => a + b, 0);
    if (missing > 0) {
      await this.abort();
      throw new InvalidVolumeError(
        `writing ${this.path}: ${missing} of ${this.sliceDone.length} slices were never written; nothing was saved`,
      );
    }
    const d = this.description();
    const window = { min: this.min === Infinity ? 0 : this.min, max: this.max === -Infinity ? 0 : this.max };
    try {
      for (const [file, doc] of metadataDocuments(d, window, this.o.ngff ?? DEFAULT_NGFF))
        await writeSynced(join(this.tmp, file), jsonBytes(doc));
      this.done = true;
      await this.replaceTarget();
    } catch (e) {
      await this.abort();
      if (e instanceof FileExistsError || e instanceof NotRegularFileError) throw e;
      throw writeError(this.path, e);
    }
  }

  /** Renames the finished temp folder onto the target; an old target (with force) is moved aside first, then removed. */
  private async replaceTarget(): Promise<void> {
    await checkZarrTarget(this.path, this.o.force ?? false);
    const old = await fs.lstat(this.path).then(
      () => tempFolderFor(this.path),
      () => null,
    );
    if (old) await fs.rename(this.path, old);
    try {
      await fs.rename(this.tmp, this.path);
    } catch (e) {
      if (old) await fs.rename(old, this.path).catch(() => undefined);
      throw e;
    }
    if (old) await fs.rm(old, { recursive: true, force: true });
  }

  async abort(): Promise<void> {
    this.done = true;
    this.slabs.clear();
    await fs.rm(this.tmp, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Starts an OME-Zarr write: checks the target (confinement, existing data) before any work. */
export async function createZarrWriter(
  path: string,
  o: VolumeWriterOptions & { dtype: WriteDtype; shape: Shape3 },
): Promise<ZarrVolumeWriter> {
  if (o.within !== undefined) await confinedPath(o.within, path);
  await checkZarrTarget(path, o.force ?? false);
  const tmp = tempFolderFor(path);
  try {
    await fs.mkdir(tmp);
  } catch (e) {
    throw writeError(path, e);
  }
  return new ZarrVolumeWriter(path, tmp, o);
}
