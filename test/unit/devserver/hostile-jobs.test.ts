import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { AccessPolicy } from '../../../src-main/services/access';
import { AppService } from '../../../src-main/services/app';
import { startDevServer, type DevServer } from '../../../src-main/devserver/server';
import { sampleData, tempDir } from '../../helpers';
import { deepArrayText } from '../../hostile-json';

// Sample data: test/fixtures/shared-data/flowdec_bars25 (hammerlab/flowdec, Apache-2.0; see its README.md and LICENSE).
const bars = sampleData('flowdec_bars25');
process.env.CYCLEDECON_HOME = tempDir(); // keep the recent-projects list out of the user's config
const root = tempDir();
let srv: DevServer;
let service: AppService;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- replies of several methods, read field by field
type Reply = { result?: any; error?: { code: string; message: string } };
async function call(method: string, body: unknown): Promise<{ status: number; json: Reply }> {
  const r = await fetch(`${srv.url}/api/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${srv.token}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as never };
}

beforeAll(async () => {
  const access = new AccessPolicy();
  await access.allow(bars);
  await access.allow(root);
  // Instant runners: these tests are about the queue, not the science.
  service = new AppService({ access, runners: () => ({ train: async () => [], psf: async () => [] }) });
  srv = await startDevServer({ service, access }); // the default 1 MiB body limit lets the 100 KB body through
});
afterAll(async () => {
  await srv.close();
  await service.close();
});

describe('hostile jobs over the devserver', () => {
  it('answers a 50 000-deep train config with 400 naming the field; list and the next submit still work', async () => {
    expect((await call('project.create', { dir: join(root, 'deep') })).status).toBe(200);
    const imported = await call('dataset.import', { paths: [join(bars, 'data.tif')] });
    const dsId = imported.json.result.imported[0].id as string;
    const body = `{"spec":{"kind":"train","blurredIds":["${dsId}"],"config":{"x":${deepArrayText(50_000)}}}}`;
    expect(body.length).toBeGreaterThan(100_000);
    const bad = await call('jobs.submit', body);
    expect(bad.status).toBe(400);
    // The typed config refuses the unknown key before descending into it (contract/train-config.ts).
    expect(bad.json.error!.message).toMatch(/spec\.config: Unrecognized key: "x"/);
    const deepField = await call(
      'jobs.submit',
      `{"spec":{"kind":"train","blurredIds":["${dsId}"],"config":{"psf":{"size":${deepArrayText(50_000)}}}}}`,
    );
    expect(deepField.status).toBe(400);
    expect(deepField.json.error!.message).toMatch(/spec\.config\.psf\.size/);
    const list = await call('jobs.list', {});
    expect(list.status).toBe(200);
    expect(list.json.result.jobs).toEqual([]);
    const next = await call('jobs.submit', {
      spec: { kind: 'train', blurredIds: [dsId], sharpIds: [dsId], config: { maxSteps: 10 } },
    });
    expect(next.status).toBe(200);
    let job = next.json.result;
    for (let i = 0; i < 100 && job.state !== 'done'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      job = (await call('jobs.get', { id: job.id })).json.result;
    }
    expect(job.state).toBe('done');
    expect((await call('jobs.list', {})).json.result.jobs.map((j: { id: string }) => j.id)).toEqual([job.id]);
  });

  it('opens a project whose journal has a schema-invalid line: the rest is listed, the line quarantined', async () => {
    const dir = join(root, 'journal');
    expect((await call('project.create', { dir })).status).toBe(200);
    const good = await call('jobs.submit', {
      spec: {
        kind: 'psf',
        params: {
          model: 'born-wolf',
          shape: [9, 9, 9],
          voxelSize: { x: 0.1, y: 0.1, z: 0.2, unit: 'µm' },
          numericalAperture: 1.4,
          wavelength: 0.6,
        },
      },
    });
    expect(good.status).toBe(200);
    await service.close();
    appendFileSync(
      join(dir, 'jobs', 'journal.jsonl'),
      JSON.stringify({ job: { id: 'job_bad00001', state: 'queued' }, results: [], seq: 9 }) + '\n',
    );
    expect((await call('project.open', { dir })).status).toBe(200);
    const list = await call('jobs.list', {});
    expect(list.status).toBe(200);
    expect(list.json.result.jobs.map((j: { id: string }) => j.id)).toEqual([good.json.result.id]);
    expect(service.warnings()[0]).toMatch(/1 unusable line\(s\) .* moved to .*journal\.quarantine\.jsonl/);
    expect(readFileSync(join(dir, 'jobs', 'journal.quarantine.jsonl'), 'utf8')).toContain('job_bad00001');
  });

  it('refuses a project.json without a version (409, PROJECT) and leaves it as it was', async () => {
    const dir = join(root, 'noversion');
    mkdirSync(dir);
    writeFileSync(join(dir, 'project.json'), '{}');
    const r = await call('project.open', { dir });
    expect(r.status).toBe(409);
    expect(r.json.error).toMatchObject({
      code: 'PROJECT',
      message: expect.stringMatching(/project\.json has no "version" field/),
    });
    expect(readFileSync(join(dir, 'project.json'), 'utf8')).toBe('{}');
  });
});
