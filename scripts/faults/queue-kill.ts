// SIGKILL driver for the job queue: the child of test/unit/queue/kill.test.ts (a LocalJobQueue with a slow,
// checkpointing runner) submits jobs and is then killed at seeded random moments and reopened, again and
// again. After every kill the result files must be complete; at the end every submitted job must be done,
// exactly once in the list, with its result, and the jobs that finished before a kill must not run again.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../test/helpers';
import { spawn } from 'node:child_process';
import { isTemp, listFiles, mulberry32 } from './lib';

const child = join(repoRoot, 'test', 'unit', 'queue', 'queue-child.ts');

export interface QueueKillOptions {
  dir: string;
  seed: number;
  kills: number;
  jobs: number;
  log?: (line: string) => void;
}

export interface QueueKillReport {
  kills: number;
  launches: number;
  rounds: number;
  jobs: number;
  jobsDone: number;
  /** Jobs that ran more than once (each had a kill while it ran). */
  jobsResumed: number;
  staleTempsSeen: number;
  problems: string[];
}

interface Summary {
  id: string;
  state: string;
  attempts: number;
  results: string[];
}

export async function runQueueKills(o: QueueKillOptions): Promise<QueueKillReport> {
  const log = o.log ?? (() => undefined);
  const rand = mulberry32(o.seed);
  const r: QueueKillReport = {
    kills: 0,
    launches: 0,
    rounds: 0,
    jobs: 0,
    jobsDone: 0,
    jobsResumed: 0,
    staleTempsSeen: 0,
    problems: [],
  };
  while (r.kills < o.kills) {
    r.rounds += 1;
    const dir = join(o.dir, `round-${r.rounds}`);
    const results = join(dir, 'results');
    // Submit, and kill only after the submissions returned (a submit that was not acknowledged may be lost).
    const first = await spawnChild([dir, 'submit', String(o.jobs)], 'SUBMITTED', Math.round(rand() * 1500));
    r.launches += 1;
    if (first.killed) r.kills += 1;
    let done: Summary[] | null = first.summary;
    while (!done) {
      const finalRun = r.kills >= o.kills;
      const res = await spawnChild([dir, 'resume'], finalRun ? undefined : '', Math.round(600 + rand() * 2400));
      r.launches += 1;
      if (res.killed) r.kills += 1;
      done = res.summary;
      for (const f of listFiles(results).filter((x) => !isTemp(x))) {
        const text = readFileSync(join(results, f), 'utf8');
        if (!/^done job_\S+ from \d+$/.test(text))
          r.problems.push(`round ${r.rounds}: result ${f} is incomplete: "${text}"`);
      }
      log(
        `queue: round ${r.rounds}, launch ${r.launches}${res.killed ? `, kill ${r.kills} at ${Math.round(res.ms)} ms` : ', ran to the end'}`,
      );
    }
    r.staleTempsSeen += readdirSync(results).filter((f) => isTemp(f)).length;
    r.jobs += o.jobs;
    if (done.length !== o.jobs) r.problems.push(`round ${r.rounds}: ${done.length} of ${o.jobs} jobs in the queue`);
    if (new Set(done.map((j) => j.id)).size !== done.length)
      r.problems.push(`round ${r.rounds}: a job is listed twice`);
    for (const j of done) {
      if (j.state !== 'done') r.problems.push(`round ${r.rounds}: ${j.id} is ${j.state}`);
      else r.jobsDone += 1;
      if (j.attempts > 1) r.jobsResumed += 1;
      if (j.results.length !== 1) r.problems.push(`round ${r.rounds}: ${j.id} has ${j.results.length} results`);
    }
  }
  return r;
}

/** Runs the queue child; kills it `ms` after `after` appears on stdout ('' = from the start; undefined = never). */
function spawnChild(
  args: string[],
  after: string | undefined,
  ms: number,
): Promise<{ killed: boolean; ms: number; summary: Summary[] | null }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, ['--import', 'tsx', child, ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let killed = false;
    let armed = false;
    let killMs = 0;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      armed = true;
      timer = setTimeout(() => {
        if (p.exitCode === null) {
          killed = true;
          killMs = performance.now() - t0;
          p.kill('SIGKILL');
        }
      }, ms);
    };
    if (after === '') arm();
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (after && !armed && out.includes(after)) arm();
    });
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    p.on('error', reject);
    p.on('close', (code) => {
      if (timer) clearTimeout(timer);
      if (!killed && code !== 0) {
        reject(new Error(`queue child exited ${code}: ${err}`));
        return;
      }
      const s = out.split('SUMMARY ')[1];
      resolve({
        killed,
        ms: killed ? killMs : performance.now() - t0,
        summary: !killed && s ? (JSON.parse(s) as Summary[]) : null,
      });
    });
  });
}
