// The report's figures: input vs result orthoviews with linked contrast, PSF orthoviews, curves.
import type { Volume } from '../io/volume';
import { displayRange } from '../image/colormap';
import { brightestCentre, centreOf, renderOrthoview, sideBySide, type OrthoCentre } from '../image/orthoviews';
import { linePlot, PALETTE, type Series } from '../image/plot';
import type { Raster } from '../image/png';
import type { Block } from './html';

export interface NamedVolume {
  name: string;
  volume: Pick<Volume, 'data' | 'shape' | 'voxelSize'>;
}

/** Zoom so a small stack is drawn at least ~256 px wide. */
function autoZoom(shape: readonly number[], target = 256): number {
  return Math.max(1, Math.min(8, Math.floor(target / Math.max(shape[1]!, shape[2]!))));
}

/**
 * Orthoviews of several same-shaped volumes side by side, cut through the same voxel and shown with
 * one display range (percentiles of all of them together), so brightness compares honestly.
 */
export function linkedOrthoviews(vols: NamedVolume[], opts: { clahe?: boolean; centre?: OrthoCentre; colormap?: 'gray' | 'magma' } = {}): Raster {
  const range = displayRange(vols.map((v) => v.volume.data), 0.001, 0.999);
  const zoom = autoZoom(vols[0]!.volume.shape);
  const centre = opts.centre ?? centreOf(vols[0]!.volume.shape);
  return sideBySide(vols.map((v) => renderOrthoview(v.volume, { range, zoom, centre, clahe: opts.clahe, colormap: opts.colormap ?? 'gray' })));
}

/**
 * PSF orthoviews through each PSF's brightest voxel, each scaled to its own maximum, all at the same
 * magnification so their widths compare by eye.
 */
export function psfOrthoviews(psfs: NamedVolume[]): Raster {
  const zoom = Math.min(...psfs.map((p) => autoZoom(p.volume.shape, 160)));
  return sideBySide(psfs.map((p) => {
    const max = p.volume.data.reduce((m, v) => Math.max(m, v), 0);
    return renderOrthoview(p.volume, { range: { lo: 0, hi: max > 0 ? max : 1 }, zoom, centre: brightestCentre(p.volume.data, p.volume.shape), colormap: 'magma' });
  }));
}

export function curveFigure(series: Omit<Series, 'color'>[], caption: string, logY = false): Block[] {
  const coloured: Series[] = series.map((s, i) => ({ ...s, color: PALETTE[i % PALETTE.length]! }));
  const positive = coloured.every((s) => s.values.every((v) => !Number.isFinite(v) || v > 0));
  return [
    { kind: 'figure', raster: linePlot(coloured, { logY: logY && positive }), caption, alt: caption },
    { kind: 'legend', items: coloured.map((s) => ({ name: s.name, color: s.color })) },
  ];
}
