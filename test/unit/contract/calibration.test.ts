// The one voxel-size rule every side shares: the project's override wins (source 'project'), an uncalibrated file
// stays px (source 'none'), and a value outside optics is flagged with the unit slip it most likely is.
import { describe, expect, it } from 'vitest';
import { datasetCalibration, voxelSizeWarnings } from '../../../src-main/contract/calibration';
import { calibrationWarnings } from '../../../src-main/core/io/calibration';

const um = (x: number, y: number, z: number, unit = 'µm') => ({ x, y, z, unit });

describe('voxel-size calibration shared by core, services and renderer', () => {
  it("resolves a dataset's voxel size: override → 'project', a px file → 'none', a calibrated file → 'file'", () => {
    expect(datasetCalibration({ voxelSize: um(1, 1, 1, 'px'), voxelSizeOverride: um(0.1, 0.1, 0.3) })).toEqual({
      voxelSize: um(0.1, 0.1, 0.3),
      source: 'project',
    });
    expect(datasetCalibration({ voxelSize: um(1, 1, 1, 'px'), voxelSizeOverride: null }).source).toBe('none');
    expect(datasetCalibration({ voxelSize: um(0.1, 0.1, 0.3), voxelSizeOverride: null }).source).toBe('file');
    expect(
      datasetCalibration({ voxelSize: um(0.1, 0.1, 0.3), voxelSizeOverride: null, voxelSizeSource: 'none' }).source,
    ).toBe('none');
  });

  it('names the likely unit slip in any unit the editor offers, and never flags px', () => {
    expect(voxelSizeWarnings(um(100, 100, 250), 'override')[0]).toMatch(/did you mean 100 nm/);
    expect(voxelSizeWarnings(um(100, 100, 250, 'nm'), 'override')).toEqual([]);
    expect(voxelSizeWarnings(um(0.0001, 0.0001, 0.0003, 'mm'), 'override')).toEqual([]);
    expect(voxelSizeWarnings(um(0.001, 0.001, 0.3, 'nm'), 'override')[0]).toMatch(/pixels/);
    expect(voxelSizeWarnings(um(100, 100, 100, 'px'), 'override')).toEqual([]);
  });

  it('gives the same words as the reader’s check for µm', () => {
    expect(voxelSizeWarnings(um(65, 65, 200), 'f.tif')).toEqual(calibrationWarnings(um(65, 65, 200), 'f.tif'));
  });
});
