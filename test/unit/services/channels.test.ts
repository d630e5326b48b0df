// Multichannel, time-lapse stacks in the app: every view reads the channel and frame it asks for, every
// job reads the dataset with the project's voxel-size override, and training never takes channel 0 unasked.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseRequest } from '../../../src-main/contract/validate';
import type { BinaryPayload } from '../../../src-main/contract/api';
import type { Dataset, Job, Result } from '../../../src-main/contract/schemas';
import { readTiffInfo, readVolume } from '../../../src-main/core/io/index';
import { createVolumeWriter } from '../../../src-main/core/io/writer';
import { openService, waitJob } from './harness';
import { tempDir } from '../../helpers';
import { beadPeak, writeTwoChannelStack } from './two-channel';

async function setUp() {
  const data = tempDir();
  const file = join(data, 'two-channel.tif');
  await writeTwoChannelStack(file);
  const { service, projectDir } = await openService(data);
  const h = service.handlers;
  await h['project.create'](parseRequest('project.create', { dir: projectDir }));
  const report = (await h['dataset.import'](parseRequest('dataset.import', { paths: [file] }))) as {
    imported: Dataset[];
  };
  return { service, h, ds: report.imported[0]!, data };
}

describe('multichannel stacks in the app', () => {
  it('records channels, frames and the voxel size source of an imported stack', async () => {
    const { service, ds } = await setUp();
    try {
      expect(ds.channels).toBe(2);
      expect(ds.frames).toBe(2);
      expect(ds.voxelSizeSource).toBe('none');
    } finally {
      await service.close();
    }
  });

  it('dataset.slice and dataset.volume read the channel and frame asked for (default 0, 0)', async () => {
    const { service, h, ds } = await setUp();
    try {
      const slice = async (channel?: number, frame?: number) =>
        (await h['dataset.slice'](
          parseRequest('dataset.slice', { id: ds.id, axis: 'z', index: 3, channel, frame }),
        )) as BinaryPayload;
      expect((await slice()).meta.max).toBe(beadPeak(0, 0));
      expect((await slice(1, 0)).meta.max).toBe(beadPeak(1, 0));
      const last = await slice(1, 1);
      expect(last.meta.max).toBe(beadPeak(1, 1));
      expect(last.meta).toMatchObject({ channel: 1, frame: 1, channels: 2, frames: 2, voxelSizeSource: 'none' });
      const vol = (await h['dataset.volume'](
        parseRequest('dataset.volume', { id: ds.id, channel: 1, frame: 1 }),
      )) as BinaryPayload;
      expect(vol.meta.max).toBe(beadPeak(1, 1));
      await expect(slice(2, 0)).rejects.toThrow(/channel.*2 channel/);
      await expect(slice(0, 5)).rejects.toThrow(/frame.*2 frame/);
    } finally {
      await service.close();
    }
  });

  it('metrics.compute compares the channel and frame asked for, checked against both files', async () => {
    const { service, h, ds } = await setUp();
    try {
      const at = async (channel: number, frame: number) =>
        (await h['metrics.compute'](
          parseRequest('metrics.compute', { referenceId: ds.id, testId: ds.id, metrics: ['nrmse'], channel, frame }),
        )) as { values: { nrmse: number } };
      expect((await at(1, 1)).values.nrmse).toBeLessThan(1e-9);
      await expect(at(2, 0)).rejects.toThrow(/channel/);
    } finally {
      await service.close();
    }
  });

  it("views carry the project's voxel-size override, with source 'project'", async () => {
    const { service, h, ds } = await setUp();
    try {
      await h['dataset.update'](
        parseRequest('dataset.update', { id: ds.id, voxelSizeOverride: { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' } }),
      );
      const s = (await h['dataset.slice'](
        parseRequest('dataset.slice', { id: ds.id, axis: 'z', index: 0 }),
      )) as BinaryPayload;
      expect(s.meta.voxelSize).toEqual({ x: 0.1, y: 0.1, z: 0.3, unit: 'µm' });
      expect(s.meta.voxelSizeSource).toBe('project');
    } finally {
      await service.close();
    }
  });

  it("an RL job deconvolves every channel and frame and writes the project's voxel size into its output", async () => {
    const { service, h, ds } = await setUp();
    try {
      await h['dataset.update'](
        parseRequest('dataset.update', { id: ds.id, voxelSizeOverride: { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' } }),
      );
      const params = {
        model: 'born-wolf',
        shape: [5, 7, 7],
        voxelSize: { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' },
        numericalAperture: 1.2,
        wavelength: 0.52,
      };
      const job = (await h['jobs.submit'](
        parseRequest('jobs.submit', {
          spec: {
            kind: 'deconvolve',
            method: 'rl',
            datasetId: ds.id,
            psf: { from: 'generate', params },
            iterations: 3,
          },
        }),
      )) as Job;
      const done = await waitJob(service, job.id, 60_000);
      expect(done.state, JSON.stringify(done.error)).toBe('done');
      const result = (
        (await h['results.list'](parseRequest('results.list', {}))) as { results: Result[] }
      ).results.find((r) => r.jobId === job.id)!;
      const info = await readTiffInfo(result.path);
      expect(info.channels).toBe(2);
      expect(info.frames).toBe(2);
      expect(info.voxelSize.x).toBeCloseTo(0.1, 6);
      expect(info.voxelSize.z).toBeCloseTo(0.3, 6);
      expect(info.voxelSize.unit).toMatch(/µm|micron/);
      expect(info.extra['cycledecon.voxelSizeSource']).toBe('project');
      // Channel 1 of frame 1 is the deconvolution of channel 1, frame 1 (its bead is the brightest of all).
      const peaks = await Promise.all(
        [
          [0, 0],
          [1, 0],
          [0, 1],
          [1, 1],
        ].map(async ([c, t]) =>
          (await readVolume(result.path, { channel: c, frame: t })).data.reduce((m, v) => Math.max(m, v), 0),
        ),
      );
      expect(peaks[3]).toBeGreaterThan(peaks[2]!);
      expect(peaks[1]).toBeGreaterThan(peaks[0]!);

      // Its report states the same voxel size and where it came from.
      const rep = (await h['jobs.submit'](
        parseRequest('jobs.submit', { spec: { kind: 'report', itemIds: [result.id] } }),
      )) as Job;
      const repDone = await waitJob(service, rep.id, 60_000);
      expect(repDone.state, JSON.stringify(repDone.error)).toBe('done');
      const report = (
        (await h['results.list'](parseRequest('results.list', {}))) as { results: Result[] }
      ).results.find((r) => r.jobId === rep.id)!;
      const json = JSON.parse(readFileSync(report.path.replace(/\.html$/, '.json'), 'utf8')) as {
        input: { voxelSize: { x: number }; voxelSizeSource: string };
      };
      expect(json.input.voxelSize.x).toBeCloseTo(0.1, 6);
      expect(json.input.voxelSizeSource).toBe('project');
      expect(readFileSync(report.path, 'utf8')).toContain('from the project');
      // It covers one channel and time point of the 2 × 2, and says so on the result.
      expect(report.warnings?.[0]).toMatch(
        /covers channel 1 and time point 1 of two-channel\.tif \(2 channel\(s\) × 2 time point\(s\)\)/,
      );
    } finally {
      await service.close();
    }
  });

  it('an RL job refuses a PSF dataset that is not a PSF (a bright disc filling the field) before deconvolving', async () => {
    const { service, h, ds, data: folder } = await setUp();
    try {
      const disc = join(folder, 'nucleus.tif');
      const [nz, ny, nx] = [5, 16, 16];
      const data = new Float32Array(nz * ny * nx);
      for (let z = 0; z < nz; z++)
        for (let y = 0; y < ny; y++)
          for (let x = 0; x < nx; x++) if ((y - 8) ** 2 + (x - 8) ** 2 < 49) data[(z * ny + y) * nx + x] = 100;
      const w = await createVolumeWriter(disc, {
        shape: [nz, ny, nx],
        voxelSize: { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' },
        dtype: 'float32',
      });
      await w.writeSlices(data, nz);
      await w.close();
      const psf = (
        (await h['dataset.import'](parseRequest('dataset.import', { paths: [disc] }))) as { imported: Dataset[] }
      ).imported[0]!;
      const job = (await h['jobs.submit'](
        parseRequest('jobs.submit', {
          spec: {
            kind: 'deconvolve',
            method: 'rl',
            datasetId: ds.id,
            psf: { from: 'dataset', id: psf.id },
            iterations: 2,
          },
        }),
      )) as Job;
      const done = await waitJob(service, job.id, 60_000);
      expect(done.state).toBe('failed');
      expect(done.error?.message).toMatch(/nucleus\.tif does not look like a PSF/);
    } finally {
      await service.close();
    }
  });

  it('training a multichannel stack is refused before queueing unless a channel is chosen', async () => {
    const { service, h, ds } = await setUp();
    try {
      await expect(
        h['jobs.submit'](parseRequest('jobs.submit', { spec: { kind: 'train', blurredIds: [ds.id], preset: 'tiny' } })),
      ).rejects.toThrow(/2 channels and no channel was chosen/);
      await expect(
        h['jobs.submit'](
          parseRequest('jobs.submit', { spec: { kind: 'train', blurredIds: [ds.id], preset: 'tiny', channel: 2 } }),
        ),
      ).rejects.toThrow(/out of range/);
      expect(((await h['jobs.list'](parseRequest('jobs.list', {}))) as { jobs: Job[] }).jobs).toEqual([]);
    } finally {
      await service.close();
    }
  });
});
