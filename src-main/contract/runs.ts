// The app's list of training runs and one run's record (runs.list / runs.get): what each run was trained on
// and how it went, read back from its folder so a closed tab or a restarted server loses nothing.
import { z } from 'zod';
import { Shape3, TrainRun, VoxelSize } from './schemas';

export const RunSummary = TrainRun.extend({
  /** A name that tells runs apart: preset, date and the first dataset ("tiny · 5 Dec 15:10 · bars"). */
  label: z.string().max(400),
  /** Names of the datasets the run used (blurred then sharp), as the project lists them now. */
  datasetNames: z.array(z.string().max(400)),
  /** The last step written to history.json (0 before the first); the schedule's length when config.json says. */
  steps: z.number().int().nonnegative(),
  totalSteps: z.number().int().positive().optional(),
});
export type RunSummary = z.infer<typeof RunSummary>;

/** One row of history.json as the chart draws it: the step and its loss terms. */
export const RunLossPoint = z.object({
  step: z.number().int().nonnegative(),
  values: z.record(z.string(), z.number()),
});

export const RunDetail = z.object({
  run: RunSummary,
  history: z.array(RunLossPoint).max(200_000),
  /** The learned PSF (psf.json) with the run's own voxel size; null before the first one is written. */
  psf: z
    .object({
      shape: Shape3,
      voxelSize: VoxelSize,
      step: z.number().int().nonnegative(),
      data: z.array(z.number()).max(64 ** 3),
    })
    .nullable(),
});
export type RunDetail = z.infer<typeof RunDetail>;
