// The report's "Learned pupil" section: the bar chart's geometry computed by hand, the phase map against the
// Zernike formulas written out here, and the section present exactly when the run has psf-pupil.json.
import { describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { svgBarChart } from '../../../src-main/core/image/svg-bars';
import { pupilPhaseMap } from '../../../src-main/core/psf/pupil-phase';
import { phaseRaster, pupilSection } from '../../../src-main/core/report/pupil-section';
import { buildReport } from '../../../src-main/core/report/build';
import { loadReportSources } from '../../../src-main/core/report/files';
import { toolkitMeasures } from '../../../src-main/core/report/measures';
import { makeVolume } from '../../../src-main/core/io/volume';
import { writeVolume } from '../../../src-main/core/io/index';
import { writeConfig } from '../../../src-main/core/train/outputs';
import { writePupilFile, type PupilFile } from '../../../src-main/core/train/pupil-file';
import { resolveTrainConfig } from '../../../src-main/core/train/config';
import { tempDir } from '../../helpers';

const attrs = (el: string) => Object.fromEntries([...el.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));

describe('svgBarChart', () => {
  it('draws each bar from zero to its value on a round axis, with error bars and tick labels (hand-computed)', () => {
    const svg = svgBarChart(
      [
        { label: 'A', value: 0.5 },
        { label: 'B', value: -0.25 },
        { label: 'C', value: 1, error: 0.2 },
      ],
      { xLabel: 'mode', yLabel: 'rad' },
    );
    // Plot box 474 × 228 px at (70, 16). Data −0.25 … 1.2 (C's error bar) → step 0.2, axis −0.4 … 1.2 (1.6 span):
    // y(v) = 244 − (v + 0.4) / 1.6 · 228, so y(0) = 187. Slots of 158 px, bars 94.8 px wide, centred.
    const rects = [...svg.matchAll(/<rect x="[^"]*" y="[^"]*" width="[^"]*" height="[^"]*" fill="rgb[^>]*>/g)].map(
      (m) => attrs(m[0]),
    );
    expect(rects).toHaveLength(3);
    const expected = [
      { x: 70 + 79 - 47.4, y: 244 - (0.9 / 1.6) * 228, h: (0.5 / 1.6) * 228 }, // A: 0 … 0.5
      { x: 70 + 158 + 79 - 47.4, y: 187, h: (0.25 / 1.6) * 228 }, // B: −0.25 … 0, hangs below the baseline
      { x: 70 + 316 + 79 - 47.4, y: 244 - (1.4 / 1.6) * 228, h: (1 / 1.6) * 228 }, // C: 0 … 1
    ];
    rects.forEach((r, i) => {
      expect(Number(r.x)).toBeCloseTo(expected[i]!.x, 1);
      expect(Math.abs(Number(r.y) - expected[i]!.y)).toBeLessThanOrEqual(0.051);
      expect(Math.abs(Number(r.height) - expected[i]!.h)).toBeLessThanOrEqual(0.051);
      expect(Number(r.width)).toBeCloseTo(94.8, 1);
    });
    // C's error bar: 0.8 … 1.2 → y 73 … 16, at the slot centre x = 465
    expect(svg).toContain('<line x1="465" x2="465" y1="73" y2="16"');
    const ticks = [...svg.matchAll(/text-anchor="end">([^<]*)</g)].map((m) => m[1]);
    expect(ticks).toEqual(['\u22120.4', '\u22120.2', '0', '0.2', '0.4', '0.6', '0.8', '1', '1.2']);
    expect(svg).toContain('>mode</text>');
    expect(svg).toContain('>rad</text>');
    for (const l of ['A', 'B', 'C']) expect(svg).toContain(`text-anchor="middle">${l}</text>`);
  });

  it('marks a missing value instead of drawing it, and keeps zero on the axis for all-positive values', () => {
    const svg = svgBarChart(
      [
        { label: 'x', value: NaN },
        { label: 'y', value: 3 },
      ],
      { xLabel: 'a', yLabel: 'b' },
    );
    expect(svg).toContain('>n/a</text>');
    expect([...svg.matchAll(/text-anchor="end">([^<]*)</g)].map((m) => m[1])[0]).toBe('0');
  });
});

describe('pupil phase map', () => {
  const optics = { na: 1.2, wavelength: 0.52, ni: 1.33, ns: 1.33 };
  it('is the Zernike sum written out by hand (Noll 6 and 8), NaN outside the pupil', () => {
    const n = 64;
    const map = pupilPhaseMap(optics, { Z6: 0.5, Z8: -0.2, depth: 0 }, n);
    let checked = 0;
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++) {
        const u = (x + 0.5 - 32) / 32,
          v = (y + 0.5 - 32) / 32,
          r = Math.hypot(u, v),
          t = Math.atan2(v, u);
        const ph = map.phase[y * n + x]!;
        if (r > 1) {
          expect(ph).toBeNaN();
          continue;
        }
        const hand =
          0.5 * Math.sqrt(6) * r * r * Math.cos(2 * t) - 0.2 * Math.sqrt(8) * (3 * r ** 3 - 2 * r) * Math.cos(t);
        expect(ph).toBeCloseTo(hand, 12);
        checked++;
      }
    expect(checked).toBeGreaterThan(3000);
    // rms of orthonormal Noll modes over the disc: √(0.5² + 0.2²), to sampling error
    expect(map.rms).toBeCloseTo(Math.hypot(0.5, 0.2), 1);
  });

  it('carries no focal shift and no piston in its depth term (ni ≠ ns), and grows with the depth', () => {
    const deep = { na: 1.3, wavelength: 0.52, ni: 1.515, ns: 1.38 };
    const a = pupilPhaseMap(deep, { depth: 5 }, 64),
      b = pupilPhaseMap(deep, { depth: 10 }, 64);
    const kzi: number[] = [],
      ph: number[] = [];
    a.phase.forEach((p, i) => {
      if (!Number.isFinite(p)) return;
      const y = Math.floor(i / 64),
        x = i % 64,
        k2 = ((((x + 0.5 - 32) / 32) ** 2 + ((y + 0.5 - 32) / 32) ** 2) * 1.3 ** 2) / 0.52 ** 2;
      kzi.push(Math.sqrt((1.515 / 0.52) ** 2 - k2));
      ph.push(p); // the immersion's defocus phase per µm of focus, over 2π
    });
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    const mk = mean(kzi);
    expect(Math.abs(mean(ph))).toBeLessThan(1e-9);
    expect(Math.abs(mean(ph.map((p, i) => p * (kzi[i]! - mk))))).toBeLessThan(1e-9); // a refocus cannot take any of it out
    expect(a.rms).toBeGreaterThan(0.1);
    expect(b.rms / a.rms).toBeCloseTo(2, 9);
  });

  it('colours the map diverging about zero: white at 0, full red at +max, full blue at −max, grey outside', () => {
    const map = { n: 2, phase: Float64Array.from([0, 2, -2, NaN]), rms: 0, pv: 0 };
    const { raster, range } = phaseRaster(map, 1);
    expect(range).toBe(2);
    expect(Array.from(raster.data)).toEqual([255, 255, 255, 178, 24, 43, 33, 102, 172, 235, 235, 235]);
  });
});

describe('report: Learned pupil section', () => {
  const pupil: PupilFile = {
    model: 'pupil (core/psf/pupil.ts, scalar Gibson–Lanni / Hanser with Zernike Noll 5–11)',
    step: 250,
    optics: { na: 1.3, wavelength: 0.52, ni: 1.515, ns: 1.38, dxy: 0.1, dz: 0.25 },
    params: { z0: 0.1, depth: 4.2, apodisation: 0.05, Z5: 0.01, Z6: -0.02, Z7: 0.03, Z8: 0, Z9: 0, Z10: 0, Z11: 0.3 },
    start: { z0: 0, depth: 0, apodisation: 0, Z5: 0, Z6: 0, Z7: 0, Z8: 0, Z9: 0, Z10: 0, Z11: 0 },
  };

  it('lists every parameter, charts Z5–Z11 and shows the phase; report.json carries the numbers', () => {
    const { section, data } = pupilSection(pupil);
    expect(section.title).toBe('Learned pupil');
    const table = section.blocks.find((b) => b.kind === 'table')!;
    expect(table.kind === 'table' && table.rows.map((r) => [r[0], r[2]])).toEqual(Object.entries(pupil.params));
    const chart = section.blocks.find((b) => b.kind === 'svg')!;
    expect(
      chart.kind === 'svg' &&
        [...chart.svg.matchAll(/<rect x="[^"]*" y="[^"]*" width="[^"]*" height="[^"]*" fill="rgb/g)].length,
    ).toBe(7);
    expect(section.blocks.some((b) => b.kind === 'figure' && b.raster.width === 288)).toBe(true);
    expect((data as { phaseRmsRad: number }).phaseRmsRad).toBeCloseTo(
      pupilPhaseMap(pupil.optics, pupil.params).rms,
      12,
    );
  });

  it('appears in a report from a run folder with psf-pupil.json, and only then', async () => {
    const vs = { x: 0.1, y: 0.1, z: 0.25, unit: 'µm' };
    const vol = makeVolume(
      Float32Array.from({ length: 6 * 8 * 8 }, (_, i) => (i % 11) + 1),
      [6, 8, 8],
      vs,
    );
    const dir = tempDir();
    await writeVolume(join(dir, 'in.tif'), vol);
    const run = (name: string) => {
      const d = join(dir, name);
      mkdirSync(d);
      return d;
    };
    const withPupil = run('pupil'),
      without = run('gauss');
    for (const d of [withPupil, without]) await writeConfig(d, resolveTrainConfig('tiny'));
    const { model: _m, ...rest } = pupil;
    await writePupilFile(withPupil, rest);
    const report = async (runDir: string) =>
      buildReport(
        await loadReportSources({ input: join(dir, 'in.tif'), result: join(dir, 'in.tif'), runDir }),
        toolkitMeasures,
      );
    const a = await report(withPupil),
      b = await report(without);
    expect(a.html).toContain('<h2>Learned pupil</h2>');
    expect((a.json.pupil as { params: unknown }).params).toEqual(pupil.params);
    expect(b.html).not.toContain('Learned pupil');
    expect(b.json.pupil).toBeUndefined();
  });
});
