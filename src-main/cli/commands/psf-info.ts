// `cycledecon psf-info`: centroid, FWHM, symmetry of a PSF, and its similarity to a reference.
import type { Command } from '../command';
import { flag, num, str } from '../args';
import { MissingArgumentError } from '../../core/errors';
import { readVolume } from '../../core/io/index';
import { analysePsf } from '../../core/psf/analysis';
import { checkPsf, measurePsf } from '../../core/psf/check';
import { printWarnings } from '../volumes';

const USAGE = `<psf.tif> [--ref theoretical.tif] [--background auto|<value>] [--no-check] [--json]

  --background   subtract a constant first: 'auto' = median of the volume's faces (measured beads)
  --no-check     measure even a stack that fails the PSF checks (one centred, non-negative, concentrated peak)
  Planes stored as channels (channels=N, slices=1, as older tifffile writes) are read as z, with a warning.`;

export const psfInfoCommand: Command = {
  name: 'psf-info',
  summary: 'measure a PSF: centroid, FWHM x/y/z, asymmetry, NCC vs a reference',
  usage: USAGE,
  options: {
    ref: { type: 'string' },
    background: { type: 'string' },
    json: { type: 'boolean' },
    'no-check': { type: 'boolean' },
  },
  async run(args, ctx) {
    const file = args.positionals[0];
    if (!file) throw new MissingArgumentError('<psf.tif>', 'is required');
    const bg = str(args, 'background');
    const refPath = str(args, 'ref');
    const psf = await readVolume(file, { channelsAsZ: true });
    printWarnings(ctx, psf.metadata.warnings);
    const check = flag(args, 'no-check') ? measurePsf(psf) : checkPsf(psf, file);
    const info = analysePsf(psf, {
      background: bg === undefined ? undefined : bg === 'auto' ? 'auto' : num(args, 'background'),
      reference: refPath ? await readVolume(refPath, { channelsAsZ: true }) : undefined,
    });
    if (flag(args, 'json')) {
      ctx.out(JSON.stringify({ ...info, check, warnings: psf.metadata.warnings ?? [] }, null, 2));
      return 0;
    }
    const u = info.voxelSize.unit,
      f = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : 'n/a');
    ctx.out(
      `shape       ${info.shape.join('×')}  voxel ${info.voxelSize.z}×${info.voxelSize.y}×${info.voxelSize.x} ${u}`,
    );
    ctx.out(
      `sum         ${info.sum.toPrecision(6)}  max ${info.max.toPrecision(6)}  background ${info.background.toPrecision(4)}`,
    );
    ctx.out(`peak        z,y,x = ${info.peak.join(',')}  centroid ${info.centroid.map((v) => v.toFixed(2)).join(',')}`);
    ctx.out(`offset      x ${f(info.offset.x)} y ${f(info.offset.y)} z ${f(info.offset.z)} ${u} from centre`);
    ctx.out(`FWHM        x ${f(info.fwhm.x)} y ${f(info.fwhm.y)} z ${f(info.fwhm.z)} ${u}`);
    ctx.out(
      `negativity  ${(100 * info.negativity).toFixed(2)} %   asymmetry x ${f(info.asymmetry.x)} y ${f(info.asymmetry.y)} z ${f(info.asymmetry.z)}`,
    );
    if (info.ncc !== undefined) ctx.out(`NCC vs ref  ${info.ncc.toFixed(4)}`);
    return 0;
  },
};
