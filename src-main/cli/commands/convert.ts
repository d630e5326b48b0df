// `cycledecon convert <in> <out> [--dtype float32|uint16] [--format imagej|ome-tiff|ome-zarr] [--force]`: any readable
// TIFF stack or OME-Zarr → ImageJ TIFF, OME-TIFF or OME-Zarr.
import type { Command } from '../command';
import { flag, oneOf } from '../args';
import { MissingArgumentError } from '../../core/errors';
import { openVolume } from '../../core/io/index';
import { resolveOutputFormat } from '../../core/io/output-format';
import { createHyperstackWriter, describeSelection } from '../../core/io/hyperstack';
import { openOptions, printWarnings, selection } from '../volumes';
import { FORMAT_OPTION, FORMAT_USAGE, formatOption, ngffOption, noteBigTiff } from '../output-format';

export const convertCommand: Command = {
  name: 'convert',
  summary:
    'Convert a TIFF stack or OME-Zarr to an ImageJ TIFF, OME-TIFF or OME-Zarr (float32 or uint16) with its voxel size',
  usage: [
    '<in.tif> <out.tif> [--dtype float32|uint16] [--format imagej|ome-tiff|ome-zarr] [--ngff 0.4|0.5] [--channel I[,J]] [--frame I[,J]] [--voxel-size X,Y,Z[unit]] [--force]',
    '  --dtype    output sample type (default float32; uint16 rounds and clips to 0–65535)',
    FORMAT_USAGE,
    '  --channel  channels to convert, from 0 (default: all, written as a hyperstack)',
    '  --frame    time points to convert, from 0 (default: all)',
    "  --voxel-size X,Y,Z[unit]  voxel size to write instead of the file's (e.g. 0.1,0.1,0.25um)",
    '  --force    replace <out.tif> if it exists',
    '  --json     print a JSON summary (shape, dtype, channels, frames, voxel size and its source, warnings)',
  ].join('\n'),
  options: {
    dtype: { type: 'string' },
    channel: { type: 'string' },
    frame: { type: 'string' },
    force: { type: 'boolean' },
    'voxel-size': { type: 'string' },
    json: { type: 'boolean' },
    ...FORMAT_OPTION,
  },
  async run(args, ctx) {
    const [input, output, ...more] = args.positionals;
    if (!input || !output || more.length)
      throw new MissingArgumentError('arguments', 'give an input and an output file');
    const dtype = oneOf(args, 'dtype', ['float32', 'uint16'] as const, 'float32');
    const format = resolveOutputFormat(output, formatOption(args));
    const ngff = ngffOption(args, format);
    const reader = await openVolume(input, openOptions(args));
    try {
      const { info } = reader;
      printWarnings(ctx, info.warnings);
      const sel = selection(args, info);
      const writer = await createHyperstackWriter(output, info, sel, {
        dtype,
        force: flag(args, 'force'),
        format,
        ngff,
      });
      noteBigTiff(ctx, output, info.shape, dtype, sel.channels.length * sel.frames.length, format);
      try {
        // Slice-by-slice so a large stack is never held in memory.
        for (const [t, frame] of sel.frames.entries()) {
          for (const [c, channel] of sel.channels.entries()) {
            for (let z = 0; z < info.shape[0]; z++)
              await writer.writeSlicesAt(c, t, z, await reader.readSlices(z, z + 1, { channel, frame }));
          }
        }
        await writer.close();
      } catch (e) {
        await writer.abort();
        throw e;
      }
      if (flag(args, 'json')) {
        const { shape, channels, frames, voxelSize, voxelSizeSource, voxelSizeAssumed, warnings } = info;
        ctx.out(
          JSON.stringify(
            {
              input,
              output,
              dtype,
              format,
              shape,
              channels,
              frames,
              selected: sel,
              voxelSize,
              voxelSizeSource,
              voxelSizeAssumed,
              warnings,
            },
            null,
            2,
          ),
        );
        return 0;
      }
      const [z, y, x] = info.shape;
      ctx.out(
        `wrote ${output}: ${z} × ${y} × ${x} ${dtype} ${({ imagej: 'ImageJ TIFF', 'ome-tiff': 'OME-TIFF', 'ome-zarr': 'OME-Zarr' } as const)[format]}, ${describeSelection(info, sel)}, voxel ${info.voxelSize.x} × ${info.voxelSize.y} × ${info.voxelSize.z} ${info.voxelSize.unit}`,
      );
      if (info.voxelSizeAssumed)
        ctx.err(`warning: ${input} has no usable voxel size; wrote 1 × 1 × 1 ${info.voxelSize.unit}`);
      return 0;
    } finally {
      await reader.close();
    }
  },
};
