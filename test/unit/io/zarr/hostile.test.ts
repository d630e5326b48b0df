// OME-Zarr folders with malformed or hostile metadata: each is refused with a typed error (ZarrFormatError)
// that names the problem, before any pixel is read; links out of the folder are never followed.
import { describe, it, expect } from 'vitest';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tempDir } from '../../../helpers';
import { openVolume, readTiffInfo } from '../../../../src-main/core/io/index';
import { ZarrFormatError } from '../../../../src-main/core/errors';

type Json = Record<string, unknown>;
const AXES = ['z', 'y', 'x'].map((name) => ({ name, type: 'space', unit: 'micrometer' }));
const goodAttrs = (): Json => ({
  multiscales: [
    {
      version: '0.4',
      axes: AXES,
      datasets: [{ path: '0', coordinateTransformations: [{ type: 'scale', scale: [0.5, 0.1, 0.1] }] }],
    },
  ],
});
const goodArray = (): Json => ({
  zarr_format: 2,
  shape: [2, 4, 4],
  chunks: [2, 4, 4],
  dtype: '<u2',
  compressor: { id: 'gzip', level: 1 },
  fill_value: 0,
  order: 'C',
  filters: null,
});

/** A small zyx OME-Zarr (v2) with the given documents; returns its path. */
function build(
  attrs: Json | string,
  array: Json = goodArray(),
  files: Record<string, Uint8Array | string> = {},
): string {
  const root = join(tempDir(), 'img.zarr');
  const put = (rel: string, body: Uint8Array | string) => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), body);
  };
  put('.zgroup', JSON.stringify({ zarr_format: 2 }));
  put('.zattrs', typeof attrs === 'string' ? attrs : JSON.stringify(attrs));
  put('0/.zarray', JSON.stringify(array));
  put('0/0.0.0', gzipSync(Buffer.from(new Uint16Array(32).map((_, i) => i).buffer)));
  for (const [rel, body] of Object.entries(files)) put(rel, body);
  return root;
}

async function refusal(path: string): Promise<string> {
  const e = await (async () => {
    await (await openVolume(path)).readAll();
  })().then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ZarrFormatError);
  return (e as Error).message;
}

describe('NGFF 0.5 (Zarr v3)', () => {
  it('reads an image whose metadata is under attributes.ome, with v3 chunk keys and codecs', async () => {
    const root = join(tempDir(), 'v3.zarr');
    const put = (rel: string, body: Uint8Array | string) => {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), body);
    };
    const ms = {
      axes: [{ name: 'c', type: 'channel' }, ...AXES.map((a) => ({ ...a, unit: 'nanometer' }))],
      datasets: [{ path: 's0', coordinateTransformations: [{ type: 'scale', scale: [1, 300, 65, 65] }] }],
    };
    put(
      'zarr.json',
      JSON.stringify({
        zarr_format: 3,
        node_type: 'group',
        attributes: { ome: { version: '0.5', multiscales: [ms], omero: { channels: [{ label: 'DAPI' }] } } },
      }),
    );
    put(
      's0/zarr.json',
      JSON.stringify({
        zarr_format: 3,
        node_type: 'array',
        shape: [1, 2, 4, 4],
        data_type: 'uint16',
        fill_value: 0,
        chunk_grid: { name: 'regular', configuration: { chunk_shape: [1, 2, 4, 4] } },
        chunk_key_encoding: { name: 'default', configuration: { separator: '/' } },
        codecs: [
          { name: 'bytes', configuration: { endian: 'little' } },
          { name: 'gzip', configuration: { level: 1 } },
        ],
      }),
    );
    put('s0/c/0/0/0/0', gzipSync(Buffer.from(new Uint16Array(32).map((_, i) => 3 * i).buffer)));
    const reader = await openVolume(root);
    expect(reader.info.sourceFormat).toBe('ome-zarr-0.5');
    expect(reader.info.voxelSize).toEqual({ x: 0.065, y: 0.065, z: 0.3, unit: 'µm' });
    expect(JSON.parse(reader.info.extra['ome.channels']!)).toEqual(['DAPI']);
    expect(Array.from(await reader.readSlices(1, 2))).toEqual(Array.from({ length: 16 }, (_, i) => 3 * (i + 16)));
  });
});

describe('hostile OME-Zarr metadata', () => {
  it('reads the well-formed base case (so each refusal below is caused by its one change)', async () => {
    const info = await readTiffInfo(build(goodAttrs()));
    expect(info.shape).toEqual([2, 4, 4]);
    expect(info.voxelSize).toEqual({ x: 0.1, y: 0.1, z: 0.5, unit: 'µm' });
  });

  it('refuses a Zarr group without multiscales', async () => {
    expect(await refusal(build({ omero: {} }))).toMatch(/without OME-NGFF "multiscales"/);
  });

  it('refuses metadata that is not JSON', async () => {
    expect(await refusal(build('{"multiscales": ['))).toMatch(/not valid JSON/);
  });

  it('refuses axes out of the tczyx order, or unknown axes', async () => {
    const a = goodAttrs();
    (a.multiscales as Json[])[0]!.axes = [...AXES].reverse();
    expect(await refusal(build(a))).toMatch(/axes x,y,z are not supported/);
    (a.multiscales as Json[])[0]!.axes = [{ name: 'q' }, ...AXES.slice(1)];
    expect(await refusal(build(a))).toMatch(/axes q,y,x/);
  });

  it('refuses a scale that is not one positive number per axis', async () => {
    for (const scale of [
      [0.5, 0.1],
      [0.5, -0.1, 0.1],
      [0.5, 'a', 0.1],
    ]) {
      const a = goodAttrs();
      ((a.multiscales as Json[])[0]!.datasets as Json[])[0]!.coordinateTransformations = [{ type: 'scale', scale }];
      expect(await refusal(build(a))).toMatch(/not 3 positive numbers/);
    }
  });

  it('refuses data types and codecs it cannot read', async () => {
    expect(await refusal(build(goodAttrs(), { ...goodArray(), dtype: '<c8' }))).toMatch(/data type "<c8"/);
    expect(await refusal(build(goodAttrs(), { ...goodArray(), dtype: '|b1' }))).toMatch(/data type/);
    expect(await refusal(build(goodAttrs(), { ...goodArray(), compressor: { id: 'jpeg2k' } }))).toMatch(/codec jpeg2k/);
    expect(await refusal(build(goodAttrs(), { ...goodArray(), order: 'F' }))).toMatch(/Fortran/);
  });

  it('refuses an array whose shape disagrees with the axes, and a dataset path leading out', async () => {
    expect(await refusal(build(goodAttrs(), { ...goodArray(), shape: [4, 4] }))).toMatch(/not 3 whole numbers/);
    const a = goodAttrs();
    ((a.multiscales as Json[])[0]!.datasets as Json[])[0]!.path = '../../etc';
    expect(await refusal(build(a))).toMatch(/leads out of the folder/);
  });

  it('never follows a chunk or metadata link out of the folder', async () => {
    const outside = join(tempDir(), 'secret');
    writeFileSync(outside, gzipSync(Buffer.alloc(64)));
    const root = build(goodAttrs());
    rmSync(join(root, '0/0.0.0'));
    symlinkSync(outside, join(root, '0/0.0.0'));
    expect(await refusal(root)).toMatch(/outside the folder/);
    const root2 = build(goodAttrs());
    rmSync(join(root2, '0/.zarray'));
    writeFileSync(join(dirname(root2), 'evil.json'), JSON.stringify(goodArray()));
    symlinkSync(join(dirname(root2), 'evil.json'), join(root2, '0/.zarray'));
    expect(await refusal(root2)).toMatch(/outside the folder/);
  });

  it('refuses a metadata document far larger than any genuine one', async () => {
    expect(await refusal(build(`{"multiscales": [], "pad": "${'x'.repeat(5 * 1024 * 1024)}"}`))).toMatch(
      /above the .*-byte limit for a metadata document/,
    );
  });
});
