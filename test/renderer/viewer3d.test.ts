// Pure parts of the volume renderers: texture bytes and voxel-size-correct proportions.
import { describe, expect, it } from 'vitest';
import { physicalScale, toBytes } from '../../src-renderer/viewer3d/raymarch';
import { defaultSettings } from '../../src-renderer/viewer3d/types';

const vol = (shape: [number, number, number], vs: { x: number; y: number; z: number }, data?: number[]) => ({
  data: Float32Array.from(data ?? new Array(shape[0] * shape[1] * shape[2]).fill(0)),
  shape,
  voxelSize: { ...vs, unit: 'µm' },
  min: 0,
  max: 1,
});

describe('volume renderer helpers', () => {
  it('scales the proxy box by the physical extent, longest side 1', () => {
    // 32 planes at 0.3 µm vs 64×128 px at 0.1 µm: z extent 9.6 µm, y 6.4 µm, x 12.8 µm.
    const [sx, sy, sz] = physicalScale(vol([32, 64, 128], { x: 0.1, y: 0.1, z: 0.3 }));
    expect(sx).toBeCloseTo(1);
    expect(sy).toBeCloseTo(0.5);
    expect(sz).toBeCloseTo(0.75);
  });
  it('normalises samples to bytes over their own range', () => {
    expect(Array.from(toBytes(vol([1, 1, 3], { x: 1, y: 1, z: 1 }, [-2, 0, 2])))).toEqual([0, 128, 255]);
    expect(Array.from(toBytes(vol([1, 1, 2], { x: 1, y: 1, z: 1 }, [5, 5])))).toEqual([0, 0]);
  });
  it('starts with the whole volume unclipped and a full window', () => {
    const s = defaultSettings();
    expect([s.low, s.high, s.clipMin, s.clipMax]).toEqual([0, 1, [0, 0, 0], [1, 1, 1]]);
  });
});

describe('channel overlay renderer', () => {
  it('draws one additive MIP layer per channel, each in its own colour, and drops layers for fewer channels', async () => {
    const { AdditiveBlending, PerspectiveCamera, Scene } = await import('three');
    const { OverlayRenderer } = await import('../../src-renderer/viewer3d/overlay');
    const scene = new Scene();
    const r = new OverlayRenderer(scene, new PerspectiveCamera());
    const two = [
      vol([2, 4, 4], { x: 1, y: 1, z: 1 }, new Array(32).fill(1)),
      vol([2, 4, 4], { x: 1, y: 1, z: 1 }, new Array(32).fill(2)),
    ];
    r.setChannels(two);
    expect(r.channelLayers.map((l) => l.colormap)).toEqual(['cyan', 'magenta']);
    expect(r.channelLayers.every((l) => l.object.material.blending === AdditiveBlending && l.object.visible)).toBe(
      true,
    );
    expect(scene.children).toHaveLength(2);
    r.update({ channelColormaps: ['yellow', 'green'] });
    expect(r.channelLayers.map((l) => l.colormap)).toEqual(['yellow', 'green']);
    r.setChannels(two.slice(0, 1));
    expect(scene.children).toHaveLength(1);
    r.dispose();
    expect(scene.children).toHaveLength(0);
  });
});
