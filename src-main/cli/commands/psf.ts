// `cycledecon psf`: write a theoretical PSF (Born–Wolf or Gibson–Lanni; widefield or confocal).
import type { Command } from '../command';
import { flag, num, oneOf, requireStr, str } from '../args';
import { InvalidParameterError, MissingArgumentError } from '../../core/errors';
import { writeVolume } from '../../core/io/index';
import { generatePsf } from '../../core/psf/generate';
import { analysePsf } from '../../core/psf/analysis';

const USAGE = `--model born-wolf|gibson-lanni [--confocal] --na <NA> --wavelength <µm> [--ni 1.518] [--ns 1.33]
       --dxy <µm> --dz <µm> [--size z,y,x] [--oversampling n] [--force] <out.tif>

  --wavelength      emission wavelength in µm (e.g. 0.52)
  --excitation      excitation wavelength in µm for --confocal (default: emission); the pinhole is ignored
  --size            odd sizes, default 31,63,63
  --ng --tg --ti0 --depth   Gibson–Lanni coverslip index/thickness (µm), working distance (µm), particle depth (µm)
  --oversampling    integrate each voxel over n×n×n sub-samples (pixel + slab integration), default 1
  --json            print a JSON summary (output, shape, model, voxel size, FWHM)`;

export function parseShape(
  raw: string | undefined,
  def: [number, number, number],
  flagName: string,
): [number, number, number] {
  if (raw === undefined) return def;
  const parts = raw.split(/[,x×]/).map((s) => Number(s.trim()));
  if (parts.length !== 3 || parts.some((v) => !Number.isInteger(v) || v < 1))
    throw new InvalidParameterError(`--${flagName}`, `"${raw}" must be three positive integers z,y,x`);
  return parts as [number, number, number];
}

export const psfCommand: Command = {
  name: 'psf',
  summary: 'generate a theoretical PSF (Born–Wolf / Gibson–Lanni, widefield or confocal)',
  usage: USAGE,
  options: {
    model: { type: 'string' },
    confocal: { type: 'boolean' },
    na: { type: 'string' },
    wavelength: { type: 'string' },
    excitation: { type: 'string' },
    ni: { type: 'string' },
    ns: { type: 'string' },
    ng: { type: 'string' },
    tg: { type: 'string' },
    ti0: { type: 'string' },
    depth: { type: 'string' },
    dxy: { type: 'string' },
    dz: { type: 'string' },
    size: { type: 'string' },
    oversampling: { type: 'string' },
    force: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(args, ctx) {
    const out = args.positionals[0];
    if (!out) throw new MissingArgumentError('<out.tif>', 'is required');
    requireStr(args, 'na');
    requireStr(args, 'wavelength');
    requireStr(args, 'dxy');
    requireStr(args, 'dz');
    const psf = generatePsf({
      model: oneOf(args, 'model', ['born-wolf', 'gibson-lanni'] as const, 'born-wolf'),
      confocal: flag(args, 'confocal'),
      na: num(args, 'na', { min: 0.05, max: 1.7 })!,
      wavelength: num(args, 'wavelength', { min: 0.2, max: 2 })!,
      excitationWavelength: num(args, 'excitation', { min: 0.2, max: 2 }),
      ni: num(args, 'ni', { min: 1, max: 2, def: 1.518 })!,
      ns: num(args, 'ns', { min: 1, max: 2, def: 1.33 })!,
      ng: num(args, 'ng', { min: 1, max: 2 }),
      tg: num(args, 'tg', { min: 0 }),
      ti0: num(args, 'ti0', { min: 0 }),
      particleDepth: num(args, 'depth', { min: 0 }),
      dxy: num(args, 'dxy', { min: 1e-3, max: 10 })!,
      dz: num(args, 'dz', { min: 1e-3, max: 50 })!,
      size: parseShape(str(args, 'size'), [31, 63, 63], 'size'),
      oversampling: num(args, 'oversampling', { min: 1, max: 9, integer: true, def: 1 }),
    });
    await writeVolume(out, psf, { dtype: 'float32', force: flag(args, 'force') });
    const info = analysePsf(psf);
    if (flag(args, 'json')) {
      ctx.out(
        JSON.stringify(
          {
            output: out,
            shape: psf.shape,
            model: psf.metadata.extra.psfModel,
            voxelSize: psf.voxelSize,
            fwhm: info.fwhm,
            sum: info.sum,
          },
          null,
          2,
        ),
      );
      return 0;
    }
    ctx.out(
      `wrote ${out}: ${psf.shape.join('×')} (${psf.metadata.extra.psfModel}), FWHM x ${info.fwhm.x.toFixed(3)} y ${info.fwhm.y.toFixed(3)} z ${info.fwhm.z.toFixed(3)} µm`,
    );
    return 0;
  },
};
