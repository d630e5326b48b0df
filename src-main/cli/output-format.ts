// `--format imagej|ome-tiff|ome-zarr` for the commands that write stacks, and the note a result above 4 GiB gets.
import type { CliContext, ParsedArgs } from './command';
import { oneOf, str } from './args';
import { bigTiffNote, OUTPUT_FORMATS, resolveOutputFormat, type OutputFormat } from '../core/io/output-format';
import type { Shape3 } from '../core/io/volume';
import type { WriteDtype } from '../core/io/writer';

export const FORMAT_OPTION = { format: { type: 'string' } } as const;

export const FORMAT_USAGE = `  --format imagej|ome-tiff|ome-zarr  output format: ImageJ hyperstack TIFF (default), OME-TIFF
                          (OME-XML with physical sizes and channels, for Bio-Formats and tifffile) or
                          OME-Zarr (NGFF 0.4 pyramid, for napari and large stacks); an output named
                          .ome.tif/.ome.tiff or .zarr gets that format without asking`;

/**
 * The format asked for; undefined leaves it to each output's name (resolveOutputFormat, which a command
 * writing one file calls before any work: ImageJ content under an .ome.tif name is refused).
 */
export function formatOption(args: ParsedArgs): OutputFormat | undefined {
  return str(args, 'format') === undefined ? undefined : oneOf(args, 'format', OUTPUT_FORMATS, 'imagej');
}

/** Says, on stderr, what a BigTIFF result means for the programs that will open it. */
export function noteBigTiff(
  ctx: CliContext,
  output: string,
  shape: Shape3,
  dtype: WriteDtype,
  volumes: number,
  format: OutputFormat | undefined,
): void {
  const note = bigTiffNote(shape, dtype, shape[0] * volumes, resolveOutputFormat(output, format));
  if (note) ctx.err(`note: ${output}: ${note}`);
}
