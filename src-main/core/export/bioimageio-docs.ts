// The documentation page (README.md) of an exported BioImage Model Zoo package: what the network does, what it
// expects, how to get input units back, and what differs from `cycledecon deconvolve`.
import type { ScaleMode } from '../normalise/normaliser';
import type { UNetConfig } from '../nn/models/types';
import { unetSizeMultiple, unetTileHalo } from '../nn/models/unet';
import type { TrainConfig } from '../train/config';
import type { VoxelSize } from '../io/volume';
import { PAPER_CITATION } from './bioimageio-rdf';

export interface DocFacts {
  runName: string;
  generator: UNetConfig;
  normalisation: TrainConfig['normalisation'] & ScaleMode;
  voxelSize: VoxelSize | null;
  psfFile?: string;
}

export function packageReadme(f: DocFacts): string {
  const n = f.normalisation;
  const m = unetSizeMultiple(f.generator.levels);
  const v = f.voxelSize;
  const voxel = v ? `${v.z} × ${v.y} × ${v.x} ${v.unit} (z × y × x)` : 'not recorded (the run predates domain.json)';
  const mean =
    n.scale === 'mean'
      ? `\n**Note:** this run was trained with the 'mean' intensity scale (the mean above p${n.lowPercentile} maps to ${n.meanTarget}); the Model Zoo has no such step, so the package declares the percentile scale_range and results differ from \`cycledecon deconvolve\` by a constant factor.\n`
      : '';
  return `# CycleDecon deconvolution network (${f.runName})

Blind 3D deconvolution of widefield fluorescence stacks: the generator G_AB of an explicit-PSF CycleGAN
(${PAPER_CITATION.text}), trained with CycleDecon on unmatched blurred and sharp stacks.

## Input

- One channel, axes batch, channel, z, y, x; float32. z, y and x must be multiples of ${m}.
- Voxel size the model was trained at: ${voxel}. The network learned the blur in voxels: resample other data to this
  voxel size first, or the result is extrapolation.
- Pre-processing (declared in rdf.yaml): \`scale_range\` over z, y, x of each sample, p${n.lowPercentile} → 0 and
  p${n.highPercentile} → 1${n.clip ? ', then `clip` to [0, 1]' : ''}, the map \`cycledecon deconvolve\` applies.
${mean}
## Output

The deconvolved stack on the same network scale. To return to the input's intensity units, as
\`cycledecon deconvolve\` does, compute \`output × (p_high − p_low) + p_low\` with the input's p${n.lowPercentile} and
p${n.highPercentile}.

## Differences from \`cycledecon deconvolve\`

- The network's instance normalisation uses the statistics of whatever it is given. Run whole stacks in one piece
  where memory allows; a consumer that tiles (deepImageJ, bioimageio.core) normalises each tile on its own, which
  can leave seams. CycleDecon's own tiling measures whole-volume statistics first and is exact. Tiles should
  overlap by at least ${unetTileHalo(f.generator)} voxels (the zero-padding reach of the network).
- Generator: ${f.generator.levels} levels, ${f.generator.baseChannels} base channels, ${f.generator.convsPerLevel} conv(s) per level, up-sampling ${f.generator.upsample ?? 'transpose'}, output ${f.generator.output ?? 'linear'}${f.generator.residual ? ', residual' : ''}.

## Learned PSF

${f.psfFile ? `\`${f.psfFile}\` is the PSF the network's explicit PSF layer (G_BA) learned, as a float32 ImageJ TIFF with its voxel size. Use it to check the model (\`cycledecon psf-info\`) or for Richardson–Lucy.` : 'This run has no learned PSF file (G_BA was not the explicit PSF layer, or the file is missing).'}

## Citation

${PAPER_CITATION.text} doi:${PAPER_CITATION.doi}
`;
}
