// Which format an output gets: ImageJ TIFF (the default), OME-TIFF or OME-Zarr, asked for by name or implied
// by an output named *.ome.tif / *.ome.tiff (the OME-TIFF specification's extension) or *.zarr (NGFF's).
import { InvalidParameterError } from '../errors';
import { planLayout, type WriteDtype } from './imagej-layout';
import type { Shape3 } from './volume';

export const OUTPUT_FORMATS = ['imagej', 'ome-tiff', 'ome-zarr'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const isOmeTiffName = (path: string): boolean => /\.ome\.tiff?$/i.test(path);
export const isZarrName = (path: string): boolean => /\.zarr\/?$/i.test(path);

/**
 * The format for `path`: the one asked for, else OME-TIFF for a .ome.tif(f) name, else ImageJ. ImageJ
 * content under an .ome.tif name is refused: Bio-Formats and tifffile would look for OME-XML there.
 */
export function resolveOutputFormat(path: string, requested?: OutputFormat): OutputFormat {
  if (requested !== undefined && !OUTPUT_FORMATS.includes(requested)) {
    throw new InvalidParameterError('--format', `"${String(requested)}" is not one of ${OUTPUT_FORMATS.join(', ')}`);
  }
  if (requested === 'imagej' && isOmeTiffName(path)) {
    throw new InvalidParameterError(
      '--format',
      `imagej output cannot be named ${path}: readers expect OME-XML in a .ome.tif file`,
      'Name it .tif, or use --format ome-tiff.',
    );
  }
  if (requested !== undefined && requested !== 'ome-zarr' && isZarrName(path)) {
    throw new InvalidParameterError(
      '--format',
      `${requested} output cannot be named ${path}: readers expect an OME-Zarr folder there`,
      'Name it .tif, or use --format ome-zarr.',
    );
  }
  return requested ?? (isOmeTiffName(path) ? 'ome-tiff' : isZarrName(path) ? 'ome-zarr' : 'imagej');
}

/** What a BigTIFF result (above 4 GiB) means for the reader, or undefined when the file stays classic TIFF. */
export function bigTiffNote(shape: Shape3, dtype: WriteDtype, pages: number, format: OutputFormat): string | undefined {
  if (format === 'ome-zarr' || !planLayout(shape, dtype, undefined, pages).bigTiff) return undefined;
  return format === 'ome-tiff'
    ? "the output is above 4 GiB and is written as BigTIFF OME-TIFF, which Fiji's Bio-Formats and tifffile read; OME-Zarr (--format ome-zarr, an output named .zarr) suits such sizes better"
    : "the output is above 4 GiB and is written as BigTIFF: ImageJ 1.x cannot open BigTIFF; Fiji's Bio-Formats can (or write --format ome-tiff, or --format ome-zarr for napari)";
}
