// Names are names: an outputName or a dataset name that is a path ("../../outside/x", "/etc/x", control
// characters) is refused at the contract with a 400 naming the field, for every method that takes one, and
// nothing is written outside the project. A dataset name that got into project.json some other way (an older
// version) still cannot lead a job's write out of the results folder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { AccessPolicy } from '../../../src-main/services/access';
import { AppService } from '../../../src-main/services/app';
import { startDevServer, type DevServer } from '../../../src-main/devserver/server';
import { jobRunners } from '../../../src-main/worker/runners/index';
import { makeVolume, writeVolume } from '../../../src-main/core/io';
import type { Job } from '../../../src-main/contract/schemas';
import { tempDir } from '../../helpers';
import { waitJob } from '../services/harness';

process.env.CYCLEDECON_HOME = tempDir();
const base = tempDir();
const projectDir = join(base, 'deep', 'proj');
const dataDir = join(base, 'data');
const outside = join(base, 'outside');
let srv: DevServer;
let service: AppService;

function call(
  method: string,
  body: unknown,
): Promise<{ status: number; json: { result?: unknown; error?: { code: string; message: string } } }> {
  const u = new URL(srv.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: u.hostname,
        port: u.port,
        path: `/api/${method}`,
        method: 'POST',
        headers: { authorization: `Bearer ${srv.token}`, 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString()) }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const params = {
  model: 'born-wolf',
  shape: [5, 5, 5],
  voxelSize: { x: 0.1, y: 0.1, z: 0.2, unit: 'µm' },
  numericalAperture: 1.2,
  wavelength: 0.5,
};
const hostile = ['../../outside/x', '/tmp/abs', 'a/b', 'a\\b', '..', '.hidden', 'bad\nname', 'c:x'];

/** Every file under `dir` (recursively), relative to it. */
function tree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

let datasetId = '';
beforeAll(async () => {
  const access = new AccessPolicy();
  await access.allow(dataDir);
  await access.allow(projectDir);
  // Jobs run in this thread (the runners of the worker), so the test waits on them directly.
  service = new AppService({ access, runners: (dir) => jobRunners(dir) });
  srv = await startDevServer({ service, access, maxBodyBytes: 64 * 1024 });
  mkdirSync(dataDir);
  await writeVolume(join(dataDir, 'stack.tif'), makeVolume(new Float32Array(4 * 8 * 8).fill(1), [4, 8, 8]));
  expect((await call('project.create', { dir: projectDir })).status).toBe(200);
  const imp = await call('dataset.import', { paths: [join(dataDir, 'stack.tif')] });
  datasetId = (imp.json.result as { imported: { id: string }[] }).imported[0]!.id;
});
afterAll(async () => {
  await srv.close();
  await service.close();
});

describe('output and dataset names are plain names', () => {
  it('psf.generate refuses each path-like outputName with 400 naming outputName, and writes nothing', async () => {
    for (const name of hostile) {
      const r = await call('psf.generate', { params, outputName: name });
      expect(r.status, name).toBe(400);
      expect(r.json.error?.message, name).toMatch(/outputName: /);
    }
    expect(tree(join(projectDir, 'results'))).toEqual([]);
    expect(existsSync(outside)).toBe(false);
  });

  it('jobs.submit refuses them for psf, deconvolve rl and deconvolve model with 400 naming spec.outputName', async () => {
    const specs = [
      (n: string) => ({ kind: 'psf', params, outputName: n }),
      (n: string) => ({
        kind: 'deconvolve',
        method: 'rl',
        datasetId,
        psf: { from: 'generate', params },
        iterations: 1,
        outputName: n,
      }),
      (n: string) => ({ kind: 'deconvolve', method: 'model', datasetId, runDir: dataDir, outputName: n }),
    ];
    for (const spec of specs) {
      for (const name of hostile) {
        const r = await call('jobs.submit', { spec: spec(name) });
        expect(r.status, `${spec(name).kind} ${name}`).toBe(400);
        expect(r.json.error?.message).toMatch(/spec\.outputName: /);
      }
    }
    expect(((await call('jobs.list', {})).json.result as { jobs: unknown[] }).jobs).toEqual([]);
    expect(existsSync(outside)).toBe(false);
  });

  it('dataset.update refuses a path-like name with 400 naming name, and the name is unchanged', async () => {
    for (const name of hostile) {
      const r = await call('dataset.update', { id: datasetId, name });
      expect(r.status, name).toBe(400);
      expect(r.json.error?.message).toMatch(/name: /);
    }
    const ds = ((await call('dataset.list', {})).json.result as { datasets: { name: string }[] }).datasets;
    expect(ds.map((d) => d.name)).toEqual(['stack.tif']);
  });

  it('accepts a plain name and writes the PSF inside results/', async () => {
    const r = await call('psf.generate', { params, outputName: 'my psf (NA 1.2)' });
    expect(r.status).toBe(200);
    expect((r.json.result as { result: { path: string } }).result.path).toBe(
      join(projectDir, 'results', 'my psf (NA 1.2).tif'),
    );
  });

  it('a dataset name from an older project.json cannot lead the default output name out of results/', async () => {
    // Straight to the handler, past the contract: how a name written before this check reaches a job.
    await service.handlers['dataset.update']({ id: datasetId, name: '../../../outside/x.tif' } as never);
    const sub = await call('jobs.submit', {
      spec: { kind: 'deconvolve', method: 'rl', datasetId, psf: { from: 'generate', params }, iterations: 1 },
    });
    expect(sub.status).toBe(200);
    const job = await waitJob(service, (sub.json.result as Job).id, 60_000);
    expect(job.state, job.error?.message).toBe('done');
    const results = ((await call('results.list', {})).json.result as { results: { path: string }[] }).results;
    const written = results.find((x) => x.path.includes('-rl1-'))!.path;
    expect(written.startsWith(join(projectDir, 'results') + '/')).toBe(true);
    expect(written).toMatch(/results\/_\.\._\.\._outside_x-rl1-/);
    expect(existsSync(outside)).toBe(false);
  });
});
