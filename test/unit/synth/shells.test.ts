// The suite's object generators (#23): membrane shells are hollow, the per-kind cases hold only their kind, and
// the old structure counts (no `shells`) give the same volumes as before, so published seeds stay reproducible.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src-main/core/synth/index';
import { addShell } from '../../../src-main/core/synth/shells';
import { groundTruth } from '../../../src-main/core/synth/structures';
import { caseData, findCase, SUITE_CASES } from '../../../bench/science-cases';

const shape: [number, number, number] = [24, 48, 48];
const at = (d: Float32Array, z: number, y: number, x: number) => d[(z * shape[1] + y) * shape[2] + x]!;

describe('suite object generators', { timeout: 30_000 }, () => {
  it('a shell is bright on its wall and dark inside', () => {
    const out = new Float32Array(shape[0] * shape[1] * shape[2]);
    // Fixed draws: radii 9 (z 9/2.5 slices), centre mid-volume, level 0.7.
    const draws = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5];
    const rng = { next: () => draws.shift() ?? 0.5, normal: () => 0, poisson: () => 0 } as unknown as ReturnType<
      typeof createRng
    >;
    addShell(out, shape, rng, 2.5);
    const centre = at(out, 12, 24, 24),
      wall = at(out, 12, 24, 33);
    expect(wall).toBeGreaterThan(0.6);
    expect(centre).toBeLessThan(1e-6);
    expect(Math.max(...out)).toBeLessThanOrEqual(0.7 + 1e-6);
  });
  it('counts without shells give the volume of before (the shell loop draws nothing)', () => {
    const a = groundTruth(shape, { filaments: 3, beads: 5, nuclei: 1 }, createRng(7), 2.5);
    const b = groundTruth(shape, { filaments: 3, beads: 5, nuclei: 1, shells: 0 }, createRng(7), 2.5);
    const c = groundTruth(shape, { filaments: 3, beads: 5, nuclei: 1, shells: 2 }, createRng(7), 2.5);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });
  it('every case names distinct data and the per-kind cases differ in structure', () => {
    expect(new Set(SUITE_CASES.map((c) => c.name)).size).toBe(SUITE_CASES.length);
    expect(() => findCase('nope')).toThrow(/unknown case 'nope'/);
    const small = { train: [12, 24, 24] as [number, number, number], test: [12, 24, 24] as [number, number, number] };
    const punctaCase = findCase('puncta'),
      membranes = findCase('membranes');
    const p = caseData({ ...punctaCase, psf: { ...punctaCase.psf, size: [5, 7, 7] } }, small);
    const m = caseData({ ...membranes, psf: { ...membranes.psf, size: [5, 7, 7] } }, small);
    // Puncta: few bright voxels, most empty; shells fill a larger connected share at lower peak.
    const share = (d: Float32Array) => d.filter((v) => v > 0.05).length / d.length;
    expect(share(p.test.groundTruth.data)).toBeLessThan(share(m.test.groundTruth.data));
    expect(p.trainSets).toHaveLength(2);
    expect(p.sharpSets[0]!.data).not.toEqual(p.trainSets[0]!.groundTruth.data);
  });
});
