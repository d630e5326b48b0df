// Checkpoints: everything a run needs to continue exactly where it stopped — weights, both Adam states,
// the two image pools, the RNG state and the step. One binary blob of float32 arrays plus a JSON manifest.
// Crash safety: the blob is written atomically under a new name, then the manifest is atomically replaced
// to point at it, and only then are older blobs removed; a crash at any point leaves a consistent pair.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CheckpointError } from '../errors';
import { writeBytesAtomic } from '../io/atomic';
import { RUN_FILES } from '../run/layout';
import type { AdamState } from './adam';
import type { RngState } from './rng';

export const CHECKPOINT_DIR = RUN_FILES.checkpoint;
export const MANIFEST = RUN_FILES.checkpointManifest;

const HINT = 'Start a new run without --resume, or pick another run directory.';

interface Entry {
  key: string;
  shape: number[];
  offset: number;
  length: number;
}

export interface CheckpointData {
  step: number;
  rng: RngState;
  variables: { name: string; shape: number[]; data: Float32Array }[];
  gOpt: AdamState;
  dOpt: AdamState | null;
  poolA: Float32Array[];
  poolB: Float32Array[];
  /** Free-form extras (config hash, backend) checked on resume. */
  meta: Record<string, string | number>;
}

interface Manifest {
  version: 1;
  step: number;
  blob: string;
  rng: RngState;
  meta: Record<string, string | number>;
  adam: { g: { t: number; names: string[] }; d: { t: number; names: string[] } | null };
  pools: { A: number; B: number };
  entries: Entry[];
}

function pack(d: CheckpointData): { manifest: Omit<Manifest, 'blob'>; bytes: Uint8Array } {
  const arrays: { key: string; shape: number[]; data: Float32Array }[] = [];
  for (const v of d.variables) arrays.push({ key: `var:${v.name}`, shape: v.shape, data: v.data });
  const adam = (tag: string, s: AdamState) => {
    for (const slot of s.slots) {
      arrays.push({ key: `${tag}.m:${slot.name}`, shape: slot.shape, data: slot.m });
      arrays.push({ key: `${tag}.v:${slot.name}`, shape: slot.shape, data: slot.v });
    }
    return { t: s.t, names: s.slots.map((x) => x.name) };
  };
  const g = adam('gOpt', d.gOpt);
  const dd = d.dOpt ? adam('dOpt', d.dOpt) : null;
  d.poolA.forEach((p, i) => arrays.push({ key: `poolA:${i}`, shape: [p.length], data: p }));
  d.poolB.forEach((p, i) => arrays.push({ key: `poolB:${i}`, shape: [p.length], data: p }));
  const total = arrays.reduce((n, a) => n + a.data.length, 0);
  const all = new Float32Array(total);
  const entries: Entry[] = [];
  let off = 0;
  for (const a of arrays) {
    all.set(a.data, off);
    entries.push({ key: a.key, shape: a.shape, offset: off, length: a.data.length });
    off += a.data.length;
  }
  return {
    manifest: {
      version: 1,
      step: d.step,
      rng: d.rng,
      meta: d.meta,
      adam: { g, d: dd },
      pools: { A: d.poolA.length, B: d.poolB.length },
      entries,
    },
    bytes: new Uint8Array(all.buffer),
  };
}

export async function saveCheckpoint(runDir: string, d: CheckpointData): Promise<string> {
  const dir = join(runDir, CHECKPOINT_DIR);
  await fs.mkdir(dir, { recursive: true });
  const { manifest, bytes } = pack(d);
  const blob = `checkpoint-${String(d.step).padStart(8, '0')}.bin`;
  await writeBytesAtomic(join(dir, blob), bytes, { force: true });
  await writeBytesAtomic(join(dir, MANIFEST), JSON.stringify({ ...manifest, blob }), { force: true });
  for (const f of await fs.readdir(dir)) {
    if (/^checkpoint-\d+\.bin$/.test(f) && f !== blob) await fs.rm(join(dir, f), { force: true });
  }
  return join(dir, MANIFEST);
}

export async function hasCheckpoint(runDir: string): Promise<boolean> {
  return fs.access(join(runDir, CHECKPOINT_DIR, MANIFEST)).then(
    () => true,
    () => false,
  );
}

export async function loadCheckpoint(runDir: string): Promise<CheckpointData> {
  const dir = join(runDir, CHECKPOINT_DIR);
  let m: Manifest;
  let buf: Buffer;
  try {
    m = JSON.parse(await fs.readFile(join(dir, MANIFEST), 'utf8')) as Manifest;
    buf = await fs.readFile(join(dir, m.blob));
  } catch (e) {
    throw new CheckpointError(`no readable checkpoint in ${dir}: ${(e as Error).message}`, HINT);
  }
  if (m.version !== 1) throw new CheckpointError(`checkpoint version ${String(m.version)} is not supported`, HINT);
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const byKey = new Map(m.entries.map((e) => [e.key, e]));
  const get = (key: string): Float32Array => {
    const e = byKey.get(key);
    if (!e || e.offset + e.length > all.length)
      throw new CheckpointError(`checkpoint is missing or truncates "${key}"`, HINT);
    return all.slice(e.offset, e.offset + e.length);
  };
  const adam = (tag: string, s: { t: number; names: string[] }): AdamState => ({
    t: s.t,
    slots: s.names.map((name) => ({
      name,
      shape: byKey.get(`${tag}.m:${name}`)?.shape ?? [],
      m: get(`${tag}.m:${name}`),
      v: get(`${tag}.v:${name}`),
    })),
  });
  return {
    step: m.step,
    rng: m.rng,
    meta: m.meta,
    variables: m.entries
      .filter((e) => e.key.startsWith('var:'))
      .map((e) => ({ name: e.key.slice(4), shape: e.shape, data: get(e.key) })),
    gOpt: adam('gOpt', m.adam.g),
    dOpt: m.adam.d ? adam('dOpt', m.adam.d) : null,
    poolA: Array.from({ length: m.pools.A }, (_, i) => get(`poolA:${i}`)),
    poolB: Array.from({ length: m.pools.B }, (_, i) => get(`poolB:${i}`)),
  };
}

/** Read every variable's values (for a checkpoint). */
export async function snapshotVariables(vars: tf.Variable[]): Promise<CheckpointData['variables']> {
  const out: CheckpointData['variables'] = [];
  for (const v of vars) out.push({ name: v.name, shape: v.shape.slice(), data: (await v.data()) as Float32Array });
  return out;
}

/** Assign saved values to the live variables; every variable must be present with the same shape. */
export function restoreVariables(vars: tf.Variable[], saved: CheckpointData['variables']): void {
  const byName = new Map(saved.map((s) => [s.name, s]));
  for (const v of vars) {
    const s = byName.get(v.name);
    if (!s)
      throw new CheckpointError(
        `checkpoint has no values for "${v.name}" (was it made with another configuration?)`,
        HINT,
      );
    if (s.shape.join() !== v.shape.join())
      throw new CheckpointError(
        `"${v.name}" is ${s.shape.join('×')} in the checkpoint but ${v.shape.join('×')} in the model`,
        HINT,
      );
    tf.tidy(() => v.assign(tf.tensor(s.data, v.shape, 'float32')));
  }
}
