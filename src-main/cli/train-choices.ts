// `cycledecon train`'s flags as training choices (contract/train-overrides.ts maps them to config overrides, the
// same mapping the Training view uses).
import type { TrainConfig } from '../contract/train-config';
import type { TrainChoices } from '../contract/train-overrides';
import { InvalidParameterError } from '../core/errors';
import { num, oneOf, str } from './args';
import type { ParsedArgs } from './command';

/** The choices the flags make; `savedOptics` (of a --config or resumed run) fills --ni and --ns when not given. */
export function trainChoicesFromArgs(args: ParsedArgs, savedOptics?: TrainConfig['optics']): TrainChoices {
  const pick = <T extends string>(name: string, allowed: readonly T[]) =>
    str(args, name) ? oneOf(args, name, allowed, allowed[0]!) : undefined;
  return {
    seed: num(args, 'seed', { min: 0, max: 0xffffffff, integer: true }),
    steps: num(args, 'steps', { min: 1, integer: true }),
    gba: pick('gba', ['psf', 'cnn'] as const),
    mode: pick('mode', ['cycle', 'supervised'] as const),
    sharpSource: pick('sharp-source', ['data', 'rl'] as const),
    fakeNoise: pick('fake-noise', ['none', 'estimated'] as const),
    background: pick('background', ['on', 'off'] as const),
    rlIterations: num(args, 'rl-iters', { min: 1, max: 1000, integer: true }),
    psfInit: pick('psf-init', ['delta', 'gaussian', 'bornwolf', 'spectral'] as const),
    psfModel: pick('psf-model', ['free', 'gaussian', 'pupil'] as const),
    lambdaSpectral: num(args, 'lambda-spectral', { min: 0, max: 1e4 }),
    optics: opticsFromArgs(args, savedOptics),
  };
}

/** --na/--wavelength/--ni/--ns: all of NA and wavelength or none (ni defaults to the saved or oil 1.518, ns to the saved or water 1.33); none: undefined. */
function opticsFromArgs(args: ParsedArgs, saved: TrainConfig['optics']): TrainConfig['optics'] {
  const na = num(args, 'na', { min: 0.01, max: 1.7 });
  const wavelength = num(args, 'wavelength', { min: 0.1, max: 2 });
  const ni = num(args, 'ni', { min: 1, max: 2 });
  const ns = num(args, 'ns', { min: 1, max: 2 });
  if (na === undefined && wavelength === undefined && ni === undefined && ns === undefined) return undefined;
  if (na === undefined || wavelength === undefined)
    throw new InvalidParameterError(
      na === undefined ? '--na' : '--wavelength',
      'is required with the other optics flags',
      'Give --na and --wavelength (emission, µm), optionally --ni and --ns.',
    );
  return { na, wavelength, ni: ni ?? saved?.ni ?? 1.518, ns: ns ?? saved?.ns ?? 1.33 };
}
