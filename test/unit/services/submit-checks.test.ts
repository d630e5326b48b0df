// jobs.submit refuses, before queueing, the jobs that could only fail later on the Queue page.
import { describe, expect, it } from 'vitest';
import { checkBeforeQueue } from '../../../src-main/services/submit-checks';
import { JobSpec } from '../../../src-main/contract/schemas';
import { InvalidParameterError } from '../../../src-main/core/errors';
import { dataset, project } from '../../renderer/fake-client';

const spec = (s: unknown) => JobSpec.parse(s);
const train = (over: Record<string, unknown>) =>
  spec({ kind: 'train', blurredIds: ['ds_aaaa1111'], preset: 'tiny', ...over });
const optics = { na: 1.4, wavelength: 0.52, ni: 1.518, ns: 1.33 };
const doneRun = {
  id: 'run_aaaa0001',
  jobId: 'job_aaaa0001',
  dir: 'jobs/job_aaaa0001/run',
  datasetIds: ['ds_aaaa1111'],
  preset: 'tiny',
  createdAt: '2026-12-05T10:00:00Z',
  status: 'done' as const,
};

describe('checks before queueing', () => {
  it.each([
    ['training without sharp stacks', train({}), /training needs sharp stacks/],
    ['RL sharp data without optics or a PSF', train({ config: { sharpSource: 'rl' } }), /needs a PSF/],
    [
      'an NA above the immersion index',
      train({ sharpIds: ['ds_ssss0000'], config: { optics: { ...optics, na: 1.6 } } }),
      /NA 1.6 must be below the immersion index/,
    ],
    [
      'a model deconvolution in a project without a finished run',
      spec({ kind: 'deconvolve', method: 'model', datasetId: 'ds_aaaa1111' }),
      /no finished training run/,
    ],
  ])('refuses %s', (_what, s, message) => {
    const run = () => checkBeforeQueue(project(), s);
    expect(run).toThrow(InvalidParameterError);
    expect(run).toThrow(message);
  });

  it('leaves a config field the engine does not know to the contract, which refuses it naming the field', () => {
    expect(() => train({ sharpIds: ['ds_ssss0000'], config: { steps: 10 } })).toThrow(
      /"unrecognized_keys"[^]*"steps"[^]*"config"/,
    );
  });

  it('refuses a report on an external result not linked to its input, and takes a linked one', () => {
    const ext = dataset({ id: 'ds_extr0000', name: 'aq.tif', role: { kind: 'external', tool: 'autoquant' } });
    expect(() =>
      checkBeforeQueue(project({ datasets: [dataset(), ext] }), spec({ kind: 'report', itemIds: ['ds_extr0000'] })),
    ).toThrow(/aq.tif is an external result not linked to its input/);
    const linked = { ...ext, role: { kind: 'external' as const, tool: 'autoquant' as const, linkedTo: 'ds_aaaa1111' } };
    expect(() =>
      checkBeforeQueue(project({ datasets: [dataset(), linked] }), spec({ kind: 'report', itemIds: ['ds_extr0000'] })),
    ).not.toThrow();
  });

  it('takes what can succeed: sharp stacks, RL with optics, a finished run, a train job it waits for', () => {
    expect(() => checkBeforeQueue(project(), train({ sharpIds: ['ds_ssss0000'] }))).not.toThrow();
    expect(() => checkBeforeQueue(project(), train({ config: { sharpSource: 'rl', optics } }))).not.toThrow();
    expect(() =>
      checkBeforeQueue(project(), train({ config: { sharpSource: 'rl' }, rlPsfId: 'ds_psfx0000' })),
    ).not.toThrow();
    const model = spec({ kind: 'deconvolve', method: 'model', datasetId: 'ds_aaaa1111' });
    expect(() => checkBeforeQueue(project({ runs: [doneRun] }), model)).not.toThrow();
    expect(() => checkBeforeQueue(project(), model, ['job_trai0001'])).not.toThrow();
    expect(() => checkBeforeQueue(project({ runs: [{ ...doneRun, status: 'failed' }] }), model)).toThrow(
      /no finished training run/,
    );
  });
});
