// The out-of-core options shared by `rl` and `deconvolve`: when to stream (OME-Zarr in and out, forced with
// --stream or automatic above a size), the output chunk (= box) and Richardson–Lucy's halo in PSF radii.
import type { ParsedArgs } from './command';
import { flag, num, str } from './args';
import { InvalidParameterError } from '../core/errors';
import type { Shape3 } from '../core/io/volume';
import type { TiffInfo } from '../core/io/reader';
import { isZarrFolder } from '../core/io/zarr/store';
import { CHUNK_ZYX } from '../core/io/zarr/pyramid';
import { RL_HALO_PSF_RADII } from '../core/infer/stream/from-predictor';

export const STREAM_OPTION_SPECS = {
  stream: { type: 'boolean' },
  chunk: { type: 'string' },
  'halo-psf': { type: 'string' },
} as const;

/** Selected voxels (as float32) above which an OME-Zarr to OME-Zarr run streams without --stream. */
export const STREAM_AUTO_BYTES = 2 * 2 ** 30;

export const STREAM_USAGE = `  --stream          out of core (OME-Zarr input and output): the output is computed box by box
                    (one output chunk each, plus a halo), so memory follows the box, not the stack;
                    built in <out>.partial/ and continued by the same command after a kill.
                    Automatic for an OME-Zarr input above ${STREAM_AUTO_BYTES / 2 ** 30} GiB as float32 with a .zarr output
  --chunk Z,Y,X     output chunk and box size when streaming (default ${CHUNK_ZYX.join(',')})
  --halo-psf R      Richardson–Lucy halo around each box, in PSF radii (default ${RL_HALO_PSF_RADII}; the seam error
                    for each R is tabled in docs/large-stacks.md)`;

export interface StreamChoice {
  chunk: Shape3;
  haloPsf: number;
  forced: boolean;
}

export function streamOptionsFromArgs(args: ParsedArgs): StreamChoice {
  const text = str(args, 'chunk');
  let chunk = CHUNK_ZYX;
  if (text !== undefined) {
    const parts = text.split(',').map((s) => Number(s.trim()));
    if (parts.length !== 3 || parts.some((n) => !Number.isInteger(n) || n < 1 || n > 4096)) {
      throw new InvalidParameterError(
        '--chunk',
        `"${text}" is not three whole numbers Z,Y,X between 1 and 4096`,
        'Example: --chunk 64,256,256',
      );
    }
    if (parts[1]! % 8 || parts[2]! % 8)
      throw new InvalidParameterError(
        '--chunk',
        `${text}: y and x must be multiples of 8 (the background estimate's patches)`,
      );
    chunk = parts as Shape3;
  }
  return {
    chunk,
    haloPsf: num(args, 'halo-psf', { min: 0, max: 20, def: RL_HALO_PSF_RADII })!,
    forced: flag(args, 'stream'),
  };
}

/** Streams when asked (refused unless input and output are OME-Zarr), or automatically for a large OME-Zarr input. */
export async function shouldStream(
  s: StreamChoice,
  input: string,
  outputFormat: string,
  info: () => Promise<TiffInfo>,
): Promise<boolean> {
  const zarrIn = await isZarrFolder(input);
  if (s.forced) {
    if (!zarrIn || outputFormat !== 'ome-zarr')
      throw new InvalidParameterError(
        '--stream',
        `needs an OME-Zarr input and a .zarr output (got ${input} → ${outputFormat})`,
        'Convert the input with `cycledecon convert in.tif in.zarr` first.',
      );
    return true;
  }
  if (!zarrIn || outputFormat !== 'ome-zarr') return false;
  const i = await info();
  return i.shape[0] * i.shape[1] * i.shape[2] * i.channels * i.frames * 4 > STREAM_AUTO_BYTES;
}
