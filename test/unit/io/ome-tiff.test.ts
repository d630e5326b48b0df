// OME-TIFF output: hyperstacks written with an OME-XML description read back bit-exact, with their channels,
// frames, calibration and provenance, by our reader and by tifffile (every python3 here that has it).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, tempDir } from '../../helpers';
import {
  createVolumeWriter,
  makeVolume,
  openVolume,
  readTiffInfo,
  writeVolume,
  type VoxelSize,
  type WriteDtype,
} from '../../../src-main/core/io/index';
import { omeDescription } from '../../../src-main/core/io/ome-write';
import { readProvenance } from '../../../src-main/core/io/ome-annotations';
import { bigTiffNote, resolveOutputFormat } from '../../../src-main/core/io/output-format';
import { InvalidParameterError } from '../../../src-main/core/errors';

const pythons = [...new Set(['/usr/bin/python3', 'python3'])].filter(
  (p) => spawnSync(p, ['-c', 'import tifffile, numpy'], { stdio: 'ignore' }).status === 0,
);

interface TifffileOme {
  tifffile: string;
  is_ome: boolean;
  is_imagej: boolean;
  is_bigtiff: boolean;
  axes: string;
  shape: number[];
  dtype: string;
  values: number[];
  pixels: Record<string, string>;
  channels: Record<string, string>[];
  tiffData: Record<string, string>[];
  annotations: Record<string, string>;
}

function tifffileViews(file: string): TifffileOme[] {
  return pythons.map((py) => {
    const r = spawnSync(py, [fixture('check_ome.py'), file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${py} check_ome.py failed: ${r.stderr}`);
    return (JSON.parse(r.stdout) as Record<string, TifffileOme>)[file]!;
  });
}

const NC = 2,
  NT = 2,
  NZ = 3,
  NY = 5,
  NX = 4;
/** A distinct, non-integer value for every voxel, so a plane in the wrong place shows. */
const value = (c: number, t: number, z: number, y: number, x: number) =>
  1000 * t + 100 * c + 10 * z + y + x / 8 + 0.0625;
const EXTRA = { 'cycledecon.voxelSizeSource': 'file', note: 'a<b & "c" \'d\' µ', finterval: '2' };

function volumeData(c: number, t: number): Float32Array {
  const d = new Float32Array(NZ * NY * NX);
  for (let z = 0; z < NZ; z++)
    for (let y = 0; y < NY; y++) for (let x = 0; x < NX; x++) d[(z * NY + y) * NX + x] = value(c, t, z, y, x);
  return d;
}

interface Flavour {
  dtype?: WriteDtype;
  bigTiffThreshold?: number;
}

async function writeHyperstack(path: string, voxelSize: VoxelSize, opts: Flavour = {}): Promise<void> {
  const w = await createVolumeWriter(path, {
    shape: [NZ, NY, NX],
    voxelSize,
    channels: NC,
    frames: NT,
    ...opts,
    metadata: { intensityScale: 'raw counts', extra: EXTRA },
  });
  expect(w.format).toBe('ome-tiff');
  // Written frame-major, channels interleaved, as mapHyperstack does.
  for (let t = 0; t < NT; t++) for (let c = 0; c < NC; c++) await w.writeSlicesAt(c, t, 0, volumeData(c, t));
  await w.close();
}

const CALIBRATED: VoxelSize = { x: 0.1, y: 0.13, z: 0.3, unit: 'µm' };
const UNCALIBRATED: VoxelSize = { x: 1, y: 1, z: 1, unit: 'px' };

describe('OME-TIFF hyperstacks read back by our reader', () => {
  it.each<[string, VoxelSize, Flavour]>([
    ['calibrated float32', CALIBRATED, {}],
    ['uncalibrated float32', UNCALIBRATED, {}],
    ['calibrated uint16', CALIBRATED, { dtype: 'uint16' }],
    ['calibrated BigTIFF', CALIBRATED, { bigTiffThreshold: 0 }],
  ])('%s: shape, channels, frames, voxel size, provenance and every value', async (_name, voxelSize, opts) => {
    const file = join(tempDir(), 'stack.ome.tif');
    await writeHyperstack(file, voxelSize, opts);
    const reader = await openVolume(file);
    try {
      const { info } = reader;
      expect(info.sourceFormat).toBe(opts.bigTiffThreshold === 0 ? 'ome-bigtiff' : 'ome');
      expect(info.shape).toEqual([NZ, NY, NX]);
      expect([info.channels, info.frames]).toEqual([NC, NT]);
      expect(info.voxelSize).toEqual(voxelSize);
      expect(info.voxelSizeAssumed).toBe(voxelSize.unit === 'px');
      expect(info.intensityScale).toBe('raw counts');
      expect(info.extra).toEqual(EXTRA);
      for (let t = 0; t < NT; t++) {
        for (let c = 0; c < NC; c++) {
          const want = volumeData(c, t);
          const got = (await reader.readAll({ channel: c, frame: t })).data;
          expect(Array.from(got)).toEqual(Array.from(opts.dtype === 'uint16' ? want.map((v) => Math.round(v)) : want));
        }
      }
    } finally {
      await reader.close();
    }
  });

  it('a .ome.tif name alone makes writeVolume write OME-TIFF; other names stay ImageJ', async () => {
    const dir = tempDir();
    const vol = makeVolume(volumeData(0, 0), [NZ, NY, NX], CALIBRATED);
    await writeVolume(join(dir, 'a.ome.tiff'), vol);
    await writeVolume(join(dir, 'b.tif'), vol);
    await writeVolume(join(dir, 'c.tif'), vol, { format: 'ome-tiff' });
    expect((await readTiffInfo(join(dir, 'a.ome.tiff'))).sourceFormat).toBe('ome');
    expect((await readTiffInfo(join(dir, 'b.tif'))).sourceFormat).toBe('imagej');
    expect((await readTiffInfo(join(dir, 'c.tif'))).sourceFormat).toBe('ome');
    expect(readFileSync(join(dir, 'a.ome.tiff')).includes('DimensionOrder="XYCZT"')).toBe(true);
  });

  it('refuses ImageJ content under an .ome.tif name, and an unknown format, before writing', async () => {
    const dir = tempDir();
    const vol = makeVolume(volumeData(0, 0), [NZ, NY, NX], CALIBRATED);
    await expect(writeVolume(join(dir, 'x.ome.tif'), vol, { format: 'imagej' })).rejects.toBeInstanceOf(
      InvalidParameterError,
    );
    expect(() => resolveOutputFormat('x.tif', 'zarr' as never)).toThrow(InvalidParameterError);
    expect(resolveOutputFormat('X.OME.TIF')).toBe('ome-tiff');
  });
});

describe('OME-XML we write', () => {
  const xml = omeDescription({
    nx: NX,
    ny: NY,
    nz: NZ,
    channels: NC,
    frames: NT,
    dtype: 'float32',
    voxelSize: CALIBRATED,
    intensityScale: 'raw',
    extra: { ...EXTRA, ctl: 'bell\u0007 nul\u0000 end' },
  });

  it('declares the planes, their order and the calibration in µm', () => {
    expect(xml).toMatch(/<Pixels [^>]*DimensionOrder="XYCZT"[^>]*SizeX="4" SizeY="5" SizeZ="3" SizeC="2" SizeT="2"/);
    expect(xml).toMatch(
      /PhysicalSizeX="0.1" PhysicalSizeXUnit="µm" PhysicalSizeY="0.13" PhysicalSizeYUnit="µm" PhysicalSizeZ="0.3" PhysicalSizeZUnit="µm"/,
    );
    expect(xml).toContain('<TiffData IFD="0" PlaneCount="12"/>');
    expect(xml.match(/<Channel /g)).toHaveLength(NC);
    expect(xml).toContain('TimeIncrement="2" TimeIncrementUnit="s"');
  });

  it('keeps provenance with XML-special and control characters escaped or dropped, and reads it back', () => {
    expect(xml.includes('\u0000') || xml.includes('\u0007')).toBe(false);
    expect(readProvenance(xml)).toEqual({ ...EXTRA, ctl: 'bell nul end', intensityScale: 'raw' });
  });

  it('writes no PhysicalSize for an uncalibrated volume', () => {
    expect(omeDescription({ nx: 1, ny: 1, nz: 1, dtype: 'uint16', voxelSize: UNCALIBRATED })).not.toContain(
      'PhysicalSize',
    );
  });

  it('reads provenance in linear time from a hostile description', () => {
    const hostile = `<MapAnnotation Namespace="cycledecon.org/provenance"><Value>${'<M K="'.repeat(200_000)}`;
    const t0 = performance.now();
    expect(readProvenance(hostile)).toEqual({});
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('BigTIFF note', () => {
  it('says what reads a file above 4 GiB, for each flavour, and nothing below', () => {
    const big = [64, 4096, 4096] as [number, number, number];
    expect(bigTiffNote(big, 'float32', 64, 'imagej')).toMatch(
      /ImageJ 1\.x cannot open BigTIFF; Fiji's Bio-Formats can/,
    );
    expect(bigTiffNote(big, 'float32', 64, 'ome-tiff')).toMatch(/OME-Zarr \(--format ome-zarr.*suits such sizes/);
    expect(bigTiffNote(big, 'float32', 64, 'ome-zarr')).toBeUndefined();
    expect(bigTiffNote([8, 64, 64], 'float32', 8, 'ome-tiff')).toBeUndefined();
  });
});

describe.skipIf(pythons.length === 0)(
  `OME-TIFF as tifffile reads it${pythons.length ? '' : ' [skipped: no python3 with tifffile]'}`,
  { timeout: 60_000 },
  () => {
    it.each<[string, VoxelSize, Flavour]>([
      ['calibrated', CALIBRATED, {}],
      ['uncalibrated', UNCALIBRATED, {}],
      ['calibrated uint16 BigTIFF', CALIBRATED, { dtype: 'uint16', bigTiffThreshold: 0 }],
    ])('%s: is_ome, TZCYX series, physical sizes, channels and values', async (_name, voxelSize, opts) => {
      const file = join(tempDir(), 'stack.ome.tif');
      await writeHyperstack(file, voxelSize, opts);
      const expected: number[] = [];
      for (let t = 0; t < NT; t++)
        for (let z = 0; z < NZ; z++)
          for (let c = 0; c < NC; c++) {
            for (let y = 0; y < NY; y++)
              for (let x = 0; x < NX; x++) {
                const v = Math.fround(value(c, t, z, y, x));
                expected.push(opts.dtype === 'uint16' ? Math.round(v) : v);
              }
          }
      for (const v of tifffileViews(file)) {
        const who = `tifffile ${v.tifffile}`;
        expect([v.is_ome, v.is_imagej, v.is_bigtiff], who).toEqual([true, false, opts.bigTiffThreshold === 0]);
        expect(v.axes, who).toBe('TZCYX');
        expect(v.shape, who).toEqual([NT, NZ, NC, NY, NX]);
        expect(v.dtype, who).toBe(opts.dtype ?? 'float32');
        expect(v.values, who).toEqual(expected);
        expect(
          v.channels.map((c) => c.SamplesPerPixel),
          who,
        ).toEqual(['1', '1']);
        expect(v.tiffData, who).toEqual([{ IFD: '0', PlaneCount: String(NC * NT * NZ) }]);
        expect(v.annotations, who).toEqual({ ...EXTRA, intensityScale: 'raw counts' });
        if (voxelSize.unit === 'µm') {
          expect(v.pixels, who).toMatchObject({
            PhysicalSizeX: '0.1',
            PhysicalSizeY: '0.13',
            PhysicalSizeZ: '0.3',
            PhysicalSizeXUnit: 'µm',
            PhysicalSizeZUnit: 'µm',
          });
        } else {
          expect(
            Object.keys(v.pixels).filter((k) => k.startsWith('Physical')),
            who,
          ).toEqual([]);
        }
      }
    });
  },
);
