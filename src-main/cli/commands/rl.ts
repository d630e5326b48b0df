// `cycledecon rl`: Richardson–Lucy deconvolution with a given PSF.
import type { Command } from '../command';
import { flag, num, requireStr } from '../args';
import { InvalidParameterError } from '../../core/errors';
import { readVolume, writeVolume } from '../../core/io/index';
import { richardsonLucy, type RlProgress } from '../../core/deconv/rl';
import { createProgress } from '../progress';
import { describeRlPlan, RL_OPTION_SPECS, RL_OPTION_USAGE, rlOptionsFromArgs } from '../rl-options';

const USAGE = `<in.tif> <out.tif> --psf <psf.tif> [--iters 30] [--tv λ] [--background auto|b] [--boundary extend|reflect|zero] [--accel none|shb] [--force]

  --tv λ            total-variation regularisation (Dey et al. 2006), e.g. 0.002; default off
${RL_OPTION_USAGE}
  The I-divergence of the last iteration and its relative fall are printed as a stopping hint.
  The PSF is normalised to sum 1 and resampled when its voxel size differs from the input's.`;

export const rlCommand: Command = {
  name: 'rl',
  summary: 'Richardson–Lucy deconvolution with a known PSF',
  usage: USAGE,
  options: {
    psf: { type: 'string' }, iters: { type: 'string' }, tv: { type: 'string' }, ...RL_OPTION_SPECS, force: { type: 'boolean' },
  },
  async run(args, ctx) {
    const [input, output] = args.positionals;
    if (!input || !output) throw new InvalidParameterError('<in.tif> <out.tif>', 'both are required');
    const psfPath = requireStr(args, 'psf');
    const iterations = num(args, 'iters', { min: 1, max: 10000, integer: true, def: 30 })!;
    const tv = num(args, 'tv', { min: 0, max: 0.999 }), rlOpts = rlOptionsFromArgs(args);
    const image = await readVolume(input), psf = await readVolume(psfPath);
    const bar = createProgress('RL', ctx.interactive, (s) => process.stderr.write(s));
    const t0 = Date.now();
    let last: RlProgress | undefined;
    const result = await richardsonLucy(image, psf, {
      iterations, tv, ...rlOpts, signal: ctx.signal,
      onPlan: (p) => ctx.err(`RL: ${describeRlPlan(p)}`),
      onProgress: (p) => { last = p; bar.update(p.iteration, p.total); },
      onWarning: (w) => ctx.err(`warning: ${w}`),
    });
    bar.finish();
    await writeVolume(output, result, { dtype: 'float32', force: flag(args, 'force') });
    ctx.out(`wrote ${output}: ${iterations} iterations on ${image.shape.join('×')} in ${((Date.now() - t0) / 1000).toFixed(1)} s${divergenceNote(last)}`);
    return 0;
  },
};

/** The stopping hint: the last iteration's I-divergence and its relative fall. */
function divergenceNote(p: RlProgress | undefined): string {
  if (p?.divergence === undefined) return '';
  const change = p.divergenceChange === undefined ? '' : `, fell ${(p.divergenceChange * 100).toPrecision(2)} % in the last iteration${p.divergenceChange < 1e-4 ? ' (converged)' : ''}`;
  return `; I-divergence ${p.divergence.toPrecision(4)} per voxel${change}`;
}
