// Load test of `cycledecon serve`: N concurrent loopback clients for S seconds (bounded loop) while an
// RL job runs in the worker. Reports requests, failures and latency percentiles.
// Usage: npx tsx scripts/load-devserver.ts [--clients 50] [--seconds 60]
import { join, resolve } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { AccessPolicy } from '../src-main/services/access';
import { AppService } from '../src-main/services/app';
import { startDevServer } from '../src-main/devserver/server';
import { WorkerTaskPool } from '../src-main/worker/task-pool';

const { values } = parseArgs({
  options: { clients: { type: 'string', default: '50' }, seconds: { type: 'string', default: '60' } },
});
const clients = Number(values.clients);
const seconds = Number(values.seconds);
// Sample data: test/fixtures/shared-data/flowdec_bars25 (hammerlab/flowdec, Apache-2.0; see its README.md).
const bars = resolve(import.meta.dirname ?? '.', '..', 'test', 'fixtures', 'shared-data', 'flowdec_bars25');

process.env.CYCLEDECON_HOME ??= mkdtempSync(join(tmpdir(), 'cycledecon-load-home-'));
const access = new AccessPolicy();
await access.allow(bars);
const projectDir = join(mkdtempSync(join(tmpdir(), 'cycledecon-load-')), 'proj');
await access.allow(projectDir);
const service = new AppService({ access, tasks: new WorkerTaskPool() });
const srv = await startDevServer({ service, access });
const post = async (method: string, body: unknown) => {
  const r = await fetch(`${srv.url}/api/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${srv.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const buf = await r.arrayBuffer();
  return { ok: r.ok, status: r.status, buf, json: () => JSON.parse(Buffer.from(buf).toString()) };
};
await post('project.create', { dir: projectDir });
const imp = (await post('dataset.import', { paths: [join(bars, 'data.tif'), join(bars, 'kernel.tif')] })).json().result;
const [data, kernel] = imp.imported;
const job = (
  await post('jobs.submit', {
    spec: {
      kind: 'deconvolve',
      method: 'rl',
      datasetId: data.id,
      psf: { from: 'dataset', id: kernel.id },
      iterations: 2000,
    },
  })
).json().result;

const latencies: number[] = [];
const failures: string[] = [];
const end = Date.now() + seconds * 1000;
const calls: [string, unknown][] = [
  ['project.get', {}],
  ['jobs.list', {}],
  ['jobs.get', { id: job.id }],
  ['dataset.slice', { id: data.id, axis: 'z', index: 16 }],
  ['dataset.list', {}],
];
async function client(i: number): Promise<void> {
  for (let n = i; Date.now() < end; n++) {
    const [m, body] = calls[n % calls.length]!;
    const t0 = performance.now();
    try {
      const r = await post(m, body);
      if (!r.ok) failures.push(`${m} → ${r.status}`);
    } catch (e) {
      failures.push(`${m} → ${(e as Error).message}`);
    }
    latencies.push(performance.now() - t0);
  }
}
await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
const state = (await post('jobs.get', { id: job.id })).json().result;
await post('jobs.cancel', { id: job.id });
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(1);
console.log(
  JSON.stringify(
    {
      clients,
      seconds,
      requests: latencies.length,
      failed: failures.length,
      failures: failures.slice(0, 10),
      rps: +(latencies.length / seconds).toFixed(1),
      p50_ms: +pct(0.5),
      p99_ms: +pct(0.99),
      max_ms: +latencies[latencies.length - 1]!.toFixed(1),
      jobDuringLoad: { state: state.state, progress: state.progress },
    },
    null,
    2,
  ),
);
await srv.close();
await service.close();
