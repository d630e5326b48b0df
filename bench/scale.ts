// `tsx bench/scale.ts [--jobs N]`: batch throughput of the Redis queue with 1, 2 and 4 `cycledecon worker` processes
// against the local journal queue (LocalJobQueue, one job at a time, in process) on the same batch of tiny
// Richardson–Lucy deconvolutions, and the Redis queue's overhead per job. Worker start-up is left out (workers are
// started and ready before the batch is submitted). Prints one JSON line (bench/run.ts --sections scale).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { cpus } from 'node:os';
import type { JobSpec } from '../src-main/contract/schemas';
import { ProjectStore, importDatasets } from '../src-main/core/project/index';
import { makeVolume, writeVolume } from '../src-main/core/io/index';
import { LocalJobQueue } from '../src-main/core/queue/index';
import { RedisJobQueue, parseRedisUrl } from '../src-main/core/queue/redis/index';
import { jobRunners } from '../src-main/worker/runners/index';
import { TestRedis } from '../test/redis-server';
import { mulberry32, repoRoot, tempDir } from '../test/helpers';

const psf = {
  model: 'born-wolf' as const,
  shape: [9, 15, 15] as [number, number, number],
  voxelSize: { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' },
  numericalAperture: 1.2,
  wavelength: 520,
  refractiveIndex: 1.515,
  sampleIndex: 1.33,
  confocal: false,
};

async function project(): Promise<{ root: string; datasetId: string }> {
  const root = tempDir('cycledecon-scale-');
  const store = await ProjectStore.create(root);
  const rnd = mulberry32(3);
  const shape: [number, number, number] = [16, 64, 64];
  await writeVolume(
    join(root, 'stack.tif'),
    makeVolume(
      Float32Array.from({ length: 16 * 64 * 64 }, () => 100 + 50 * rnd()),
      shape,
      { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' },
    ),
    { dtype: 'float32' },
  );
  const rep = await importDatasets(store, [join(root, 'stack.tif')], { role: { kind: 'blurred' }, recursive: false });
  await store.close();
  return { root, datasetId: rep.imported[0]!.id };
}

function startWorker(url: string, root: string, name: string, queueName: string): Promise<ChildProcess> {
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
      '--queue-name',
      queueName,
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return new Promise((resolve, reject) => {
    p.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('taking jobs')) resolve(p);
    });
    p.once('exit', (c) => reject(new Error(`worker exited ${c}`)));
  });
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--jobs');
  const jobs = at > 0 ? Number(process.argv[at + 1]) : 24;
  const { root, datasetId } = await project();
  const spec: JobSpec = {
    kind: 'deconvolve',
    method: 'rl',
    datasetId,
    psf: { from: 'generate', params: psf },
    iterations: 20,
  };
  // Local queue: the embedded default, jobs in this process one at a time (what one workstation does).
  const local = await LocalJobQueue.open({
    dir: join(root, 'jobs'),
    resultsDir: join(root, 'results'),
    runners: jobRunners(root),
    autoStart: false,
  });
  for (let i = 0; i < jobs; i++) await local.submit(spec);
  let t = performance.now();
  await local.idle();
  const localSeconds = (performance.now() - t) / 1000;
  await local.close();
  const redis = await TestRedis.start();
  const rows: { workers: number; seconds: number; jobsPerSecond: number; speedupVsLocal: number }[] = [];
  try {
    for (const n of [1, 2, 4]) {
      const queueName = `scale${n}`;
      const workers = await Promise.all(
        Array.from({ length: n }, (_, i) => startWorker(redis.url, root, `w${i}`, queueName)),
      );
      const q = await RedisJobQueue.open({ url: parseRedisUrl(redis.url), queueName, root, pollMs: 20 });
      t = performance.now();
      for (let i = 0; i < jobs; i++) await q.submit(spec);
      await new Promise((r) => setTimeout(r, 100));
      await q.idle();
      const seconds = (performance.now() - t) / 1000;
      if (q.list({ state: 'done' }).length !== jobs) throw new Error(`redis run with ${n} workers: not every job done`);
      rows.push({ workers: n, seconds, jobsPerSecond: jobs / seconds, speedupVsLocal: localSeconds / seconds });
      await q.close();
      for (const w of workers) w.kill('SIGTERM');
      await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(0) : w.once('exit', r)))));
    }
  } finally {
    await redis.stop();
  }
  const one = rows[0]!;
  console.log(
    JSON.stringify({
      jobs,
      job: 'RL 16×64×64, PSF 9×15×15 generated, 20 iterations',
      cpus: cpus().length,
      local: { seconds: localSeconds, jobsPerSecond: jobs / localSeconds },
      redis: rows,
      overheadPerJobMs: ((one.seconds - localSeconds) / jobs) * 1000,
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
