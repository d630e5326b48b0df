// The PSF(s) for a Richardson–Lucy run over a multichannel stack: one file per channel (`--psf a.tif,b.tif`),
// a PSF hyperstack with one channel per image channel, or one PSF for all channels (with a warning: each
// emission wavelength has its own PSF).
import type { CliContext, ParsedArgs } from './command';
import { openOptions, printWarnings, selection } from './volumes';
import { InvalidParameterError } from '../core/errors';
import { openVolume, type TiffInfo, type VolumeReader } from '../core/io/index';
import type { Volume } from '../core/io/volume';
import type { HyperstackSelection } from '../core/io/hyperstack';
import { checkPsf } from '../core/psf/check';

async function readPsf(path: string, channel: number, ctx: CliContext, seen: Set<string>): Promise<Volume> {
  // A PSF has one channel by nature: planes filed as channels (older tifffile) are read as z.
  const reader = await openVolume(path, { channelsAsZ: true });
  try {
    if (reader.info.frames > 1)
      throw new InvalidParameterError('--psf', `${path} has ${reader.info.frames} time points; a PSF is one z-stack`);
    if (!seen.has(path)) printWarnings(ctx, reader.info.warnings);
    seen.add(path);
    const psf = await reader.readAll({ channel });
    checkPsf(psf, reader.info.channels > 1 ? `${path} (channel ${channel})` : path);
    return psf;
  } finally {
    await reader.close();
  }
}

/** One PSF per selected channel, in the selection's order. */
export async function readChannelPsfs(
  spec: string,
  image: TiffInfo,
  sel: HyperstackSelection,
  ctx: CliContext,
): Promise<Volume[]> {
  const paths = spec.split(',').map((s) => s.trim());
  if (paths.some((p) => p === '')) throw new InvalidParameterError('--psf', `"${spec}" has an empty file name`);
  const seen = new Set<string>();
  if (paths.length > 1) {
    // One file per channel of the file, or per selected channel.
    const byFile = paths.length === image.channels;
    if (!byFile && paths.length !== sel.channels.length) {
      throw new InvalidParameterError(
        '--psf',
        `${paths.length} PSF files for ${image.channels} channel(s) (${sel.channels.length} selected): give one PSF per channel, or one for all`,
      );
    }
    return Promise.all(sel.channels.map((c, i) => readPsf(paths[byFile ? c : i]!, 0, ctx, seen)));
  }
  const info = await openVolume(paths[0]!, { channelsAsZ: true }).then(async (r) => {
    await r.close();
    return r.info;
  });
  if (info.channels > 1) {
    if (info.channels !== image.channels)
      throw new InvalidParameterError(
        '--psf',
        `${paths[0]} has ${info.channels} channels but the image has ${image.channels}: give one PSF channel per image channel`,
      );
    return Promise.all(sel.channels.map((c) => readPsf(paths[0]!, c, ctx, seen)));
  }
  if (sel.channels.length > 1) {
    ctx.err(
      `warning: one PSF (${paths[0]}) is used for all ${sel.channels.length} channels; each emission wavelength has its own PSF — give one per channel with --psf a.tif,b.tif`,
    );
  }
  const psf = await readPsf(paths[0]!, 0, ctx, seen);
  return sel.channels.map(() => psf);
}

export interface RlInputs {
  reader: VolumeReader;
  selection: HyperstackSelection;
  psfs: Volume[];
}

/**
 * Opens the image (with --voxel-size), checks --channel/--frame and reads the PSFs before any work. An
 * uncalibrated image takes a calibrated PSF's voxel size (RL needs both on one grid), recorded as 'psf'.
 */
export async function openRlInputs(
  input: string,
  psfSpec: string,
  args: ParsedArgs,
  ctx: CliContext,
): Promise<RlInputs> {
  let reader = await openVolume(input, openOptions(args));
  try {
    const sel = selection(args, reader.info);
    const psfs = await readChannelPsfs(psfSpec, reader.info, sel, ctx);
    const psf = psfs[0]!;
    if (
      reader.info.voxelSizeSource === 'none' &&
      psf.metadata.voxelSizeSource === 'file' &&
      !psf.metadata.voxelSizeAssumed
    ) {
      await reader.close();
      reader = await openVolume(input, { voxelSize: psf.voxelSize, voxelSizeSource: 'psf' });
      const v = psf.voxelSize;
      ctx.err(
        `warning: ${input} has no calibration; using the PSF's voxel size ${v.x} × ${v.y} × ${v.z} ${v.unit} (give --voxel-size to set it)`,
      );
    }
    printWarnings(ctx, reader.info.warnings);
    return { reader, selection: sel, psfs };
  } catch (e) {
    await reader.close();
    throw e;
  }
}
