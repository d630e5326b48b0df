// Heavy request/response calls (metrics.compute, psf.generate/analyze, dataset.import's parsing) run in a task worker:
// while one runs, every other client still gets quick answers from the devserver.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { AccessPolicy } from '../../../src-main/services/access';
import { AppService } from '../../../src-main/services/app';
import { startDevServer, type DevServer } from '../../../src-main/devserver/server';
import { WorkerTaskPool } from '../../../src-main/worker/task-pool';
import { makeVolume, writeVolume, type Shape3 } from '../../../src-main/core/io/index';
import { tempDir } from '../../helpers';

process.env.CYCLEDECON_HOME = tempDir(); // keep the recent-projects list out of the user's config
const projectDir = join(tempDir(), 'proj');
const dataDir = join(projectDir, 'data');
let srv: DevServer;
let service: AppService;

async function call(
  method: string,
  body: unknown,
): Promise<{ status: number; json: { result?: Record<string, unknown>; error?: unknown } }> {
  const r = await fetch(`${srv.url}/api/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${srv.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as never };
}

/** A ramp stack plus, for `noise` > 0, a perturbed copy: different content, same shape. */
async function writeStack(name: string, shape: Shape3, dtype: 'float32' | 'uint16', noise = 0): Promise<string> {
  const n = shape[0] * shape[1] * shape[2];
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = (i % 1013) + noise * ((i * 31) % 17);
  const path = join(dataDir, name);
  await writeVolume(path, makeVolume(data, shape), { dtype });
  return path;
}

const psfParams = (shape: Shape3) => ({
  model: 'born-wolf',
  shape,
  voxelSize: { x: 0.1, y: 0.1, z: 0.2, unit: 'µm' },
  numericalAperture: 1.4,
  wavelength: 0.52,
});

/**
 * Runs `heavy` while pinging project.get back to back, and returns the longest wait between two answers: what a
 * second client would see. Client and server share this thread, so a blocked event loop may land in the
 * client's pause rather than inside one ping; the gap between answers catches it wherever it lands.
 */
async function pingDuring(
  heavy: () => Promise<{ status: number }>,
): Promise<{ heavyMs: number; longestGapMs: number; pings: number }> {
  let done = false;
  const t0 = performance.now();
  const work = heavy().finally(() => {
    done = true;
  });
  let last = t0;
  let longestGapMs = 0;
  let pings = 0;
  while (!done) {
    expect((await call('project.get', {})).status).toBe(200);
    const now = performance.now();
    longestGapMs = Math.max(longestGapMs, now - last);
    last = now;
    pings++;
    await new Promise((r) => setTimeout(r, 10));
  }
  expect((await work).status).toBe(200);
  return { heavyMs: performance.now() - t0, longestGapMs, pings };
}

beforeAll(async () => {
  mkdirSync(dataDir, { recursive: true });
  const access = new AccessPolicy();
  await access.allow(projectDir);
  service = new AppService({ access, tasks: new WorkerTaskPool(1) });
  srv = await startDevServer({ service, access });
  expect((await call('project.create', { dir: projectDir })).status).toBe(200);
  // Starts the task worker (module loading is paid once, not by the calls measured below).
  expect((await call('psf.generate', { params: psfParams([5, 5, 5]) })).status).toBe(200);
});
afterAll(async () => {
  await srv.close();
  await service.close();
});

describe('devserver heavy calls run off the event loop', () => {
  it('answers project.get quickly while dataset.import parses a large stack', async () => {
    const big = await writeStack('big.tif', [8, 2048, 2048], 'uint16'); // one 16-plane slab: parsed in one go
    const r = await pingDuring(() => call('dataset.import', { paths: [big] }));
    expect(r.longestGapMs).toBeLessThan(r.heavyMs / 4);
  });

  it('answers project.get quickly while metrics.compute runs', async () => {
    const shape: Shape3 = [16, 128, 128];
    const imported = await call('dataset.import', {
      paths: [await writeStack('ref.tif', shape, 'float32'), await writeStack('test.tif', shape, 'float32', 5)],
    });
    const [ref, test] = (imported.json.result!.imported as { id: string }[]).map((d) => d.id);
    let values: Record<string, number> = {};
    const r = await pingDuring(async () => {
      const m = await call('metrics.compute', { referenceId: ref, testId: test });
      values = (m.json.result?.values ?? {}) as Record<string, number>;
      return m;
    });
    expect(Object.keys(values).sort()).toEqual(['ncc', 'nrmse', 'psnr', 'ssim', 'ssim2d']);
    expect(values.ncc).toBeGreaterThan(0.9);
    expect(r.longestGapMs).toBeLessThan(r.heavyMs / 4);
  });

  it('answers project.get quickly while psf.generate computes and writes a PSF', async () => {
    let out: Record<string, unknown> = {};
    const r = await pingDuring(async () => {
      const g = await call('psf.generate', { params: psfParams([151, 151, 151]) });
      out = g.json.result ?? {};
      return g;
    });
    expect((out.result as { shape: number[] }).shape).toEqual([151, 151, 151]);
    expect((out.analysis as { peak: number }).peak).toBeGreaterThan(0);
    expect(r.longestGapMs).toBeLessThan(r.heavyMs / 4);
  });

  it('answers project.get quickly while psf.analyze measures a generated PSF', async () => {
    let fwhmZ = 0;
    const r = await pingDuring(async () => {
      const a = await call('psf.analyze', { psf: { from: 'generate', params: psfParams([151, 151, 151]) } });
      fwhmZ = (a.json.result as { fwhm: { z: number } } | undefined)?.fwhm.z ?? 0;
      return a;
    });
    expect(fwhmZ).toBeGreaterThan(0.2); // µm: a 1.4 NA PSF is wider along z than one z step
    expect(r.longestGapMs).toBeLessThan(r.heavyMs / 4);
  });

  it('turns a failure in the worker into a typed error response', async () => {
    const imported = await call('dataset.import', { paths: [await writeStack('small.tif', [16, 32, 32], 'float32')] });
    const small = (imported.json.result!.imported as { id: string }[])[0]!.id;
    const ref = ((await call('dataset.list', {})).json.result!.datasets as { id: string; name: string }[]).find(
      (d) => d.name === 'ref.tif',
    )!.id;
    const m = await call('metrics.compute', { referenceId: ref, testId: small }); // shapes differ: computeMetrics refuses
    expect(m.status).toBe(400);
    expect(m.json.error).toMatchObject({ code: 'INVALID_VOLUME' });
    expect((await call('project.get', {})).status).toBe(200);
  });
});
