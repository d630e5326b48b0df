// A small run of the SIGKILL fault drivers (scripts/faults; the full ≥ 20-kill runs are `npm run test:faults`):
// the real CLI is killed at seeded moments and restarted, and nothing may be lost or half-written.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { tempDir } from '../../helpers';
import { runTrainKills } from '../../../scripts/faults/train-kill';
import { runDeconvolveKills } from '../../../scripts/faults/deconvolve-kill';
import { runQueueKills } from '../../../scripts/faults/queue-kill';

describe('SIGKILL at seeded moments', () => {
  it('cycledecon train resumes from its checkpoint after each kill and ends equal to an uninterrupted run', async () => {
    const r = await runTrainKills({ dir: join(tempDir(), 'train'), seed: 11, kills: 2, steps: 8 });
    expect(r.problems).toEqual([]);
    expect(r.kills).toBe(2);
    expect(r.launches).toBe(3);
    expect(r.finalStep).toBe(8);
    expect(r.finite).toBe(true);
    expect(r.equalToReference).toBe(true);
  }, 120_000);

  it('a batch cycledecon deconvolve --skip-existing finishes after kills with outputs equal to a clean run', async () => {
    const r = await runDeconvolveKills({
      dir: join(tempDir(), 'deconvolve'),
      seed: 5,
      kills: 2,
      files: 3,
      method: 'model',
      shape: '16,32,32',
    });
    expect(r.problems).toEqual([]);
    expect(r.kills).toBe(2);
    // Every output was read back and compared at least once (the final complete run checks all 3).
    expect(r.outputsChecked).toBeGreaterThanOrEqual(3);
    expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-6);
  }, 120_000);

  it('the job queue loses no job across repeated kills', async () => {
    const r = await runQueueKills({ dir: join(tempDir(), 'queue'), seed: 3, kills: 2, jobs: 2 });
    expect(r.problems).toEqual([]);
    expect(r.kills).toBe(2);
    expect(r.jobsDone).toBe(r.jobs);
  }, 120_000);
});
