// The on-disk layout of the OME-Zarr we write, per NGFF version: 0.4 on Zarr v2 (`.zgroup`, `.zattrs`,
// `<level>/.zarray`, chunks at `<level>/t/c/z/y/x`) or 0.5 on Zarr v3 (`zarr.json` documents, chunks at
// `<level>/c/t/c/z/y/x`: the "default" chunk key encoding with "/" puts a "c" before the chunk indices).
// Chunk bytes are the same in both: C order, little endian, padded to the full chunk, gzip.
// Specs: https://ngff.openmicroscopy.org/0.5/ (attributes under "ome", dimension_names), Zarr v3 core
// (https://zarr-specs.readthedocs.io/en/latest/v3/core/index.html); zarrita 0.7.5's create.js writes the same
// array document fields.
import { join } from 'node:path';
import { arrayMetadata, groupAttributes, GZIP_LEVEL, type ImageDescription } from './ngff-write';
import type { Level } from './pyramid';

export const NGFF_VERSIONS = ['0.4', '0.5'] as const;
export type NgffVersion = (typeof NGFF_VERSIONS)[number];
/** 0.4: every viewer we know reads it (docs/formats.md lists which read 0.5). */
export const DEFAULT_NGFF: NgffVersion = '0.4';

/** The folder holding one volume's chunk files of one level (indices z/y/x below it). */
export function volumeDir(folder: string, ngff: NgffVersion, level: number, t: number, c: number): string {
  return ngff === '0.5'
    ? join(folder, String(level), 'c', String(t), String(c))
    : join(folder, String(level), String(t), String(c));
}

/** The group's NGFF 0.5 attributes: `ome` = {version, multiscales, omero}, our own key beside it. */
export function groupAttributesV3(d: ImageDescription, window: { min: number; max: number }): Record<string, unknown> {
  const v4 = groupAttributes(d, window) as {
    multiscales: Record<string, unknown>[];
    omero: Record<string, unknown>;
    cycledecon: unknown;
  };
  // 0.5 keeps the version once, in `ome`: not in each multiscale nor in omero.
  const multiscales = v4.multiscales.map(({ version: _v, ...m }) => m);
  const { version: _o, ...omero } = v4.omero;
  return { ome: { version: '0.5', multiscales, omero }, cycledecon: v4.cycledecon };
}

/** A level's Zarr v3 array document (tczyx, regular grid, "/" keys, bytes little endian + gzip). */
export function arrayDocumentV3(d: ImageDescription, level: Level): Record<string, unknown> {
  return {
    zarr_format: 3,
    node_type: 'array',
    shape: [d.frames, d.channels, ...level.shape],
    data_type: d.dtype,
    chunk_grid: { name: 'regular', configuration: { chunk_shape: [1, 1, ...level.chunks] } },
    chunk_key_encoding: { name: 'default', configuration: { separator: '/' } },
    codecs: [
      { name: 'bytes', configuration: { endian: 'little' } },
      { name: 'gzip', configuration: { level: GZIP_LEVEL } },
    ],
    fill_value: 0,
    dimension_names: ['t', 'c', 'z', 'y', 'x'],
    attributes: {},
  };
}

/** Every metadata document of the image (path relative to its folder → JSON value), for `ngff`. */
export function metadataDocuments(
  d: ImageDescription,
  window: { min: number; max: number },
  ngff: NgffVersion,
): [string, unknown][] {
  if (ngff === '0.5')
    return [
      ['zarr.json', { zarr_format: 3, node_type: 'group', attributes: groupAttributesV3(d, window) }],
      ...d.levels.map((l, i): [string, unknown] => [join(String(i), 'zarr.json'), arrayDocumentV3(d, l)]),
    ];
  return [
    ['.zgroup', { zarr_format: 2 }],
    ['.zattrs', groupAttributes(d, window)],
    ...d.levels.map((l, i): [string, unknown] => [join(String(i), '.zarray'), arrayMetadata(d, l)]),
  ];
}

/** JSON in ASCII only (\uXXXX escapes): zarr-python 2.x decodes metadata as ASCII and fails on a raw "µ" or "×". */
export function jsonBytes(v: unknown): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify(v, null, 2).replace(
      /[\u0080-\uffff]/g,
      (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
    ),
  );
}
