// Three real `cycledecon worker` processes take 30 small jobs (tiny Richardson–Lucy deconvolutions and PSFs) from
// one Redis queue; one worker is SIGKILLed mid-job, then Redis is restarted. Every job must finish exactly once, every output be complete,
// nothing lost or duplicated. Real redis-server (test/redis-server.ts), skipped with a message where it is absent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { JobSpec } from '../../../src-main/contract/schemas';
import { ProjectStore, importDatasets } from '../../../src-main/core/project/index';
import { makeVolume } from '../../../src-main/core/io/volume';
import { readVolume, writeVolume } from '../../../src-main/core/io/index';
import { RedisJobQueue, RespClient, RedisStore, parseRedisUrl } from '../../../src-main/core/queue/redis/index';
import { redisMissing, TestRedis } from '../../redis-server';
import { mulberry32, repoRoot, tempDir } from '../../helpers';

if (redisMissing) console.warn(redisMissing);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const psfParams = {
  model: 'born-wolf' as const,
  shape: [7, 11, 11] as [number, number, number],
  voxelSize: { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' },
  numericalAperture: 1.2,
  wavelength: 0.52,
  refractiveIndex: 1.515,
  sampleIndex: 1.33,
  confocal: false,
};

function startWorker(url: string, root: string, name: string): ChildProcess {
  const p = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(repoRoot, 'src-main/cli/main.ts'),
      'worker',
      '--queue',
      url,
      '--root',
      root,
      '--name',
      name,
      '--lock-seconds',
      '3',
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  p.stderr!.on('data', (d: Buffer) => {
    if (process.env.DEBUG_WORKERS) process.stderr.write(`[${name}] ${d}`);
  });
  return p;
}

describe.skipIf(redisMissing)('cycledecon worker processes on one Redis queue', () => {
  let redis: TestRedis;
  const procs: ChildProcess[] = [];
  beforeAll(async () => {
    redis = await TestRedis.start();
  });
  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await redis?.stop();
  });

  it('finish 30 jobs exactly once though a worker is killed mid-job and Redis restarts', async () => {
    const root = tempDir();
    const store = await ProjectStore.create(root);
    const rnd = mulberry32(7);
    const stack = makeVolume(
      Float32Array.from({ length: 12 * 32 * 32 }, () => 100 + 50 * rnd()),
      [12, 32, 32],
      { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' },
    );
    await writeVolume(join(root, 'stack.tif'), stack, { dtype: 'float32' });
    const report = await importDatasets(store, [join(root, 'stack.tif')], {
      role: { kind: 'blurred' },
      recursive: false,
    });
    const datasetId = report.imported[0]!.id;
    await store.close();

    const url = parseRedisUrl(redis.url);
    const q = await RedisJobQueue.open({ url, root, pollMs: 100 });
    const specs: JobSpec[] = Array.from({ length: 30 }, (_, i) =>
      i % 3 === 2
        ? { kind: 'psf', params: psfParams, outputName: `psf-${i}` }
        : {
            kind: 'deconvolve',
            method: 'rl',
            datasetId,
            psf: { from: 'generate', params: psfParams },
            iterations: 30,
            outputName: `rl-${i}`,
          },
    );
    const ids = [];
    for (const s of specs) ids.push((await q.submit(s)).id);

    procs.push(
      startWorker(redis.url, root, 'victim'),
      startWorker(redis.url, root, 'w1'),
      startWorker(redis.url, root, 'w2'),
    );
    // Kill the victim while it runs a deconvolution (not between jobs), once it has run at least one.
    let killed: string | undefined;
    for (let i = 0; i < 1200 && !killed; i++) {
      await sleep(50);
      const running = q
        .list({ state: 'running' })
        .find((j) => j.worker === 'victim' && j.kind === 'deconvolve' && j.progress < 0.7);
      if (running && q.list({ state: 'done' }).length > 0) {
        procs[0]!.kill('SIGKILL');
        killed = running.id;
      }
    }
    expect(killed).toBeDefined();
    // And Redis itself restarts mid-batch (append-only file): workers and the queue reconnect, nothing is lost.
    await redis.restart();
    await Promise.race([q.idle(), sleep(90_000)]);

    const jobs = ids.map((id) => q.get(id)!);
    if (process.env.DEBUG_WORKERS)
      for (const j of jobs) console.log(j.id, j.kind, j.state, j.worker, j.attempts, j.startedAt, j.finishedAt);
    expect(jobs.map((j) => j.state)).toEqual(ids.map(() => 'done'));
    const k = q.get(killed!)!;
    expect(k.attempts).toBe(2);
    expect(k.worker).not.toBe('victim');
    // Exactly once: each id reached 'done' once.
    const c = new RespClient(url);
    const finished = await new RedisStore(c, 'cycledecon').finished();
    c.disconnect();
    expect(finished.sort()).toEqual([...ids].sort());
    // Every output is complete, and nothing else is left but the dead worker's temp file (atomic writes).
    const paths = ids.flatMap((id) => q.results(id).map((r) => r.path));
    expect(paths).toHaveLength(30);
    for (const p of paths) {
      const v = await readVolume(p);
      expect(v.shape).toEqual(p.includes('psf-') ? [7, 11, 11] : [12, 32, 32]);
      expect(v.data.every(Number.isFinite)).toBe(true);
    }
    const files = readdirSync(join(root, 'results')).filter((f) => !f.endsWith('.tmp'));
    expect(files.sort()).toEqual(paths.map((p) => p.split('/').pop()!).sort());
    await q.close();
    for (const p of procs.slice(1)) p.kill('SIGTERM');
    await Promise.all(procs.slice(1).map((p) => new Promise((r) => (p.exitCode !== null ? r(0) : p.once('exit', r)))));
  }, 180_000);
});
