// The Richardson–Lucy options shared by `cycledecon rl` and `deconvolve --method rl`: boundary
// model, background of the forward model and acceleration, parsed before any work starts.
import type { ParsedArgs } from './command';
import { flag, oneOf, str } from './args';
import { InvalidParameterError } from '../core/errors';
import { parseBackground, type BackgroundSetting } from '../core/deconv/background';
import { RL_BOUNDARIES, type RlBoundary } from '../core/deconv/boundary';
import { RL_ACCELERATIONS, type RlAcceleration } from '../core/deconv/accel';
import type { RlPlan } from '../core/deconv/rl';

export const RL_OPTION_SPECS = {
  boundary: { type: 'string' },
  background: { type: 'string' },
  accel: { type: 'string' },
  'no-pad': { type: 'boolean' },
} as const;

export const RL_OPTION_USAGE = `  --boundary extend|reflect|zero
                    outside the stack: extend (default; Bertero & Boccacci 2005: the object is
                    estimated on the stack extended by half the PSF, only measured voxels are
                    fitted, so out-of-stack light is not piled into the edge slices), reflect
                    (mirror-pad by half the PSF; = skimage on the padded image), zero
  --background auto|b
                    constant background/camera offset in the forward model Hx + b (input units);
                    auto (default): the 1st percentile of 8×8-patch means; 0: none
  --accel none|shb  momentum: none (default, plain RL) or shb (scaled heavy ball, as Deconwolf:
                    the same I-divergence in 2–5x fewer iterations; use fewer, e.g. 15–25)
  --no-pad          the same as --boundary zero`;

export interface RlCliOptions {
  boundary: RlBoundary;
  background: BackgroundSetting;
  acceleration: RlAcceleration;
}

export function rlOptionsFromArgs(args: ParsedArgs): RlCliOptions {
  const noPad = flag(args, 'no-pad');
  if (noPad && str(args, 'boundary') !== undefined && str(args, 'boundary') !== 'zero')
    throw new InvalidParameterError('--no-pad', 'contradicts --boundary; use one of them');
  const boundary = noPad ? 'zero' : oneOf(args, 'boundary', RL_BOUNDARIES, 'extend');
  let background: BackgroundSetting;
  try {
    background = parseBackground(str(args, 'background'), '--background') ?? 'auto';
  } catch (e) {
    throw e instanceof InvalidParameterError ? e : new InvalidParameterError('--background', String(e));
  }
  return { boundary, background, acceleration: oneOf(args, 'accel', RL_ACCELERATIONS, 'none') };
}

/** One line saying what the run used. */
export function describeRlPlan(p: RlPlan): string {
  return `boundary ${p.boundary} (domain ${p.domain.join('×')}), background ${+p.background.toPrecision(5)} (${p.backgroundSource}), acceleration ${p.acceleration}`;
}
