// Test harness runner: counts to `steps` with a checkpoint per step, then writes a result file
// atomically. It lets the queue tests observe interruption, resumption and results on disk.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Job, Result } from '../../../src-main/contract/schemas';
import type { RunContext } from '../../../src-main/core/queue';
import { writeBytesAtomic } from '../../../src-main/core/io/atomic';
import { CancelledError } from '../../../src-main/core/errors';

export function slowRunner(steps: number, stepMs: number) {
  return async (job: Job, ctx: RunContext): Promise<Result[]> => {
    const ckpt = join(ctx.workDir, 'checkpoint.json');
    let start = 0;
    if (ctx.resumed) start = JSON.parse(await fs.readFile(ckpt, 'utf8').catch(() => '{"step":0}')).step;
    ctx.log(`start at step ${start} (resumed=${ctx.resumed})`);
    for (let s = start; s < steps; s++) {
      if (ctx.signal.aborted) throw new CancelledError(job.id);
      await new Promise((r) => setTimeout(r, stepMs));
      await writeBytesAtomic(ckpt, JSON.stringify({ step: s + 1 }), { force: true });
      ctx.progress((s + 1) / steps, `step ${s + 1}`, s + 1, steps);
    }
    const path = join(ctx.resultsDir, `${job.id}.txt`);
    await writeBytesAtomic(path, `done ${job.id} from ${start}`, { force: true });
    return [
      {
        id: `res_${job.id.slice(4)}`,
        jobId: job.id,
        kind: 'psf',
        path,
        inputDatasetId: null,
        method: 'test',
        shape: null,
        createdAt: new Date().toISOString(),
      },
    ];
  };
}

export const psfSpec = {
  kind: 'psf' as const,
  params: {
    model: 'born-wolf' as const,
    shape: [9, 15, 15] as [number, number, number],
    voxelSize: { x: 0.1, y: 0.1, z: 0.25, unit: 'µm' },
    numericalAperture: 1.4,
    wavelength: 0.61,
    refractiveIndex: 1.515,
    sampleIndex: 1.33,
    confocal: false,
  },
};
