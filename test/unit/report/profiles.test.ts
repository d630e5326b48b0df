import { describe, expect, it } from 'vitest';
import { makeVolume, type Shape3 } from '../../../src-main/core/io/volume';
import { lineProfile, profileSection } from '../../../src-main/core/report/profiles';

const shape: Shape3 = [3, 4, 5];
const data = Float32Array.from({ length: 60 }, (_, i) => i);
const vs = { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' };

describe('line profiles', () => {
  it('read the voxels along x and along z through the given voxel', () => {
    const c = { z: 1, y: 2, x: 3 };
    expect(lineProfile(data, shape, c, 'x')).toEqual([30, 31, 32, 33, 34]); // (1·4 + 2)·5 + x
    expect(lineProfile(data, shape, c, 'z')).toEqual([13, 33, 53]); // (z·4 + 2)·5 + 3
  });

  it('plot every volume in physical units, scaled to its own peak; no axial plot for a single plane', () => {
    const a = makeVolume(data, shape, vs),
      b = makeVolume(
        data.map((v) => 10 * v),
        shape,
        vs,
      );
    const s = profileSection(
      [
        { name: 'input', volume: a },
        { name: 'result', volume: b },
      ],
      { z: 1, y: 2, x: 3 },
    );
    expect(s.blocks).toHaveLength(2);
    const svg = (s.blocks[0] as { svg: string }).svg;
    expect(svg).toContain('>x (µm)</text>');
    expect(svg).toContain('>intensity / line maximum</text>');
    // Same shape after scaling to the peak: both polylines are the same points.
    const lines = [...svg.matchAll(/points="([^"]*)"/g)].map((m) => m[1]);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(lines[1]);
    expect((s.blocks[1] as { svg: string }).svg).toContain('>z (µm)</text>');
    const flat = makeVolume(new Float32Array(20).fill(1), [1, 4, 5], vs);
    expect(profileSection([{ name: 'input', volume: flat }], { z: 0, y: 0, x: 0 }).blocks).toHaveLength(1);
  });
});
