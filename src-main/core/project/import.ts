// Import files and folders into a project as references: duplicates (same content fingerprint at a
// live path) are reported, a dataset whose old path vanished and whose content reappears is "moved",
// and each unreadable file is reported without stopping the rest.
import { promises as fs } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import type { Dataset, DatasetRole } from '../../contract/schemas';
import type { ImportReport } from '../../contract/api';
import { openVolume, type TiffInfo } from '../io/index';
import { writeBytesAtomic } from '../io/atomic';
import { isInside, kindOf } from '../io/paths';
import { isCycleDeconError } from '../errors';
import { contentHash } from './hash';
import { isZarrFolder } from '../io/zarr/store';
import { zarrFingerprint } from '../io/zarr/fingerprint';
import { newId, nowIso } from './ids';
import type { ProjectStore } from './store';
import { maxProjection, thumbnailPng } from './thumbnail';

const SLAB = 16;

/** Reads a stack's metadata and its max projection slab by slab (never the whole stack at once). */
export async function inspectStack(file: string): Promise<{ info: TiffInfo; mip: Float32Array }> {
  const reader = await openVolume(file);
  try {
    const [nz, ny, nx] = reader.shape;
    const mip = new Float32Array(ny * nx).fill(-Infinity);
    for (let z0 = 0; z0 < nz; z0 += SLAB) {
      const z1 = Math.min(nz, z0 + SLAB);
      maxProjection({ data: await reader.readSlices(z0, z1), shape: [z1 - z0, ny, nx] }, mip);
    }
    return { info: reader.info, mip };
  } finally {
    await reader.close();
  }
}

/** What import keeps of a stack: its metadata and a PNG thumbnail of its max projection. */
export async function inspectForImport(file: string): Promise<{ info: TiffInfo; thumbnail: Uint8Array }> {
  const { info, mip } = await inspectStack(file);
  return { info, thumbnail: thumbnailPng(mip, info.shape[1], info.shape[2]) };
}

const STACK_EXT = new Set(['.tif', '.tiff', '.btf', '.tf8']);

/**
 * Expands folders to the stacks inside them (sorted, hidden files skipped). Each entry is resolved through its
 * links, and one that leads out of the folder given (a link to elsewhere) is reported, never followed: the
 * caller checked that folder, not where its links point. Files are returned by their resolved path; FIFOs,
 * sockets and devices are reported, never opened.
 */
export async function expandPaths(
  paths: string[],
  recursive: boolean,
): Promise<{ files: string[]; failed: ImportReport['failed'] }> {
  const files: string[] = [];
  const failed: ImportReport['failed'] = [];
  async function visit(p: string, root: string | null): Promise<void> {
    let real: string, st;
    try {
      real = await fs.realpath(p);
      st = await fs.stat(real);
    } catch (e) {
      failed.push({
        path: p,
        code: 'FILE_NOT_FOUND',
        message: `${p}: ${(e as NodeJS.ErrnoException).code ?? 'cannot stat'}`,
      });
      return;
    }
    if (root !== null && !isInside(root, real)) {
      failed.push({
        path: p,
        code: 'ACCESS_DENIED',
        message: `${p}: leads to ${real}, outside ${root}; links out of an imported folder are not followed`,
      });
      return;
    }
    const top = root === null;
    if (st.isDirectory() && (await isZarrFolder(real))) {
      files.push(real); // an OME-Zarr folder is one stack
    } else if (st.isDirectory()) {
      if (!top && !recursive) return;
      const names = (await fs.readdir(real)).filter((n) => !n.startsWith('.')).sort();
      for (const n of names) await visit(join(p, n), root ?? real);
    } else if (!top && !STACK_EXT.has(extname(p).toLowerCase())) {
      return;
    } else if (!st.isFile()) {
      failed.push({ path: p, code: 'TIFF_FORMAT', message: `${p}: is ${kindOf(st)}, not a regular file` });
    } else {
      files.push(real);
    }
  }
  for (const p of paths) await visit(resolve(p), null);
  return { files, failed };
}

async function isLive(path: string): Promise<boolean> {
  try {
    await fs.access(path);
    return true;
  } catch {
    return false;
  }
}

export async function importDatasets(
  store: ProjectStore,
  paths: string[],
  opts: { role: DatasetRole; recursive: boolean; inspect?: typeof inspectForImport },
): Promise<ImportReport> {
  // Parsing a stack (its header, OME-XML, every plane for the projection, the PNG) can take long: a server
  // passes an inspect that runs it off its event loop.
  const inspect = opts.inspect ?? inspectForImport;
  const { files, failed } = await expandPaths(paths, opts.recursive);
  const report: ImportReport = { imported: [], duplicates: [], moved: [], failed };
  for (const file of files) {
    try {
      const fp = (await isZarrFolder(file)) ? await zarrFingerprint(file) : await contentHash(file);
      const same = store.project.datasets.find((d) => d.contentHash === fp.hash && d.size === fp.size);
      if (same) {
        if (same.path === file || (await isLive(same.path))) {
          report.duplicates.push({ path: file, existingId: same.id });
        } else {
          const from = same.path;
          await store.mutate((p) => {
            const d = p.datasets.find((x) => x.id === same.id)!;
            d.path = file;
            d.mtimeMs = fp.mtimeMs;
            d.status = 'ok';
          });
          report.moved.push({ id: same.id, from, to: file });
        }
        continue;
      }
      const { info, thumbnail } = await inspect(file);
      const id = newId('ds');
      const thumb = join('cache', `${id}.thumb.png`);
      await fs.mkdir(store.cacheDir(), { recursive: true });
      await writeBytesAtomic(join(store.dir, thumb), thumbnail, { force: true, within: store.dir });
      const ds: Dataset = {
        id,
        name: basename(file),
        path: file,
        size: fp.size,
        contentHash: fp.hash,
        mtimeMs: fp.mtimeMs,
        role: opts.role,
        shape: [...info.shape],
        dtype: info.dtype,
        voxelSize: { ...info.voxelSize },
        voxelSizeOverride: null,
        sourceFormat: info.sourceFormat,
        channels: info.channels,
        frames: info.frames,
        voxelSizeSource: info.voxelSizeSource,
        ...(info.warnings.length ? { warnings: info.warnings.slice(0, 20).map((w) => w.slice(0, 4000)) } : {}),
        thumbnail: thumb,
        status: 'ok',
        addedAt: nowIso(),
      };
      await store.mutate((p) => void p.datasets.push(ds));
      report.imported.push(ds);
    } catch (e) {
      const code = isCycleDeconError(e) ? e.code : 'IO';
      report.failed.push({ path: file, code, message: (e as Error).message });
    }
  }
  return report;
}

/** Marks datasets whose file is gone as 'missing' (and back to 'ok' when it returns). */
export async function refreshStatus(store: ProjectStore): Promise<void> {
  const live = await Promise.all(store.project.datasets.map((d) => isLive(d.path)));
  if (store.project.datasets.every((d, i) => (d.status === 'ok') === live[i])) return;
  await store.mutate((p) =>
    p.datasets.forEach((d, i) => {
      d.status = live[i] ? 'ok' : 'missing';
    }),
  );
}
