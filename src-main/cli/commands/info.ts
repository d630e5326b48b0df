// `cycledecon info <file> [--json]`: shape, type, calibration and intensity statistics of a TIFF stack.
import type { Command } from '../command';
import { flag } from '../args';
import { MissingArgumentError } from '../../core/errors';
import { openVolume, type OpenOptions, type TiffInfo } from '../../core/io/index';
import { openOptions, printWarnings } from '../volumes';

export interface InfoReport extends TiffInfo {
  stats: { min: number; max: number; mean: number };
}

/** Streams every page once (all channels and frames) to compute min/max/mean of the finite values. */
export async function infoReport(path: string, options: OpenOptions = {}): Promise<InfoReport> {
  const reader = await openVolume(path, options);
  try {
    const { info } = reader;
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let n = 0;
    const step = Math.max(1, Math.floor(16_777_216 / (info.shape[1] * info.shape[2])));
    for (let frame = 0; frame < info.frames; frame++) {
      for (let channel = 0; channel < info.channels; channel++) {
        for (let z = 0; z < info.shape[0]; z += step) {
          const d = await reader.readSlices(z, Math.min(info.shape[0], z + step), { channel, frame });
          for (let i = 0; i < d.length; i++) {
            const v = d[i]!;
            if (!Number.isFinite(v)) continue;
            if (v < min) min = v;
            if (v > max) max = v;
            sum += v;
            n++;
          }
        }
      }
    }
    return { ...info, stats: { min: n ? min : NaN, max: n ? max : NaN, mean: n ? sum / n : NaN } };
  } finally {
    await reader.close();
  }
}

const fmt = (v: number) => String(Number(v.toPrecision(6)));

export const infoCommand: Command = {
  name: 'info',
  summary: 'Show shape, type, voxel size and intensity range of a TIFF stack',
  usage:
    "<file.tif> [--voxel-size X,Y,Z[unit]] [--json]\n  --voxel-size  use this voxel size instead of the file's (e.g. 0.1,0.1,0.25um)\n  --json        print machine-readable JSON",
  options: { json: { type: 'boolean' }, 'voxel-size': { type: 'string' } },
  async run(args, ctx) {
    const [file, ...more] = args.positionals;
    if (!file || more.length) throw new MissingArgumentError('file', 'give exactly one TIFF file');
    const r = await infoReport(file, openOptions(args));
    if (flag(args, 'json')) {
      ctx.out(JSON.stringify(r, null, 2));
      return 0;
    }
    const [z, y, x] = r.shape;
    const v = r.voxelSize;
    ctx.out(`file:         ${r.file}`);
    ctx.out(`format:       ${r.sourceFormat} (${r.byteOrder}, compression ${r.compression}, ${r.pages} pages)`);
    ctx.out(`shape:        ${z} × ${y} × ${x} (z, y, x)`);
    ctx.out(`channels:     ${r.channels}`);
    ctx.out(`frames:       ${r.frames}`);
    ctx.out(`dtype:        ${r.dtype}`);
    ctx.out(
      `voxel size:   ${fmt(v.x)} × ${fmt(v.y)} × ${fmt(v.z)} ${v.unit} (x, y, z)${r.voxelSizeAssumed ? '  [assumed: missing or implausible calibration]' : ''}  (from ${r.voxelSizeSource})`,
    );
    ctx.out(`min/max/mean: ${fmt(r.stats.min)} / ${fmt(r.stats.max)} / ${fmt(r.stats.mean)}`);
    if (r.intensityScale) ctx.out(`intensity:    ${r.intensityScale}`);
    printWarnings(ctx, r.warnings);
    return 0;
  },
};
