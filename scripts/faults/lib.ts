// Shared pieces of the SIGKILL fault drivers: run the real `cycledecon` command (from the sources) and kill it
// at a seeded moment, hash files, and find files that a killed process left behind.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../test/helpers';

export { mulberry32 } from '../../test/helpers';

export const cliEntry = join(repoRoot, 'bin', 'cycledecon.js');

/** A temp file of writeFileAtomic / createVolumeWriter: ".<name>.<pid>.<8 hex>.tmp". */
export const TEMP_NAME = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** When to kill: after `ms` milliseconds, or when the `nth` (0-based) temp file appears in one of `dirs`. */
export type KillPlan = { kind: 'time'; ms: number } | { kind: 'temp'; dirs: string[]; nth: number; pattern?: RegExp };

export interface RunOutcome {
  code: number | null;
  killed: boolean;
  pid: number;
  /** Milliseconds from spawn to the kill (or to the exit). */
  ms: number;
  stdout: string;
  stderr: string;
}

/** Runs `node [entry] args` and SIGKILLs it according to `plan` (never if undefined). */
export function runKilled(
  args: string[],
  plan?: KillPlan,
  opts: { entry?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunOutcome> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, [opts.entry ?? cliEntry, ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CYCLEDECON_FROM_SOURCE: '1', ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    let killMs = 0;
    const watchers: FSWatcher[] = [];
    const kill = () => {
      if (killed || p.exitCode !== null) return;
      killed = true;
      killMs = performance.now() - t0;
      p.kill('SIGKILL');
    };
    let timer: NodeJS.Timeout | undefined;
    if (plan?.kind === 'time') timer = setTimeout(kill, plan.ms);
    if (plan?.kind === 'temp') {
      let seen = 0;
      const re = plan.pattern ?? TEMP_NAME;
      const onEvent = (_: string, name: string | null) => {
        if (name && re.test(name) && seen++ === plan.nth) kill();
      };
      for (const d of plan.dirs) watchers.push(watchWhenPresent(d, onEvent));
    }
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    p.on('error', reject);
    p.on('close', (code) => {
      if (timer) clearTimeout(timer);
      for (const w of watchers) w.close();
      resolve({ code, killed, pid: p.pid ?? -1, ms: killed ? killMs : performance.now() - t0, stdout, stderr });
    });
  });
}

/** fs.watch on a folder that may not exist yet: polls its parent until it appears. */
function watchWhenPresent(dir: string, onEvent: (event: string, name: string | null) => void): FSWatcher {
  let inner: FSWatcher | undefined;
  let closed = false;
  const attach = () => {
    if (closed || inner) return;
    if (!existsSync(dir)) {
      setTimeout(attach, 5);
      return;
    }
    inner = watch(dir, onEvent);
  };
  attach();
  return {
    close: () => {
      closed = true;
      inner?.close();
    },
  } as FSWatcher;
}

export function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Every file below `dir`, as paths relative to it. */
export function listFiles(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(join(dir, e.name), rel));
    else out.push(rel);
  }
  return out.sort();
}

export function isTemp(rel: string): boolean {
  return TEMP_NAME.test(rel.split('/').pop()!);
}

/** A temp file left by the process `pid`. */
export function isTempOf(rel: string, pid: number): boolean {
  return TEMP_NAME.exec(rel.split('/').pop()!)?.[2] === String(pid);
}

/** inode + mtime + size: changes when a file is rewritten or replaced. */
export function identity(path: string): string {
  const s = statSync(path);
  return `${s.ino}:${s.mtimeMs}:${s.size}`;
}

/** The CLI, run to completion (no kill); throws with its output when it exits non-zero. */
export async function runCli(args: string[], env?: NodeJS.ProcessEnv): Promise<RunOutcome> {
  const r = await runKilled(args, undefined, { env });
  if (r.code !== 0) throw new Error(`cycledecon ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`);
  return r;
}
