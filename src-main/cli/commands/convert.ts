// `cycledecon convert <in> <out> [--dtype float32|uint16] [--force]`: any readable TIFF stack → ImageJ TIFF.
import type { Command } from '../command';
import { flag, num, oneOf } from '../args';
import { InvalidParameterError } from '../../core/errors';
import { openVolume, createVolumeWriter } from '../../core/io/index';

export const convertCommand: Command = {
  name: 'convert',
  summary: 'Convert a TIFF stack to an ImageJ TIFF (float32 or uint16) with its voxel size',
  usage: [
    '<in.tif> <out.tif> [--dtype float32|uint16] [--channel N] [--frame N] [--force]',
    '  --dtype    output sample type (default float32; uint16 rounds and clips to 0–65535)',
    '  --channel  channel to convert, from 0 (default 0)',
    '  --frame    time point to convert, from 0 (default 0)',
    '  --force    replace <out.tif> if it exists',
  ].join('\n'),
  options: { dtype: { type: 'string' }, channel: { type: 'string' }, frame: { type: 'string' }, force: { type: 'boolean' } },
  async run(args, ctx) {
    const [input, output, ...more] = args.positionals;
    if (!input || !output || more.length) throw new InvalidParameterError('arguments', 'give an input and an output file');
    const dtype = oneOf(args, 'dtype', ['float32', 'uint16'] as const, 'float32');
    const channel = num(args, 'channel', { min: 0, integer: true, def: 0 }) as number;
    const frame = num(args, 'frame', { min: 0, integer: true, def: 0 }) as number;
    const reader = await openVolume(input);
    try {
      const { info } = reader;
      const writer = await createVolumeWriter(output, {
        shape: info.shape, voxelSize: info.voxelSize, dtype, force: flag(args, 'force'),
        metadata: { intensityScale: info.intensityScale, extra: info.extra },
      });
      try {
        // Slice-by-slice so a large stack is never held in memory.
        for (let z = 0; z < info.shape[0]; z++) await writer.writeSlices(await reader.readSlices(z, z + 1, { channel, frame }), 1);
        await writer.close();
      } catch (e) {
        await writer.abort();
        throw e;
      }
      const [z, y, x] = info.shape;
      ctx.out(`wrote ${output}: ${z} × ${y} × ${x} ${dtype}, voxel ${info.voxelSize.x} × ${info.voxelSize.y} × ${info.voxelSize.z} ${info.voxelSize.unit}`);
      if (info.voxelSizeAssumed) ctx.err(`warning: ${input} has no usable voxel size; wrote 1 × 1 × 1 ${info.voxelSize.unit}`);
      return 0;
    } finally {
      await reader.close();
    }
  },
};
