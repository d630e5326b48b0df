// runs.list / runs.get read from run folders built here: labels that tell runs apart, history and PSF files
// that are damaged or hostile, and run folders that lead out of the project.
import { describe, expect, it } from 'vitest';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getRun, historyPoints, listRuns, psfOf } from '../../../src-main/services/runs';
import { RunDetail, RunSummary } from '../../../src-main/contract/runs';
import type { Project, TrainRun } from '../../../src-main/contract/schemas';
import { dataset, project } from '../../renderer/fake-client';
import { tempDir } from '../../helpers';

const run = (id: string, over: Partial<TrainRun> = {}): TrainRun => ({
  id: `run_${id}`,
  jobId: `job_${id}`,
  dir: `jobs/job_${id}/run`,
  datasetIds: ['ds_aaaa1111'],
  preset: 'tiny',
  createdAt: '2026-12-05T15:10:00Z',
  status: 'done',
  ...over,
});

function folder(projectDir: string, r: TrainRun, files: Record<string, unknown>): void {
  const dir = join(projectDir, r.dir);
  mkdirSync(dir, { recursive: true });
  for (const [name, v] of Object.entries(files))
    writeFileSync(join(dir, name), typeof v === 'string' ? v : JSON.stringify(v));
}

const psf = {
  shape: [1, 2, 2],
  voxelSize: { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' },
  step: 3,
  data: [0.25, 0.25, 0.25, 0.25],
};

describe('runs.list', () => {
  it('lists runs newest first, with steps, schedule and names, and tells same-preset runs apart', async () => {
    const dir = tempDir();
    const a = run('aaaa0001');
    const b = run('bbbb0002');
    const c = run('cccc0003', { createdAt: '2026-12-05T16:00:00Z', preset: 'fast' });
    const p: Project = project({ datasets: [dataset({ name: 'bars.tif' })], runs: [a, b, c] });
    folder(dir, a, {
      'history.json': [
        { step: 1, cycleA: 1 },
        { step: 2, cycleA: 0.5 },
      ],
      'config.json': { maxSteps: 4 },
    });
    folder(dir, b, { 'history.json': '{ not json' });
    const runs = await listRuns(p, dir);
    for (const r of runs) RunSummary.parse(r);
    expect(runs.map((r) => r.id)).toEqual(['run_cccc0003', 'run_aaaa0001', 'run_bbbb0002']);
    expect(runs[0]!.label).toBe('fast · 5 Dec 16:00 · bars.tif');
    // Two tiny runs of the same minute on the same data: the id makes the labels differ.
    expect(new Set(runs.map((r) => r.label)).size).toBe(3);
    expect(runs[1]).toMatchObject({
      steps: 2,
      totalSteps: 4,
      datasetNames: ['bars.tif'],
      label: 'tiny · 5 Dec 15:10 · bars.tif · run_aaaa0001',
    });
    // A damaged history and a missing folder (run c) list the run with 0 steps instead of failing the list.
    expect(runs[2]!.steps).toBe(0);
    expect(runs[0]!.steps).toBe(0);
  });

  it('names a removed dataset as removed', async () => {
    const runs = await listRuns(project({ runs: [run('aaaa0001', { datasetIds: ['ds_gone0000'] })] }), tempDir());
    expect(runs[0]!.datasetNames).toEqual(['ds_gone0000 (removed)']);
  });
});

describe('runs.get', () => {
  it('returns the loss history and the learned PSF with the run\u2019s own voxel size', async () => {
    const dir = tempDir();
    const a = run('aaaa0001');
    folder(dir, a, {
      'history.json': [{ step: 1, epoch: 0, lr: 1e-3, seconds: 2, cycleA: 0.5, psfL1: 0 }],
      'psf.json': psf,
    });
    const d = await getRun(project({ runs: [a] }), dir, a.id);
    RunDetail.parse(d);
    // lr, epoch and seconds are not losses; a zero term stays (the chart decides what to hide).
    expect(d.history).toEqual([{ step: 1, values: { cycleA: 0.5, psfL1: 0 } }]);
    expect(d.psf).toEqual(psf);
  });

  it('refuses a run folder outside the project, by path or by symlink', async () => {
    const dir = tempDir();
    const outside = tempDir();
    writeFileSync(join(outside, 'history.json'), JSON.stringify([{ step: 9, secret: 1 }]));
    const up = run('aaaa0001', { dir: '../x' });
    await expect(getRun(project({ runs: [up] }), dir, up.id)).rejects.toThrow(/outside the project/);
    const linked = run('bbbb0002', { dir: 'jobs/link' });
    mkdirSync(join(dir, 'jobs'));
    symlinkSync(outside, join(dir, 'jobs', 'link'));
    await expect(getRun(project({ runs: [linked] }), dir, linked.id)).rejects.toThrow(/leads outside the project/);
    // The list still shows both runs, without reading their folders.
    const runs = await listRuns(project({ runs: [up, linked] }), dir);
    expect(runs.map((r) => r.steps)).toEqual([0, 0]);
  });

  it('refuses an unknown run id', async () => {
    await expect(getRun(project(), tempDir(), 'run_none0000')).rejects.toThrow(/does not exist/);
  });
});

describe('history.json and psf.json parsing', () => {
  it('skips rows without an integer step and non-finite terms', () => {
    expect(
      historyPoints([null, 3, { step: -1, a: 1 }, { step: 1.5, a: 1 }, { step: 2, a: 'x', b: null, c: 1 }]),
    ).toEqual([{ step: 2, values: { c: 1 } }]);
    expect(historyPoints({ step: 1 })).toEqual([]);
  });

  it.each([
    ['a wrong data length', { ...psf, data: [1, 2, 3] }],
    ['a non-finite value', { ...psf, data: [1, 2, 3, 'NaN'] }],
    ['a negative shape', { ...psf, shape: [1, -2, -2] }],
    ['a shape larger than the contract carries', { ...psf, shape: [65, 64, 64], data: [] }],
    ['a voxel size of zero', { ...psf, voxelSize: { x: 0, y: 1, z: 1, unit: 'µm' } }],
    ['no voxel size', { ...psf, voxelSize: undefined }],
  ])('gives no PSF for %s', (_what, raw) => {
    expect(psfOf(raw)).toBeNull();
  });
});
