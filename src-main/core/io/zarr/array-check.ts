// What we accept of a Zarr array before reading a pixel: its data type (one we read from TIFF too), its
// codecs (those zarrita decodes in plain Node) and a sane shape. v2 `.zarray` and v3 `zarr.json` both.
import { ZarrFormatError } from '../../errors';
import type { SampleType } from '../volume';

const V2_TYPES: Record<string, SampleType> = {
  u1: 'uint8',
  u2: 'uint16',
  i2: 'int16',
  u4: 'uint32',
  i4: 'int32',
  f4: 'float32',
  f8: 'float64',
};
const V3_TYPES = new Set<string>(['uint8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64']);
const CODECS = new Set([
  'gzip',
  'zlib',
  'blosc',
  'zstd',
  'lz4',
  'bytes',
  'transpose',
  'crc32c',
  'sharding_indexed',
  'shuffle',
]);

export interface ArrayFacts {
  shape: number[];
  chunks: number[];
  dtype: SampleType;
  codecs: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const dims = (v: unknown, n?: number): v is number[] =>
  Array.isArray(v) &&
  (n === undefined || v.length === n) &&
  v.every((x) => Number.isSafeInteger(x) && (x as number) >= 0);

function codecName(c: unknown): string {
  if (!isObj(c)) return String(c);
  const name = typeof c.name === 'string' ? c.name : typeof c.id === 'string' ? c.id : '?';
  return name.replace(/^numcodecs\./, '');
}

function unsupported(file: string, what: string, hint: string): never {
  throw new ZarrFormatError(file, what, hint);
}

/** Facts of a v2 `.zarray` or v3 `zarr.json` array document; ZarrFormatError for what we cannot read. */
export function checkArray(file: string, where: string, meta: unknown, ndim: number): ArrayFacts {
  if (!isObj(meta))
    unsupported(
      file,
      `${where} has no array metadata (.zarray or zarr.json)`,
      'Check that multiscales[0].datasets[0].path names an array.',
    );
  const v3 = meta.zarr_format === 3;
  const shape = meta.shape;
  const chunks =
    v3 && isObj(meta.chunk_grid) && isObj(meta.chunk_grid.configuration)
      ? meta.chunk_grid.configuration.chunk_shape
      : meta.chunks;
  if (!dims(shape, ndim))
    unsupported(
      file,
      `${where} has shape ${JSON.stringify(shape)?.slice(0, 80)}, not ${ndim} whole numbers (one per axis)`,
      'The axes and the array disagree; rewrite the image.',
    );
  if (!dims(chunks, ndim) || chunks.some((c) => c === 0))
    unsupported(
      file,
      `${where} has chunks ${JSON.stringify(chunks)?.slice(0, 80)}, not ${ndim} positive whole numbers`,
      'Rewrite the image.',
    );
  let dtype: SampleType | undefined;
  let codecs: string[];
  if (v3) {
    dtype =
      typeof meta.data_type === 'string' && V3_TYPES.has(meta.data_type) ? (meta.data_type as SampleType) : undefined;
    codecs = Array.isArray(meta.codecs) ? meta.codecs.map(codecName) : [];
  } else {
    const m = typeof meta.dtype === 'string' ? /^[<>|=]([uif][1248])$/.exec(meta.dtype) : null;
    dtype = m ? V2_TYPES[m[1]!] : undefined;
    codecs = [
      ...(Array.isArray(meta.filters) ? meta.filters.map(codecName) : []),
      ...(meta.compressor ? [codecName(meta.compressor)] : []),
    ];
    if (meta.order !== undefined && meta.order !== 'C')
      unsupported(
        file,
        `${where} stores chunks in "${String(meta.order)}" (Fortran) order`,
        'Rewrite it in C order (the default of every OME-Zarr writer).',
      );
  }
  if (!dtype)
    unsupported(
      file,
      `${where} has data type ${JSON.stringify(v3 ? meta.data_type : meta.dtype)}, which is not one of uint8, uint16, int16, uint32, int32, float32, float64`,
      'Convert the image to one of these types.',
    );
  const bad = codecs.filter((c) => !CODECS.has(c));
  if (bad.length)
    unsupported(
      file,
      `${where} uses the codec ${bad.join(', ')}, which this version cannot decode (gzip, zlib, blosc, zstd, lz4 can be)`,
      'Rewrite the image with gzip or blosc compression.',
    );
  return { shape, chunks, dtype, codecs };
}
