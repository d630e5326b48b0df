// `cycledecon synth`: a seeded synthetic acquisition with known ground truth and PSF.
import { join } from 'node:path';
import type { Command } from '../command';
import { flag, num, oneOf, str } from '../args';
import { MissingArgumentError } from '../../core/errors';
import { writeVolume, writeBytesAtomic } from '../../core/io/index';
import { makeOutputFolder } from '../../core/io/atomic';
import { DEFAULT_SYNTH, synthesize } from '../../core/synth/index';
import { parseShape } from './psf';

const USAGE = `<out-dir> [--seed 1] [--shape 32,64,64] [--photons 200] [--background 10] [--read-noise 2]
       [--filaments 12] [--beads 20] [--nuclei 2] [--model born-wolf|gibson-lanni] [--na 1.2] [--wavelength 0.52]
       [--ni 1.33] [--ns 1.33] [--dxy 0.1] [--dz 0.25] [--force]

Writes blurred.tif (photon counts), gt.tif, sharp.tif (unmatched structures), psf.tif and params.json.`;

export const synthCommand: Command = {
  name: 'synth',
  summary: 'make synthetic blurred/sharp/ground-truth volumes with a known PSF',
  usage: USAGE,
  options: {
    ...Object.fromEntries(
      [
        'seed',
        'shape',
        'photons',
        'background',
        'read-noise',
        'filaments',
        'beads',
        'nuclei',
        'model',
        'na',
        'wavelength',
        'ni',
        'ns',
        'dxy',
        'dz',
      ].map((k) => [k, { type: 'string' as const }]),
    ),
    force: { type: 'boolean' },
  },
  async run(args, ctx) {
    const dir = args.positionals[0];
    if (!dir) throw new MissingArgumentError('<out-dir>', 'is required');
    const d = DEFAULT_SYNTH,
      int = { integer: true, min: 0 };
    const params = {
      seed: num(args, 'seed', { ...int, def: d.seed })!,
      shape: parseShape(str(args, 'shape'), d.shape, 'shape'),
      photons: num(args, 'photons', { min: 1e-3, def: d.photons })!,
      background: num(args, 'background', { min: 0, def: d.background })!,
      readNoise: num(args, 'read-noise', { min: 0, def: d.readNoise })!,
      counts: {
        filaments: num(args, 'filaments', { ...int, def: d.counts.filaments })!,
        beads: num(args, 'beads', { ...int, def: d.counts.beads })!,
        nuclei: num(args, 'nuclei', { ...int, def: d.counts.nuclei })!,
      },
      psf: {
        ...d.psf,
        model: oneOf(args, 'model', ['born-wolf', 'gibson-lanni'] as const, d.psf.model),
        na: num(args, 'na', { min: 0.05, def: d.psf.na })!,
        wavelength: num(args, 'wavelength', { min: 0.2, def: d.psf.wavelength })!,
        ni: num(args, 'ni', { min: 1, def: d.psf.ni })!,
        ns: num(args, 'ns', { min: 1, def: d.psf.ns })!,
        dxy: num(args, 'dxy', { min: 1e-3, def: d.psf.dxy })!,
        dz: num(args, 'dz', { min: 1e-3, def: d.psf.dz })!,
      },
    };
    const r = synthesize(params);
    const force = flag(args, 'force');
    await makeOutputFolder(dir);
    await writeVolume(join(dir, 'blurred.tif'), r.blurred, { dtype: 'float32', force });
    await writeVolume(join(dir, 'gt.tif'), r.groundTruth, { dtype: 'float32', force });
    await writeVolume(join(dir, 'sharp.tif'), r.sharp, { dtype: 'float32', force });
    await writeVolume(join(dir, 'psf.tif'), r.psf, { dtype: 'float32', force });
    await writeBytesAtomic(
      join(dir, 'params.json'),
      JSON.stringify({ ...params, psfSize: r.psf.shape }, null, 2) + '\n',
      { force },
    );
    ctx.out(
      `wrote ${dir}: blurred.tif gt.tif sharp.tif psf.tif params.json (${params.shape.join('×')}, seed ${params.seed})`,
    );
    return 0;
  },
};
