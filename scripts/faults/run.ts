// npm run test:faults [-- --seed S --kills N --only train,deconvolve,queue,disk]: the full fault drivers —
// ≥ 20 seeded SIGKILLs each of `cycledecon train`, a batch `cycledecon deconvolve` (model and RL) and the
// job queue, then disk-full and read-only folders on a real tmpfs when this machine lets us mount one.
// Prints a table and exits 1 if anything was lost or half-written. A shared 2-core machine takes ~10 min.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runDeconvolveKills } from './deconvolve-kill';
import { runDiskFaults } from './disk-full';
import { runQueueKills } from './queue-kill';
import { runTrainKills } from './train-kill';

const { values } = parseArgs({
  options: { seed: { type: 'string' }, kills: { type: 'string' }, only: { type: 'string' }, keep: { type: 'boolean' } },
});
const seed = Number(values.seed ?? 20240610);
const kills = Number(values.kills ?? 20);
const only = new Set((values.only ?? 'train,deconvolve,queue,disk').split(','));
const root = mkdtempSync(join(tmpdir(), 'cycledecon-faults-'));
const log = (line: string) => process.stderr.write(`${line}\n`);
const rows: string[] = [];
let problems = 0;
const t0 = performance.now();

function record(what: string, r: { kills?: number; problems: string[] }, detail: string): void {
  problems += r.problems.length;
  for (const p of r.problems) log(`PROBLEM ${what}: ${p}`);
  rows.push(
    `| ${what} | ${r.kills ?? '—'} | ${detail} | ${r.problems.length === 0 ? 'nothing' : `**${r.problems.length} problem(s)**`} |`,
  );
}

if (only.has('train')) {
  const r = await runTrainKills({ dir: join(root, 'train'), seed, kills, steps: 80, log });
  record(
    'train (tiny, 80 steps, cpu)',
    r,
    `${r.launches} launches; ${r.duringCheckpoint} kills inside a checkpoint write, ${r.killsBeforeFirstCheckpoint} before the first checkpoint; restarts at steps ${r.resumedSteps.join(',')}; final step ${r.finalStep}, losses finite: ${r.finite}, equal to the uninterrupted run: ${r.equalToReference}`,
  );
}
for (const method of ['model', 'rl'] as const) {
  if (!only.has('deconvolve')) continue;
  const r = await runDeconvolveKills({
    dir: join(root, `deconvolve-${method}`),
    seed: seed + (method === 'rl' ? 1 : 0),
    kills,
    files: 6,
    method,
    log,
  });
  record(
    `deconvolve --method ${method}, 6 stacks`,
    r,
    `${r.launches} launches in ${r.rounds} batches; ${r.duringWrite} kills inside an output write; ${r.outputsChecked} outputs checked, max |Δ| vs reference ${r.maxAbsDiff}`,
  );
}
if (only.has('queue')) {
  const r = await runQueueKills({ dir: join(root, 'queue'), seed, kills, jobs: 4, log });
  record(
    'queue (4 jobs per round)',
    r,
    `${r.launches} launches in ${r.rounds} rounds; ${r.jobsDone}/${r.jobs} jobs done, ${r.jobsResumed} resumed after a kill`,
  );
}
if (only.has('disk')) {
  const r = await runDiskFaults({ dir: join(root, 'disk'), log });
  record('disk full / read-only (tmpfs)', r, r.skipped ?? r.cases.join('; '));
}

process.stdout.write(
  `\nseed ${seed}, ${((performance.now() - t0) / 1000).toFixed(0)} s\n\n| driver | kills | what happened | lost or half-written |\n|---|---|---|---|\n${rows.join('\n')}\n`,
);
if (!values.keep) rmSync(root, { recursive: true, force: true });
else log(`kept ${root}`);
process.exitCode = problems ? 1 : 0;
