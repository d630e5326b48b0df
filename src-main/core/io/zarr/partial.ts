// An OME-Zarr output built box by box, resumable: everything goes into `<out>.partial/` (level-0 chunks,
// then the pyramid, then the metadata), with a progress record rewritten after each box (progress.ts).
// A killed run leaves the folder; the same command continues it, skipping complete boxes; a different
// input or options are refused (ResumeMismatchError). When done, the folder is renamed onto `<out>`.
// Layout and metadata are those of write.ts (NGFF 0.4 on Zarr v2 or 0.5 on v3, gzip, '/' keys); boxes are the level-0
// chunks, so no chunk is ever written by two boxes.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Shape3 } from '../volume';
import { writeError } from '../atomic';
import { confinedPath, kindOf } from '../paths';
import { FileExistsError, NotRegularFileError } from '../../errors';
import { planLevels, type Level } from './pyramid';
import type { ImageDescription } from './ngff-write';
import { DEFAULT_NGFF, jsonBytes, metadataDocuments, volumeDir } from './ngff-docs';
import { chunkOf, writeChunkFile } from './chunk-codec';
import { buildLevel, type StreamLayout } from './pyramid-stream';
import {
  mismatch,
  PROGRESS_FILE,
  readProgress,
  ResumeMismatchError,
  writeProgress,
  type ProgressRecord,
} from './progress';
import { isZarrFolder } from './store';

export type { StreamLayout };

/** One box: a level-0 chunk of one channel at one time point. */
export interface OutputBox {
  index: number;
  t: number;
  c: number;
  start: Shape3;
  size: Shape3;
}

export interface PartialOptions {
  fingerprint: string;
  optionsKey: string;
  options: Record<string, unknown>;
  force?: boolean;
  within?: string;
}

const TMP = '.tmp';

/** Levels of `shape` with the given level-0 chunk (coarser levels keep the chunk, clipped to their shape). */
export function streamLevels(shape: Shape3, chunk: Shape3): Level[] {
  return planLevels(shape).map((l) => ({ ...l, chunks: l.shape.map((n, a) => Math.min(n, chunk[a]!)) as Shape3 }));
}

/** Every box of the output, frame-major, then channel, z, y, x (the order they are computed in). */
export function planBoxes(layout: StreamLayout): OutputBox[] {
  const [nz, ny, nx] = layout.shape;
  const ch = layout.shape.map((n, a) => Math.min(n, layout.chunk[a]!)) as Shape3;
  const boxes: OutputBox[] = [];
  for (let t = 0; t < layout.frames; t++)
    for (let c = 0; c < layout.channels; c++) {
      for (let z = 0; z < nz; z += ch[0])
        for (let y = 0; y < ny; y += ch[1])
          for (let x = 0; x < nx; x += ch[2]) {
            boxes.push({
              index: boxes.length,
              t,
              c,
              start: [z, y, x],
              size: [Math.min(ch[0], nz - z), Math.min(ch[1], ny - y), Math.min(ch[2], nx - x)],
            });
          }
    }
  return boxes;
}

/** An existing target may be replaced (with force) only when it is an OME-Zarr or a regular file. */
async function checkTarget(target: string, force: boolean): Promise<void> {
  const st = await fs.lstat(target).catch(() => null);
  if (!st) return;
  if (!force) throw new FileExistsError(target);
  if (st.isFile()) return;
  if (!st.isDirectory() || !(await isZarrFolder(target)))
    throw new NotRegularFileError(target, st.isDirectory() ? 'a folder that is not an OME-Zarr' : kindOf(st));
}

export class PartialZarr {
  readonly levels: Level[];
  readonly boxes: OutputBox[];
  private done: Uint8Array;
  /** Boxes already complete when this run started (a resumed run skips them). */
  readonly resumed: number;

  private constructor(
    readonly target: string,
    readonly folder: string,
    readonly layout: StreamLayout,
    private record: ProgressRecord,
  ) {
    this.levels = streamLevels(layout.shape, layout.chunk);
    this.boxes = planBoxes(layout);
    this.done = Uint8Array.from(record.done, (ch) => (ch === '1' ? 1 : 0));
    this.resumed = this.done.reduce((a, b) => a + b, 0);
  }

  /** Opens `<target>.partial` to continue it, or starts one; refuses an existing target (without force) or a mismatched partial. */
  static async begin(target: string, layout: StreamLayout, o: PartialOptions): Promise<PartialZarr> {
    if (o.within !== undefined) await confinedPath(o.within, target);
    await checkTarget(target, o.force ?? false);
    const folder = `${target}.partial`;
    const boxes = planBoxes(layout).length;
    const st = await fs.lstat(folder).catch(() => null);
    if (st && !st.isDirectory()) throw new NotRegularFileError(folder, kindOf(st));
    let stored = st
      ? await readProgress(folder).catch((e: unknown) => {
          if (o.force) return undefined;
          throw e;
        })
      : undefined;
    if (st && !stored && !o.force)
      throw new ResumeMismatchError(folder, 'by something else (it has no progress record)');
    const why =
      stored &&
      (mismatch(stored, o.fingerprint, o.optionsKey, o.options) ??
        (stored.boxes !== boxes ? `with ${stored.boxes} boxes, not ${boxes}` : undefined));
    if (why && !o.force) throw new ResumeMismatchError(folder, why);
    if (st && (why || !stored)) {
      await fs.rm(folder, { recursive: true, force: true });
      stored = undefined;
    }
    if (!stored) {
      stored = {
        version: 1,
        fingerprint: o.fingerprint,
        optionsKey: o.optionsKey,
        options: o.options,
        boxes,
        done: '0'.repeat(boxes),
        levels: 1,
        min: Infinity,
        max: -Infinity,
        state: {},
      };
      // Built aside and renamed: a kill here leaves no partial folder without its record.
      const fresh = `${folder}.${process.pid}.new`;
      try {
        await fs.mkdir(join(fresh, TMP), { recursive: true });
        await writeProgress(fresh, stored);
        await fs.rename(fresh, folder);
      } catch (e) {
        await fs.rm(fresh, { recursive: true, force: true }).catch(() => undefined);
        throw writeError(target, e);
      }
    }
    await fs.mkdir(join(folder, TMP), { recursive: true });
    return new PartialZarr(target, folder, layout, stored);
  }

  isDone(index: number): boolean {
    return this.done[index] === 1;
  }
  get complete(): number {
    return this.done.reduce((a, b) => a + b, 0);
  }

  /** State a resumed run needs (e.g. a volume's normalisation), saved with the next progress write. */
  state<T>(key: string): T | undefined {
    return this.record.state[key] as T | undefined;
  }
  async setState(key: string, value: unknown): Promise<void> {
    this.record.state[key] = value;
    await this.save();
  }

  private async save(): Promise<void> {
    this.record.done = Array.from(this.done, (d) => (d ? '1' : '0')).join('');
    try {
      await writeProgress(this.folder, JSON.parse(JSON.stringify(this.record)) as ProgressRecord);
    } catch (e) {
      throw writeError(this.folder, e);
    }
  }

  /** Writes one box's chunks (its voxels, z-major, of box.size), then records the box as complete. */
  async writeBox(box: OutputBox, data: Float32Array): Promise<void> {
    const level = this.levels[0]!;
    const chunk = level.chunks;
    const zi = box.start[0] / chunk[0],
      yi = box.start[1] / chunk[1],
      xi = box.start[2] / chunk[2];
    const raw = chunkOf(data, box.size, [0, 0, 0], box.size, chunk, this.layout.dtype);
    this.track(data);
    try {
      await writeChunkFile(
        join(
          volumeDir(this.folder, this.layout.ngff ?? DEFAULT_NGFF, 0, box.t, box.c),
          String(zi),
          String(yi),
          String(xi),
        ),
        raw,
        join(this.folder, TMP),
      );
    } catch (e) {
      throw writeError(this.target, e);
    }
    this.done[box.index] = 1;
    await this.save();
  }

  private track(data: Float32Array): void {
    const u16 = this.layout.dtype === 'uint16';
    let { min, max } = this.record;
    for (let i = 0; i < data.length; i++) {
      const v = u16 ? Math.min(65535, Math.max(0, Math.round(data[i]!) || 0)) : data[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    this.record.min = min;
    this.record.max = max;
  }

  /** After every box: the pyramid (from the written chunks, level by level), metadata, then the rename onto the target. */
  async finish(d: Omit<ImageDescription, 'levels' | 'dtype' | 'channels' | 'frames'>): Promise<void> {
    const missing = this.boxes.length - this.complete;
    if (missing > 0) throw new Error(`internal: ${missing} boxes of ${this.target} are not written`);
    const desc: ImageDescription = {
      ...d,
      channels: this.layout.channels,
      frames: this.layout.frames,
      dtype: this.layout.dtype,
      levels: this.levels,
    };
    try {
      for (let l = this.record.levels; l < this.levels.length; l++) {
        await buildLevel(this.folder, this.levels[l - 1]!, this.levels[l]!, l, this.layout, join(this.folder, TMP));
        this.record.levels = l + 1;
        await this.save();
      }
      const window = {
        min: this.record.min === Infinity ? 0 : this.record.min,
        max: this.record.max === -Infinity ? 0 : this.record.max,
      };
      for (const [file, doc] of metadataDocuments(desc, window, this.layout.ngff ?? DEFAULT_NGFF))
        await fs.writeFile(join(this.folder, file), jsonBytes(doc));
      await fs.rm(join(this.folder, TMP), { recursive: true, force: true });
      // The record goes after the rename: a kill in between leaves a complete image with a stray record,
      // never a partial folder without one (which a re-run would refuse).
      await this.replaceTarget();
      await fs.rm(join(this.target, PROGRESS_FILE), { force: true });
    } catch (e) {
      if (e instanceof FileExistsError || e instanceof NotRegularFileError) throw e;
      throw writeError(this.target, e);
    }
  }

  /** Renames the finished folder onto the target; an old target (with force) is moved aside first, then removed. */
  private async replaceTarget(): Promise<void> {
    await checkTarget(this.target, true);
    const old = await fs.lstat(this.target).then(
      () => `${this.target}.${process.pid}.old`,
      () => null,
    );
    if (old) await fs.rename(this.target, old);
    try {
      await fs.rename(this.folder, this.target);
    } catch (e) {
      if (old) await fs.rename(old, this.target).catch(() => undefined);
      throw e;
    }
    if (old) await fs.rm(old, { recursive: true, force: true });
  }
}
