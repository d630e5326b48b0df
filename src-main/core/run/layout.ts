// The names of the files in a training run folder, in one tfjs-free module: the trainer writes them, inference,
// reports, the CLI and the worker read them, and some of those must not load tfjs (the CLI's main thread).
export const RUN_FILES = {
  config: 'config.json',
  historyCsv: 'history.csv',
  historyJson: 'history.json',
  weights: 'weights',
  psf: 'psf.json',
  psfTiff: 'psf.tif',
  summary: 'run.json',
  /** The spectral fit the PSF layer started from (psf.init 'spectral'). */
  psfInit: 'psf-init.json',
  /** The pupil layer's learned optics and aberrations (psf.model 'pupil'; train/pupil-file.ts). */
  psfPupil: 'psf-pupil.json',
  /** Folder of the resumable checkpoint, and its manifest inside it. */
  checkpoint: 'checkpoint',
  checkpointManifest: 'checkpoint.json',
  /** What the run was trained on (run/domain.ts). */
  domain: 'domain.json',
  /** Does G_AB's output depend on its input (train/output-check.ts). */
  outputCheck: 'output-check.json',
} as const;
