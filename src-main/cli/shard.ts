// A deterministic share of a batch for cluster array jobs: `--shard I/N`, or a Slurm job array's
// SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT when no --shard is given. The inputs are sorted by path
// (code-unit order, not the locale's, so every node agrees) and file k goes to shard k mod N: N shards
// cover the batch exactly once whatever order the shell expanded it in, and a sorted series (t000, t001…)
// spreads evenly over the shards.
import { InvalidParameterError } from '../core/errors';
import type { ParsedArgs } from './command';
import { str } from './args';

export interface Shard {
  /** 0-based index of this shard. */
  index: number;
  count: number;
  /** Where it came from, for the log line. */
  source: string;
}

export const SHARD_OPTIONS = { shard: { type: 'string' } } as const;

export const SHARD_USAGE = `  --shard I/N             process only share I of N of the batch (I from 0): inputs sorted by path,
                          file k to shard k mod N. Without it, a Slurm job array's SLURM_ARRAY_TASK_ID
                          and SLURM_ARRAY_TASK_COUNT choose the share (see docs/cluster.md)`;

function wholeNumber(raw: string | undefined, what: string): number {
  const v = Number(raw);
  if (raw === undefined || raw.trim() === '' || !Number.isInteger(v) || v < 0)
    throw new InvalidParameterError(what, `"${raw}" is not a whole number ≥ 0`);
  return v;
}

function checked(index: number, count: number, what: string, source: string): Shard {
  if (count < 1) throw new InvalidParameterError(what, `the shard count must be at least 1, not ${count}`);
  if (index >= count)
    throw new InvalidParameterError(what, `shard ${index} does not exist among ${count} (shards are numbered from 0)`);
  return { index, count, source };
}

/** The shard a Slurm array task owns: its position among the array's task ids (min, min+step, …). */
function slurmShard(env: NodeJS.ProcessEnv): Shard | undefined {
  if (env.SLURM_ARRAY_TASK_ID === undefined || env.SLURM_ARRAY_TASK_COUNT === undefined) return undefined;
  const what = 'SLURM_ARRAY_TASK_ID';
  const id = wholeNumber(env.SLURM_ARRAY_TASK_ID, what);
  const count = wholeNumber(env.SLURM_ARRAY_TASK_COUNT, 'SLURM_ARRAY_TASK_COUNT');
  // --array=1-8 numbers tasks from 1, --array=0-15:2 steps by 2: the shard is the task's rank, not its id.
  const min =
    env.SLURM_ARRAY_TASK_MIN === undefined ? 0 : wholeNumber(env.SLURM_ARRAY_TASK_MIN, 'SLURM_ARRAY_TASK_MIN');
  const step =
    env.SLURM_ARRAY_TASK_STEP === undefined
      ? 1
      : Math.max(1, wholeNumber(env.SLURM_ARRAY_TASK_STEP, 'SLURM_ARRAY_TASK_STEP'));
  if (id < min || (id - min) % step !== 0)
    throw new InvalidParameterError(
      what,
      `task id ${id} is not min ${min} + a multiple of step ${step}`,
      'An array with a list of ids (--array=1,5,9) has no rank: give --shard I/N.',
    );
  return checked((id - min) / step, count, what, `Slurm array task ${id} of ${count}`);
}

/** --shard I/N, else the Slurm array's share, else undefined (the whole batch). */
export function shardFromArgs(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env): Shard | undefined {
  const raw = str(args, 'shard');
  if (raw === undefined) return slurmShard(env);
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
  if (!m)
    throw new InvalidParameterError(
      '--shard',
      `"${raw}" is not I/N`,
      'e.g. --shard 0/4 … --shard 3/4 for four shards.',
    );
  return checked(Number(m[1]), Number(m[2]), '--shard', `--shard ${raw.trim()}`);
}

/** This shard's files of the batch in sorted order; without a shard, the whole batch as given. */
export function takeShard(inputs: readonly string[], shard: Shard | undefined): string[] {
  if (!shard) return [...inputs];
  const sorted = [...inputs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted.filter((_, k) => k % shard.count === shard.index);
}
