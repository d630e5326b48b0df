// `cycledecon rl`: Richardson–Lucy deconvolution with a given PSF.
import type { Command } from '../command';
import { flag, num, oneOf, requireStr } from '../args';
import { MissingArgumentError } from '../../core/errors';
import { checkOutputWritable } from '../../core/io/atomic';
import { resolveOutputFormat } from '../../core/io/output-format';
import { richardsonLucy, type RlProgress } from '../../core/deconv/rl';
import { NAN_POLICIES } from '../../core/deconv/rl-inputs';
import { describeSelection, mapHyperstack } from '../../core/io/hyperstack';
import { createProgress } from '../progress';
import { openRlInputs } from '../psfs';
import { describeRlPlan, RL_OPTION_SPECS, RL_OPTION_USAGE, rlOptionsFromArgs } from '../rl-options';
import { collectWarnings, openOptions, VOLUME_OPTIONS, VOLUME_USAGE } from '../volumes';
import { FORMAT_OPTION, FORMAT_USAGE, formatOption, ngffOption, noteBigTiff } from '../output-format';
import { shouldStream, STREAM_OPTION_SPECS, STREAM_USAGE, streamOptionsFromArgs } from '../stream-options';
import { runStreamed } from '../stream-run';
import { rlStreamMethod } from '../../core/infer/stream/rl-method';

const USAGE = `<in.tif> <out.tif> --psf <psf.tif>[,<psf2.tif>…] [--iters 30] [--tv λ] [--background auto|b] [--boundary extend|reflect|zero] [--accel none|shb] [--nan-policy refuse] [--format imagej|ome-tiff|ome-zarr] [--ngff 0.4|0.5] [--force]

  --tv λ            total-variation regularisation (Dey et al. 2006), e.g. 0.002; default off
${RL_OPTION_USAGE}
  --nan-policy p    NaN/Inf input voxels: refuse (default), or replace by zero or by the mean
  The I-divergence of the last iteration and its relative fall are printed as a stopping hint.
  The PSF is normalised to sum 1 and resampled when its voxel size differs from the input's; a PSF
  that would then be larger than the image is refused (a voxel size in the wrong unit). A PSF with
  NaN/Inf or negative values is refused.
  Negative input (offset-subtracted or signed data): RL needs values ≥ 0, so −min is added before
  deconvolving and subtracted again after; the output is in the input's units, and the shift is
  recorded in its metadata (rlInputOffset).
${VOLUME_USAGE}
  Every channel and time point is deconvolved and written as a hyperstack like the input. Give one
  PSF per channel (--psf a.tif,b.tif, or a PSF hyperstack with as many channels); one PSF serves all.
${FORMAT_USAGE}
${STREAM_USAGE}
  --json            print a JSON summary (output, shape, channels, frames, voxel size and its source, warnings)`;

export const rlCommand: Command = {
  name: 'rl',
  summary: 'Richardson–Lucy deconvolution with a known PSF',
  usage: USAGE,
  options: {
    psf: { type: 'string' },
    iters: { type: 'string' },
    tv: { type: 'string' },
    ...RL_OPTION_SPECS,
    'nan-policy': { type: 'string' },
    force: { type: 'boolean' },
    json: { type: 'boolean' },
    ...VOLUME_OPTIONS,
    ...FORMAT_OPTION,
    ...STREAM_OPTION_SPECS,
  },
  async run(args, cliCtx) {
    const { ctx, warnings } = collectWarnings(cliCtx);
    const [input, output] = args.positionals;
    if (!input || !output) throw new MissingArgumentError('<in.tif> <out.tif>', 'both are required');
    const psfPath = requireStr(args, 'psf');
    const iterations = num(args, 'iters', { min: 1, max: 10000, integer: true, def: 30 })!;
    const nanPolicy = oneOf(args, 'nan-policy', NAN_POLICIES, 'refuse');
    const format = resolveOutputFormat(output, formatOption(args));
    const ngff = ngffOption(args, format);
    const options = {
      iterations,
      tv: num(args, 'tv', { min: 0, max: 0.999 }),
      ...rlOptionsFromArgs(args),
      nanPolicy,
      signal: ctx.signal,
    };
    // Before the run, not after it: an existing output, a missing or read-only folder fail in seconds.
    await checkOutputWritable(output, { force: flag(args, 'force') });
    const stream = streamOptionsFromArgs(args);
    const { reader, selection, psfs } = await openRlInputs(input, psfPath, args, ctx);
    if (await shouldStream(stream, input, format, () => Promise.resolve(reader.info))) {
      await reader.close();
      const method = rlStreamMethod(psfs, reader.voxelSize, options, stream.haloPsf, {
        psf: psfPath,
        iterations: String(iterations),
        nanPolicy,
      });
      const bar = createProgress('RL', ctx.interactive, (s) => process.stderr.write(s));
      const r = await runStreamed(
        ctx,
        input,
        output,
        method,
        {
          chunk: stream.chunk,
          dtype: 'float32',
          ngff,
          force: flag(args, 'force'),
          signal: ctx.signal,
          select: selection,
          open: openOptions(args),
        },
        bar,
        flag(args, 'json') ? ctx.err : ctx.out,
      );
      if (flag(args, 'json'))
        ctx.out(
          JSON.stringify(
            {
              iterations,
              ...r,
              voxelSize: reader.info.voxelSize,
              voxelSizeSource: reader.info.voxelSizeSource,
              warnings,
            },
            null,
            2,
          ),
        );
      return 0;
    }
    noteBigTiff(ctx, output, reader.info.shape, 'float32', selection.channels.length * selection.frames.length, format);
    const t0 = Date.now();
    let last: RlProgress | undefined;
    try {
      await mapHyperstack(
        reader,
        output,
        selection,
        async (image, at) => {
          const bar = createProgress(`RL c${at.channel} t${at.frame}`, ctx.interactive, (s) => process.stderr.write(s));
          const result = await richardsonLucy(image, psfs[at.c]!, {
            ...options,
            onPlan: (p) => ctx.err(`RL c${at.channel} t${at.frame}: ${describeRlPlan(p)}`),
            onProgress: (p) => {
              last = p;
              bar.update(p.iteration, p.total);
            },
            onWarning: (w) => ctx.err(`warning: ${w}`),
          });
          bar.finish();
          return result;
        },
        { dtype: 'float32', force: flag(args, 'force'), format, ngff },
      );
    } finally {
      await reader.close();
    }
    const seconds = (Date.now() - t0) / 1000;
    if (flag(args, 'json')) {
      const { shape, channels, frames, voxelSize, voxelSizeSource } = reader.info;
      const divergence = last?.divergence,
        divergenceChange = last?.divergenceChange;
      ctx.out(
        JSON.stringify(
          {
            input,
            output,
            iterations,
            shape,
            channels,
            frames,
            selected: selection,
            voxelSize,
            voxelSizeSource,
            seconds,
            divergence,
            divergenceChange,
            warnings,
          },
          null,
          2,
        ),
      );
      return 0;
    }
    const shape = reader.info.shape.join('×');
    ctx.out(
      `wrote ${output}: ${iterations} iterations on ${shape}, ${describeSelection(reader.info, selection)} in ${seconds.toFixed(1)} s${divergenceNote(last)}`,
    );
    return 0;
  },
};

/** The stopping hint: the last iteration's I-divergence and its relative fall. */
function divergenceNote(p: RlProgress | undefined): string {
  if (p?.divergence === undefined) return '';
  const change =
    p.divergenceChange === undefined
      ? ''
      : `, fell ${(p.divergenceChange * 100).toPrecision(2)} % in the last iteration${p.divergenceChange < 1e-4 ? ' (converged)' : ''}`;
  return `; I-divergence ${p.divergence.toPrecision(4)} per voxel${change}`;
}
