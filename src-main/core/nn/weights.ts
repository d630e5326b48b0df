// Named tensors to and from the TensorFlow.js weights format: a `model.json` whose `weightsManifest` lists
// each tensor's name, shape and dtype, plus one binary file with their bytes in that order (little-endian
// float32). The same encoding serves the run directory's weight files and the trainer's checkpoints
// (network variables and, by name, Adam's moment variables).
import * as tf from '@tensorflow/tfjs';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError, FileNotFoundError, IoError } from '../errors';
import { writeBytesAtomic } from '../io/atomic';

export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}
/** A tf.Variable (its registered name is used) or an explicitly named tensor (e.g. an Adam moment). */
export type Weight = tf.Variable | NamedTensor;

export interface SerializedWeights {
  specs: tf.io.WeightsManifestEntry[];
  data: Uint8Array;
}

export const WEIGHTS_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
const FORMAT = 'cycledecon-weights';

function named(w: Weight): NamedTensor {
  return w instanceof tf.Variable ? { name: w.name, tensor: w } : w;
}

/** Encode tensors (in the given order) to the tfjs binary layout. Names must be unique. */
export async function serializeVariables(weights: Weight[]): Promise<SerializedWeights> {
  const list = weights.map(named);
  const seen = new Set<string>();
  for (const { name } of list) {
    if (seen.has(name)) throw new CheckpointError(`two weights are named "${name}"`);
    seen.add(name);
  }
  const { data, specs } = await tf.io.encodeWeights(list);
  return { specs, data: new Uint8Array(data) };
}

/** Decode to new tensors keyed by name (caller disposes them). */
export function decodeWeights(s: SerializedWeights): Map<string, tf.Tensor> {
  const bytesPer: Record<string, number> = { float32: 4, int32: 4, bool: 1 };
  const sized = s.specs.every((e) => bytesPer[e.dtype] !== undefined && !e.quantization);
  const expected = s.specs.reduce((n, e) => n + e.shape.reduce((a, b) => a * b, 1) * (bytesPer[e.dtype] ?? 0), 0);
  if (sized && expected !== s.data.byteLength)
    throw new CheckpointError(
      `weights data has ${s.data.byteLength} bytes, the manifest describes ${expected}`,
      'The weights file is truncated or belongs to another model.json.',
    );
  const buf = s.data.buffer.slice(s.data.byteOffset, s.data.byteOffset + s.data.byteLength) as ArrayBuffer;
  return new Map(Object.entries(tf.io.decodeWeights(buf, s.specs)));
}

export interface RestoreOptions {
  /** Ignore stored weights that no target wants (default false: an unknown name is an error). */
  allowExtra?: boolean;
  /** Leave targets that have no stored value untouched (default false). */
  allowMissing?: boolean;
}

/**
 * Assign stored values to variables by name. Shapes must match. Non-variable targets (NamedTensor) cannot
 * be assigned: use decodeWeights for those. Throws CheckpointError before assigning anything on a mismatch.
 */
export function restoreVariables(s: SerializedWeights, targets: tf.Variable[], opts: RestoreOptions = {}): void {
  const stored = decodeWeights(s);
  try {
    const problems: string[] = [];
    for (const v of targets) {
      const t = stored.get(v.name);
      if (!t) {
        if (!opts.allowMissing) problems.push(`"${v.name}" is missing`);
        continue;
      }
      if (t.shape.join() !== v.shape.join())
        problems.push(`"${v.name}" has shape [${t.shape}] but the model needs [${v.shape}]`);
    }
    if (!opts.allowExtra) {
      const wanted = new Set(targets.map((v) => v.name));
      for (const name of stored.keys()) if (!wanted.has(name)) problems.push(`"${name}" is not part of the model`);
    }
    if (problems.length > 0) {
      throw new CheckpointError(
        `weights do not match the model: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}`,
        'Load weights saved by the same configuration (levels, channels, generator up-sampling, PSF size).',
      );
    }
    for (const v of targets) {
      const t = stored.get(v.name);
      if (t) v.assign(t);
    }
  } finally {
    for (const t of stored.values()) t.dispose();
  }
}

export interface SaveWeightsOptions {
  force?: boolean;
  /** File names inside the directory (defaults model.json / weights.bin). */
  jsonName?: string;
  binName?: string;
  /** Extra JSON stored under `userDefinedMetadata` (e.g. the config the weights belong to). */
  metadata?: Record<string, unknown>;
}

/**
 * Write weights to `dir` in tfjs format. Both files are written atomically, the binary first, so a
 * model.json on disk always describes a complete binary.
 */
export async function saveWeights(dir: string, weights: Weight[], opts: SaveWeightsOptions = {}): Promise<void> {
  const jsonName = opts.jsonName ?? WEIGHTS_JSON;
  const binName = opts.binName ?? WEIGHTS_BIN;
  const s = await serializeVariables(weights);
  const modelJson = {
    format: FORMAT,
    generatedBy: `TensorFlow.js ${tf.version_core}`,
    convertedBy: null,
    weightsManifest: [{ paths: [binName], weights: s.specs }],
    userDefinedMetadata: opts.metadata ?? {},
  };
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (e) {
    throw new IoError(dir, 'could not create the folder', e);
  }
  await writeBytesAtomic(join(dir, binName), s.data, { force: opts.force });
  await writeBytesAtomic(join(dir, jsonName), JSON.stringify(modelJson, null, 1), { force: opts.force });
}

/** Read a tfjs-format weights directory (model.json + the binary files its manifest names). */
export async function readWeights(
  dir: string,
  opts: { jsonName?: string } = {},
): Promise<SerializedWeights & { metadata: Record<string, unknown> }> {
  const jsonPath = join(dir, opts.jsonName ?? WEIGHTS_JSON);
  let manifest: {
    weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    userDefinedMetadata?: Record<string, unknown>;
  };
  try {
    manifest = JSON.parse(await fs.readFile(jsonPath, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new FileNotFoundError(jsonPath);
    throw new CheckpointError(`${jsonPath}: not a readable weights manifest (${(e as Error).message})`);
  }
  if (!Array.isArray(manifest.weightsManifest)) throw new CheckpointError(`${jsonPath}: has no weightsManifest`);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const chunks: Uint8Array[] = [];
  for (const group of manifest.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      try {
        chunks.push(new Uint8Array(await fs.readFile(join(dir, p))));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT')
          throw new CheckpointError(`${jsonPath} names ${p}, which is missing`);
        throw new IoError(join(dir, p), 'could not read', e);
      }
    }
  }
  const data = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let off = 0;
  for (const c of chunks) {
    data.set(c, off);
    off += c.byteLength;
  }
  return { specs, data, metadata: manifest.userDefinedMetadata ?? {} };
}

/** Load a weights directory into variables by name (see restoreVariables for the matching rules). */
export async function loadWeights(
  dir: string,
  targets: tf.Variable[],
  opts: RestoreOptions & { jsonName?: string } = {},
): Promise<Record<string, unknown>> {
  const s = await readWeights(dir, opts);
  restoreVariables(s, targets, opts);
  return s.metadata;
}
