// Voxel sizes from the command line and the unit-slip check every calibration passes through.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { calibrationWarnings, parseVoxelSize } from '../../../src-main/core/io/calibration';
import { makeVolume, readTiffInfo, readVolume, writeVolume } from '../../../src-main/core/io/index';
import { runCli } from '../../../src-main/cli/main';
import { InvalidParameterError } from '../../../src-main/core/errors';
import { tempDir } from '../../helpers';

function capture() {
  const out: string[] = [],
    err: string[] = [];
  return { out, err, ctx: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), interactive: false } };
}

describe('--voxel-size', () => {
  it('parses X,Y,Z with an optional unit into micrometres', () => {
    expect(parseVoxelSize('0.1,0.1,0.25um')).toEqual({ x: 0.1, y: 0.1, z: 0.25, unit: 'µm' });
    expect(parseVoxelSize('0.1,0.1,0.25')).toEqual({ x: 0.1, y: 0.1, z: 0.25, unit: 'µm' });
    const nm = parseVoxelSize('100,100,250nm');
    expect(nm.x).toBeCloseTo(0.1, 12);
    expect(nm.z).toBeCloseTo(0.25, 12);
    expect(parseVoxelSize('0.1,0.1,0.25 µm').z).toBe(0.25);
  });
  it('rejects what it cannot read with an error naming the flag', () => {
    for (const bad of ['0.1,0.1', '0.1,0.1,0.25parsec', '0,0.1,0.2', 'a,b,c', '0.1,0.1,-1']) {
      expect(() => parseVoxelSize(bad)).toThrow(InvalidParameterError);
      expect(() => parseVoxelSize(bad)).toThrow(/--voxel-size/);
    }
  });
});

describe('implausible calibration', () => {
  it('a 130 µm pixel asks whether 130 nm was meant; a 0.1 nm z step asks about the other direction', () => {
    const w = calibrationWarnings({ x: 130, y: 130, z: 0.3, unit: 'µm' }, 'a.tif');
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/130 µm pixels: did you mean 130 nm/);
    expect(calibrationWarnings({ x: 0.1, y: 0.1, z: 0.0001, unit: 'µm' }, 'a.tif')[0]).toMatch(
      /z steps: did you mean 0\.1 µm/,
    );
    expect(calibrationWarnings({ x: 0.1, y: 0.1, z: 80, unit: 'µm' }, 'a.tif')[0]).toMatch(/80 µm z steps/);
  });
  it('a confocal, a widefield and an uncalibrated voxel pass', () => {
    expect(calibrationWarnings({ x: 0.065, y: 0.065, z: 0.2, unit: 'µm' }, 'a')).toEqual([]);
    expect(calibrationWarnings({ x: 1.3, y: 1.3, z: 5, unit: 'µm' }, 'a')).toEqual([]);
    expect(calibrationWarnings({ x: 1, y: 1, z: 1, unit: 'px' }, 'a')).toEqual([]);
  });
  it('the reader warns about a file written with 130 µm pixels, and info --json / --voxel-size show the source', async () => {
    const dir = tempDir(),
      file = join(dir, 'slip.tif');
    await writeVolume(
      file,
      makeVolume(new Float32Array(2 * 4 * 4).fill(1), [2, 4, 4], { x: 130, y: 130, z: 0.3, unit: 'µm' }),
    );
    const info = await readTiffInfo(file);
    expect(info.voxelSizeSource).toBe('file');
    expect(info.warnings.join('\n')).toMatch(/130 µm pixels: did you mean 130 nm/);
    const c = capture();
    expect(await runCli(['info', file, '--json', '--voxel-size', '130,130,300nm'], c.ctx)).toBe(0);
    const r = JSON.parse(c.out.join('\n')) as {
      voxelSize: { x: number; z: number };
      voxelSizeSource: string;
      warnings: string[];
    };
    expect(r.voxelSizeSource).toBe('cli');
    expect(r.voxelSize.x).toBeCloseTo(0.13, 12);
    expect(r.warnings).toEqual([]);
    // convert writes the given calibration and records where it came from.
    const out = join(dir, 'fixed.tif');
    expect(await runCli(['convert', file, out, '--voxel-size', '0.13,0.13,0.3um'], capture().ctx)).toBe(0);
    const fixed = await readVolume(out);
    expect(fixed.voxelSize.x).toBeCloseTo(0.13, 9);
    expect(fixed.metadata.extra['cycledecon.voxelSizeSource']).toBe('cli');
  });
});
