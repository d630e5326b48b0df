// `cycledecon metrics`: PSNR / SSIM / NRMSE of a result against a ground truth (CARE normalisation).
import type { Command } from '../command';
import { flag, requireStr } from '../args';
import { MissingArgumentError } from '../../core/errors';
import { readVolume } from '../../core/io/index';
import { computeMetrics } from '../../core/metrics/index';

const USAGE = `--gt <gt.tif> <pred.tif> [--json]

The ground truth is normalised to its 0.1–99.9 percentiles, the prediction is mapped onto it by the
affine least-squares fit, then PSNR (data range 1), NRMSE, SSIM 3D and mean per-slice 2D SSIM
(Gaussian window σ 1.5, as scikit-image) are computed.`;

export const metricsCommand: Command = {
  name: 'metrics',
  summary: 'PSNR / SSIM / NRMSE against a ground truth',
  usage: USAGE,
  options: { gt: { type: 'string' }, json: { type: 'boolean' } },
  async run(args, ctx) {
    const pred = args.positionals[0];
    if (!pred) throw new MissingArgumentError('<pred.tif>', 'is required');
    const m = computeMetrics(await readVolume(requireStr(args, 'gt')), await readVolume(pred));
    if (flag(args, 'json')) ctx.out(JSON.stringify(m, null, 2));
    else {
      ctx.out(`PSNR   ${m.psnr.toFixed(3)} dB`);
      ctx.out(`SSIM3D ${m.ssim3d === null ? 'n/a (< 11 slices)' : m.ssim3d.toFixed(4)}`);
      ctx.out(`SSIM2D ${m.ssim2d.toFixed(4)} (mean per slice)`);
      ctx.out(`NRMSE  ${m.nrmse.toFixed(4)}`);
    }
    return 0;
  },
};
