// `--threads N`, accepted by every command: the CPU threads the FFT kernels use (core/kernels/threads reads
// CYCLEDECON_THREADS). A cluster job should use what it was given (Slurm's --cpus-per-task), not every core
// of a shared node, which the default (the machine's parallelism, at most 8) would take.
import { InvalidParameterError } from '../core/errors';
import { resetFlags } from '../core/flags';

export const THREADS_USAGE =
  '--threads N   CPU threads for the FFT kernels, any command (sets CYCLEDECON_THREADS; default: the cores, at most 8)';

function parseThreads(raw: string | undefined): number {
  const n = Number(raw);
  if (raw === undefined || raw.trim() === '' || !Number.isInteger(n) || n < 1 || n > 64)
    throw new InvalidParameterError('--threads', `"${raw ?? ''}" is not a whole number from 1 to 64`);
  return n;
}

/** Removes `--threads N` / `--threads=N` (before a `--`) from `argv` and sets CYCLEDECON_THREADS; the rest goes to the command. */
export function takeThreadsFlag(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const rest: string[] = [];
  let threads: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === '--threads') threads = parseThreads(argv[++i]);
    else if (a.startsWith('--threads=')) threads = parseThreads(a.slice('--threads='.length));
    else rest.push(a);
  }
  if (threads !== undefined) {
    env.CYCLEDECON_THREADS = String(threads);
    if (env === process.env) resetFlags(); // read again by this process's kernels
  }
  return rest;
}
