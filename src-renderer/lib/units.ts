// Voxel sizes in micrometres for measurement; unknown units are flagged, never silently assumed.
export interface VoxelUm {
  x: number;
  y: number;
  z: number;
  known: boolean;
}

export const ASSUMED_UM: VoxelUm = { x: 0.1, y: 0.1, z: 0.2, known: false };

export function toMicrometres(vs: { x: number; y: number; z: number; unit: string }): VoxelUm {
  const u = vs.unit.toLowerCase();
  if (u === 'µm' || u === 'um' || u === 'micron' || u === 'microns' || u === 'μm')
    return { x: vs.x, y: vs.y, z: vs.z, known: true };
  if (u === 'nm') return { x: vs.x / 1000, y: vs.y / 1000, z: vs.z / 1000, known: true };
  if (u === 'mm') return { x: vs.x * 1000, y: vs.y * 1000, z: vs.z * 1000, known: true };
  return { ...ASSUMED_UM };
}
