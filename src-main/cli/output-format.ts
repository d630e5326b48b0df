// `--format imagej|ome-tiff|ome-zarr` for the commands that write stacks, and the note a result above 4 GiB gets.
import type { CliContext, ParsedArgs } from './command';
import { oneOf, str } from './args';
import { InvalidParameterError } from '../core/errors';
import { DEFAULT_NGFF, NGFF_VERSIONS, type NgffVersion } from '../core/io/zarr/ngff-docs';
import { bigTiffNote, OUTPUT_FORMATS, resolveOutputFormat, type OutputFormat } from '../core/io/output-format';
import type { Shape3 } from '../core/io/volume';
import type { WriteDtype } from '../core/io/writer';

export const FORMAT_OPTION = { format: { type: 'string' }, ngff: { type: 'string' } } as const;

export const FORMAT_USAGE = `  --format imagej|ome-tiff|ome-zarr  output format: ImageJ hyperstack TIFF (default), OME-TIFF
                          (OME-XML with physical sizes and channels, for Bio-Formats and tifffile) or
                          OME-Zarr (NGFF 0.4 pyramid, for napari and large stacks); an output named
                          .ome.tif/.ome.tiff or .zarr gets that format without asking
  --ngff 0.4|0.5          OME-Zarr version: 0.4 on Zarr v2 (default; every viewer reads it) or 0.5 on
                          Zarr v3 (zarr.json documents; docs/formats.md says which viewers read it)`;

/**
 * The format asked for; undefined leaves it to each output's name (resolveOutputFormat, which a command
 * writing one file calls before any work: ImageJ content under an .ome.tif name is refused).
 */
export function formatOption(args: ParsedArgs): OutputFormat | undefined {
  return str(args, 'format') === undefined ? undefined : oneOf(args, 'format', OUTPUT_FORMATS, 'imagej');
}

/**
 * `--ngff 0.4|0.5`, checked before any work; refused with an output that is not OME-Zarr (`format`: the
 * resolved format, or undefined when each output's name decides and none is known yet).
 */
export function ngffOption(args: ParsedArgs, format: OutputFormat | undefined): NgffVersion {
  if (str(args, 'ngff') === undefined) return DEFAULT_NGFF;
  const v = oneOf(args, 'ngff', NGFF_VERSIONS, DEFAULT_NGFF);
  if (format !== undefined && format !== 'ome-zarr')
    throw new InvalidParameterError(
      '--ngff',
      `applies to OME-Zarr output only (this output is ${format})`,
      'Name the output .zarr or add --format ome-zarr.',
    );
  return v;
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
