// The one mapping from what a user chooses for a training run (CLI flags, the Training view's form) to config
// overrides. Both call trainOverrides, so the two cannot disagree on what a choice means. Zod only (renderer too).
import type { TrainConfig, TrainConfigOverrides } from './train-config';

/** A user's choices; each absent one keeps the preset's value. Words as the CLI flags spell them. */
export interface TrainChoices {
  seed?: number;
  /** Stop after this many steps in total (`--steps`; config maxSteps). */
  steps?: number;
  patchSize?: number;
  lr?: number;
  epochs?: number;
  /** PSF kernel edge, voxels (config psf.size). */
  psfSize?: number;
  lambdaCycle?: number;
  lambdaSpectral?: number;
  mode?: TrainConfig['mode'];
  gba?: TrainConfig['gba'];
  sharpSource?: TrainConfig['sharpSource'];
  rlIterations?: number;
  /** 'on': G_BA learns a background offset; 'off': it does not. */
  background?: 'on' | 'off';
  /** 'estimated': noise at the blurred stacks' level on G_BA's synthetic blurred volumes; 'none': no noise. */
  fakeNoise?: 'none' | 'estimated';
  psfInit?: TrainConfig['psf']['init'];
  psfModel?: NonNullable<TrainConfig['psf']['model']>;
  /** Microscope optics, all four numbers (callers fill ni and ns from their defaults). */
  optics?: NonNullable<TrainConfig['optics']>;
}

/** Copy of `o` without its undefined entries (an empty object stays out of the overrides). */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The config overrides for a user's choices: only what was chosen, nested as TrainConfig nests it. */
export function trainOverrides(c: TrainChoices): TrainConfigOverrides {
  const optimiser = defined({ lr: c.lr, epochs: c.epochs });
  const loss = defined({ lambdaCycle: c.lambdaCycle, lambdaSpectral: c.lambdaSpectral });
  const psf = defined({ size: c.psfSize, init: c.psfInit, model: c.psfModel });
  const top = defined({
    seed: c.seed,
    maxSteps: c.steps,
    patchSize: c.patchSize,
    mode: c.mode,
    gba: c.gba,
    sharpSource: c.sharpSource,
    rlIterations: c.rlIterations,
    background: c.background === undefined ? undefined : c.background === 'on',
    fakeNoise: c.fakeNoise,
    optics: c.optics ? { ...c.optics } : undefined,
  });
  return {
    ...top,
    ...(Object.keys(optimiser).length ? { optimiser } : {}),
    ...(Object.keys(loss).length ? { loss } : {}),
    ...(Object.keys(psf).length ? { psf } : {}),
  };
}
