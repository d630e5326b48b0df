// The report's "Learned pupil" section, for runs whose G_BA was the pupil layer (psf.model 'pupil',
// psf-pupil.json): the learned parameters, the Zernike coefficients as a bar chart and the pupil phase as an image.
import { makeRaster, type Raster } from '../image/png';
import { svgBarChart } from '../image/svg-bars';
import { tickLabel } from '../image/ticks';
import { pupilPhaseMap, type PupilPhaseMap } from '../psf/pupil-phase';
import { NOLL_MODES, NOLL_NAMES } from '../psf/zernike';
import type { PupilFile } from '../train/pupil-file';
import type { Part } from './sections';

/** Unit and meaning of the non-Zernike parameters (also the PSF inspector's, services/pupil.ts). */
export const UNITS: Record<string, string> = { z0: 'µm', depth: 'µm', apodisation: '(a in exp(−a·ρ²))' };
export const MEANING: Record<string, string> = {
  z0: 'focal offset',
  depth: 'emitter depth (spherical aberration of ni ≠ ns)',
  apodisation: 'pupil apodisation',
};
const BLUE: [number, number, number] = [33, 102, 172],
  RED: [number, number, number] = [178, 24, 43];

/** The phase map with a diverging map symmetric about 0 (blue < 0 < red, white at 0), grey outside the pupil; 3 px per sample. */
export function phaseRaster(map: PupilPhaseMap, zoom = 3): { raster: Raster; range: number } {
  let range = 0;
  for (const v of map.phase) if (Number.isFinite(v)) range = Math.max(range, Math.abs(v));
  range = Math.max(range, 1e-3); // a flat pupil stays white instead of amplifying rounding
  const r = makeRaster(map.n * zoom, map.n * zoom, 3, 235);
  for (let y = 0; y < map.n * zoom; y++)
    for (let x = 0; x < map.n * zoom; x++) {
      const v = map.phase[Math.floor(y / zoom) * map.n + Math.floor(x / zoom)]!;
      if (!Number.isFinite(v)) continue;
      const t = Math.min(1, Math.abs(v) / range),
        end = v < 0 ? BLUE : RED;
      for (let c = 0; c < 3; c++) r.data[(y * r.width + x) * 3 + c] = Math.round(255 * (1 - t) + end[c]! * t);
    }
  return { raster: r, range };
}

export function pupilSection(p: PupilFile): Part<unknown> {
  const zernikes = NOLL_MODES.map((j) => ({ label: `Z${j}`, value: p.params[`Z${j}`] ?? NaN }));
  const map = pupilPhaseMap(p.optics, p.params);
  const { raster, range } = phaseRaster(map);
  const rows = Object.entries(p.params).map(([k, v]) => {
    const j = Number(k.slice(1)) as (typeof NOLL_MODES)[number];
    const meaning = k.startsWith('Z') ? `${NOLL_NAMES[j]} (Noll ${j})` : (MEANING[k] ?? k);
    return [k, meaning, v, k.startsWith('Z') ? 'rad rms' : (UNITS[k] ?? ''), p.start[k] ?? 0];
  });
  const o = p.optics;
  return {
    data: {
      optics: o,
      step: p.step,
      params: p.params,
      start: p.start,
      phaseRmsRad: map.rms,
      phasePvRad: map.pv,
      uncertainties: null,
    },
    section: {
      title: 'Learned pupil',
      blocks: [
        {
          kind: 'text',
          text: `G_BA was the pupil layer: the PSF computed from the pupil function with the known optics (NA ${o.na}, emission ${o.wavelength} µm, immersion ${o.ni}, sample ${o.ns}, voxel ${o.dxy} × ${o.dz} µm) and these parameters learned blind, from the start shown (no aberration). Uncertainties are not given: blind training has no likelihood whose curvature would give them (the direct bead fit, cycledecon psf-fit --bead, reports them).`,
        },
        {
          kind: 'table',
          header: ['parameter', 'meaning', 'learned', 'unit', 'start'],
          rows,
          caption: `After ${p.step} training steps.`,
        },
        {
          kind: 'svg',
          svg: svgBarChart(zernikes, {
            xLabel: 'Zernike mode (Noll index)',
            yLabel: 'coefficient (rad rms)',
            title: 'Learned Zernike coefficients',
          }),
          caption:
            'Learned Zernike coefficients Noll 5–11 (astigmatism 5–6, coma 7–8, trefoil 9–10, primary spherical 11), radians rms over the pupil.',
        },
        {
          kind: 'figure',
          raster,
          alt: 'learned pupil phase',
          caption: `Pupil phase of the aberrations (depth term and Zernike modes; focus and position left out), over the pupil of NA ${o.na}: red positive, blue negative, white 0, full colour at ±${tickLabel(Number(range.toPrecision(2)))} rad; rms ${tickLabel(Number(map.rms.toPrecision(3)))} rad, peak to valley ${tickLabel(Number(map.pv.toPrecision(3)))} rad. x to the right, y down, as in the PSF's XY view.`,
        },
      ],
    },
  };
}
