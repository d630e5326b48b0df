// One writer per project: a second process opening it is refused with the holder named; a dead holder's
// lock is taken over; the lock goes when its holder closes or exits.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli } from '../../../src-main/cli/main';
import { LOCK_FILE, ProjectLockedError, ProjectStore } from '../../../src-main/core/project';
import { repoRoot, tempDir } from '../../helpers';

function capture() {
  const out: string[] = [],
    err: string[] = [];
  return { out, err, ctx: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), interactive: false } };
}

/** A pid that belonged to a process and is now free: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid!;
}

/** `cycledecon serve --project dir` in a child process, resolved once it is serving. */
function serveChild(dir: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'test', 'unit', 'reliability', 'cli-child.ts'), 'serve', '--project', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (d: Buffer) => {
      text += d.toString();
      if (/serving at/.test(text)) resolve(child);
    });
    child.stderr!.on('data', (d: Buffer) => {
      text += d.toString();
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${text}`)));
  });
}

describe('project lock', () => {
  it('a second serve on a project another serve holds exits 1 naming the holder; the lock goes when it stops', async () => {
    const dir = join(tempDir(), 'p');
    const first = await serveChild(dir);
    try {
      const lock = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { pid: number; host: string };
      expect(lock).toMatchObject({ pid: first.pid, host: hostname() });
      const c = capture();
      expect(await runCli(['serve', '--project', dir], c.ctx)).toBe(1);
      expect(c.err.join('\n')).toContain(`is open in another process (pid ${first.pid} on ${hostname()}`);
      expect(c.out).toEqual([]);
      // The refused opener left the holder's lock alone.
      expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: first.pid });
    } finally {
      const exited = new Promise((r) => first.once('exit', r));
      first.kill('SIGTERM');
      await exited;
    }
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  }, 60_000);

  it('takes over a lock left by a dead process on this host, and releases its own on close', async () => {
    const dir = join(tempDir(), 'p');
    await (await ProjectStore.create(dir)).close();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    const stalePid = deadPid();
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({ pid: stalePid, host: hostname(), startedAt: 'then', nonce: 'stale' }),
    );
    const store = await ProjectStore.open(dir);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({
      pid: process.pid,
      host: hostname(),
    });
    await store.close();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('four processes racing for a stale lock: exactly one takes it, the others name that one', async () => {
    const dir = join(tempDir(), 'p');
    await (await ProjectStore.create(dir)).close();
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({ pid: deadPid(), host: hostname(), startedAt: 'then', nonce: 'stale' }),
    );
    const store = pathToFileURL(join(repoRoot, 'src-main', 'core', 'project', 'index.ts')).href;
    // Each holds what it got for 3 s, so the losers see a live holder.
    const code = `import(${JSON.stringify(store)}).then(async (m) => { try { await m.ProjectStore.open(${JSON.stringify(dir)}); console.log('got ' + process.pid); await new Promise((r) => setTimeout(r, 3000)); } catch (e) { console.log('refused ' + e.message); } });`;
    const runs = await Promise.all(
      [0, 1, 2, 3].map(
        () =>
          new Promise<string>((resolve) => {
            const c = spawn(process.execPath, ['--import', 'tsx', '-e', code], {
              stdio: ['ignore', 'pipe', 'inherit'],
            });
            let out = '';
            c.stdout!.on('data', (d: Buffer) => {
              out += d.toString();
            });
            c.on('exit', () => resolve(out.trim()));
          }),
      ),
    );
    const winners = runs.filter((r) => r.startsWith('got '));
    expect(winners, runs.join('\n')).toHaveLength(1);
    const pid = winners[0]!.slice(4);
    for (const r of runs.filter((x) => !x.startsWith('got ')))
      expect(r).toContain(`is open in another process (pid ${pid} on`);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  }, 60_000);

  it('refuses a lock held on another host (it cannot tell whether that process lives) and keeps it', async () => {
    const dir = join(tempDir(), 'p');
    await (await ProjectStore.create(dir)).close();
    const foreign = JSON.stringify({ pid: 1, host: 'cluster-node-7', startedAt: 'then', nonce: 'n' });
    writeFileSync(join(dir, LOCK_FILE), foreign);
    const e = await ProjectStore.open(dir).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProjectLockedError);
    expect((e as Error).message).toMatch(/pid 1 on cluster-node-7/);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(foreign);
  });

  it('lets one process open a project twice and keeps the lock until both are closed', async () => {
    const dir = join(tempDir(), 'p');
    const a = await ProjectStore.create(dir);
    const b = await ProjectStore.open(dir);
    await a.close();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    await b.close();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });
});
