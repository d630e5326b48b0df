// Reads a run's loss history in whichever shape the trainer wrote it — JSON lines, a JSON array of
// records, an object of arrays, or CSV with a header — into named series for plotting.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';

export interface LossHistory {
  /** x values (step numbers when the file has them, else the record index). */
  steps: number[];
  series: Record<string, number[]>;
  source: string;
}

const X_KEYS = ['step', 'iteration', 'iter'];
const X_OR_META = new Set(['step', 'iteration', 'iter', 'epoch', 'timestamp']);
/** Columns that are not losses: kept in `series` but not plotted as loss curves. */
export const NOT_LOSSES = new Set(['time', 'seconds', 'elapsed', 'lr', 'learningRate']);

function fromRecords(records: Record<string, unknown>[], source: string): LossHistory {
  const steps = records.map((r, i) => {
    const k = X_KEYS.find((key) => typeof r[key] === 'number');
    return k ? (r[k] as number) : i;
  });
  const series: Record<string, number[]> = {};
  const flat = records.map((r) => flatten(r));
  const keys = [...new Set(flat.flatMap((r) => Object.keys(r)))].filter((k) => !X_OR_META.has(k));
  for (const k of keys) series[k] = flat.map((r) => (typeof r[k] === 'number' ? r[k] : NaN));
  return { steps, series, source };
}

/** {losses: {gAB: 1}} → {'losses.gAB': 1}; only numbers are kept. */
function flatten(r: Record<string, unknown>, prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(r)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number') out[key] = v;
    else if (v && typeof v === 'object' && !Array.isArray(v))
      Object.assign(out, flatten(v as Record<string, unknown>, key));
  }
  return out;
}

export function parseLossHistory(text: string, source = 'loss history'): LossHistory {
  const trimmed = text.trim();
  if (trimmed === '') return { steps: [], series: {}, source };
  if (trimmed.startsWith('[')) return fromRecords(JSON.parse(trimmed) as Record<string, unknown>[], source);
  if (trimmed.startsWith('{') && !trimmed.includes('\n{')) {
    const obj = JSON.parse(trimmed) as Record<string, unknown>;
    const arr = Object.values(obj).find((v) => Array.isArray(v) && v.length > 0 && typeof v[0] === 'object');
    if (arr) return fromRecords(arr as Record<string, unknown>[], source);
    const cols = Object.entries(obj).filter(([, v]) => Array.isArray(v)) as [string, unknown[]][];
    const n = Math.max(0, ...cols.map(([, v]) => v.length));
    return fromRecords(
      Array.from({ length: n }, (_, i) => Object.fromEntries(cols.map(([k, v]) => [k, v[i]]))),
      source,
    );
  }
  if (trimmed.startsWith('{'))
    return fromRecords(
      trimmed
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as Record<string, unknown>),
      source,
    );
  const [header, ...rows] = trimmed.split(/\r?\n/);
  const names = header!.split(',').map((s) => s.trim());
  return fromRecords(
    rows.map((row) => Object.fromEntries(row.split(',').map((v, i) => [names[i]!, Number(v)]))),
    source,
  );
}

const CANDIDATES = [
  'loss-history.json',
  'losses.json',
  'loss.json',
  'history.json',
  'loss-history.jsonl',
  'losses.jsonl',
  'history.jsonl',
  'losses.csv',
  'loss.csv',
  'history.csv',
];

/** The first loss file found in a run directory, or undefined when the run has none. */
export async function readLossHistory(runDir: string): Promise<LossHistory | undefined> {
  for (const name of CANDIDATES) {
    const path = join(runDir, name);
    try {
      return parseLossHistory(await fs.readFile(path, 'utf8'), name);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  return undefined;
}
