// A noisy input must not license a checkerboard (#23 item 2: a checkerboard output is never "passed"). White noise
// puts about half its lateral power above 0.4 cycles/voxel (1 − π·0.4²), so a limit of 3 × the input's share
// exceeded 100 % on a noise-dominated input, and a Nyquist checkerboard of any strength passed.
import { describe, expect, it } from 'vitest';
import type { Shape3 } from '../../../src-main/core/io/volume';
import { highFrequencyPower, measureArtefacts } from '../../../src-main/core/metrics/artefacts';
import { outputVerdict } from '../../../src-main/core/metrics/output-verdict';

const shape: Shape3 = [16, 32, 32];
const n = shape[0] * shape[1] * shape[2];
const at = (f: (z: number, y: number, x: number, i: number) => number) =>
  Float32Array.from({ length: n }, (_, i) => f(Math.floor(i / 1024), Math.floor(i / 32) % 32, i % 32, i));
const blob = (a: number) => (z: number, y: number, x: number) =>
  a * Math.exp(-((z - 8) ** 2 + (y - 16) ** 2 + (x - 16) ** 2) / (2 * 2.5 ** 2));
/** Deterministic uniform noise in [−a, a] (xorshift). */
const noise = (a: number) => {
  let s = 2463534242;
  return Float32Array.from({ length: n }, () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return a * ((2 * s) / 2 ** 32 - 1);
  });
};

describe('output verdict on a noise-dominated input', () => {
  const w = noise(50);
  const input = at((z, y, x, i) => 100 + blob(20)(z, y, x) + w[i]!);
  it("the input carries about white noise's share laterally (~50 %), so 3 × it is no limit", () => {
    const p = highFrequencyPower(input, shape);
    expect(p.lateral).toBeGreaterThan(0.4);
  });
  it('flags a positive result with a strong lateral checkerboard', () => {
    const board = at((z, y, x) => 300 + blob(140)(z, y, x) + 120 * ((x + y) % 2 ? 1 : -1));
    const v = outputVerdict({ correlation: 0.5, artefacts: measureArtefacts(shape, input, board) });
    expect(v.passed).toBe(false);
    expect(v.flags.map((f) => f.code)).toContain('high-frequency-lateral');
  });
  it('flags an axial alternation (z-period 2) on the same input', () => {
    const stripes = at((z, y, x) => 300 + blob(140)(z, y, x) + 120 * (z % 2 ? 1 : -1));
    const v = outputVerdict({ correlation: 0.5, artefacts: measureArtefacts(shape, input, stripes) });
    expect(v.flags.map((f) => f.code)).toContain('high-frequency-axial');
  });
  it("still passes a result that keeps the input's own noise (no more high-frequency power than white noise)", () => {
    const kept = at((z, y, x, i) => 100 + blob(60)(z, y, x) + w[i]!);
    const v = outputVerdict({ correlation: 0.5, artefacts: measureArtefacts(shape, input, kept) });
    expect(v.flags).toEqual([]);
  });
});
