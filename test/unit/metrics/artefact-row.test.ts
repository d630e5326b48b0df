// The benchmark's artefact columns (bench/artefact-row.ts, bench/science-report.ts): a checkerboard result is
// flagged beside an honest one, and the table prints the result / input / truth shares.
import { describe, expect, it } from 'vitest';
import { makeVolume, type Shape3 } from '../../../src-main/core/io/volume';
import { artefactRow } from '../../../bench/artefact-row';
import { artefactTable, type ScienceResult } from '../../../bench/science-report';

const shape: Shape3 = [8, 16, 16];
const n = 8 * 16 * 16;
const at = (f: (z: number, y: number, x: number) => number) =>
  makeVolume(
    Float32Array.from({ length: n }, (_, i) => f(Math.floor(i / 256), Math.floor(i / 16) % 16, i % 16)),
    shape,
  );
const blob = (s: number, a: number) => (z: number, y: number, x: number) =>
  10 + a * Math.exp(-((z - 4) ** 2 + (y - 8) ** 2 + (x - 8) ** 2) / (2 * s * s));
const truth = at(blob(1.2, 200)),
  input = at(blob(2, 80)),
  honest = at(blob(1.5, 140));
const psf = at((z, y, x) => (Math.abs(z - 4) + Math.abs(y - 8) + Math.abs(x - 8) <= 2 ? 1 : 0));

describe('benchmark artefact row', () => {
  it('flags a checkerboard result, passes an honest one, and tabulates both', () => {
    const board = at((z, y, x) => blob(1.5, 140)(z, y, x) + 20 * ((x + y) % 2 ? 1 : -1));
    const ok = artefactRow(input, honest, truth, psf);
    const bad = artefactRow(input, board, truth, psf);
    expect(ok.flags).toEqual([]);
    expect(bad.flags).toContain('high-frequency-lateral');
    expect(bad.lateral[0]).toBeGreaterThan(3 * bad.lateral[1]);
    const table = artefactTable({
      rows: [
        { method: 'honest', ssim3d: null, ssim2d: 0, psnr: 0, artefacts: ok },
        { method: 'board', ssim3d: null, ssim2d: 0, psnr: 0, artefacts: bad },
      ],
    } as unknown as ScienceResult);
    expect(table.split('\n')).toHaveLength(4);
    expect(table).toMatch(/\| honest \| .* \| passed \|/);
    expect(table).toMatch(/\| board \| \d+\.\d % \/ \d+\.\d % \/ \d+\.\d % \| .* flagged: .*high-frequency-lateral/);
  });
});
