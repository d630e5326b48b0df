// The report's figures: input vs result orthoviews with linked contrast, PSF orthoviews, curves.
import type { Volume } from '../io/volume';
import { displayRange } from '../image/colormap';
import { brightestCentre, centreOf, renderOrthoview, type OrthoCentre } from '../image/orthoviews';
import { PALETTE } from '../image/plot';
import { svgLinePlot, type SvgPlotOptions, type SvgSeries } from '../image/svg-plot';
import type { Block, Panel } from './html';

export interface NamedVolume {
  name: string;
  volume: Pick<Volume, 'data' | 'shape' | 'voxelSize'>;
}

/** Zoom so a small stack is drawn at least ~`target` px wide (the page scales it further, nearest-neighbour). */
function autoZoom(shape: readonly number[], target = 320): number {
  return Math.max(1, Math.min(8, Math.floor(target / Math.max(shape[1]!, shape[2]!))));
}

/**
 * Orthoviews of several same-shaped volumes side by side, cut through the same voxel and shown with
 * one display range (percentiles of all of them together), so brightness compares honestly.
 */
export function linkedOrthoviews(
  vols: NamedVolume[],
  opts: { clahe?: boolean; centre?: OrthoCentre; colormap?: 'gray' | 'magma' } = {},
): Panel[] {
  const range = displayRange(
    vols.map((v) => v.volume.data),
    0.001,
    0.999,
  );
  const zoom = autoZoom(vols[0]!.volume.shape);
  const centre = opts.centre ?? centreOf(vols[0]!.volume.shape);
  return vols.map((v) => ({
    title: v.name,
    alt: `${v.name}: orthogonal views`,
    raster: renderOrthoview(v.volume, { range, zoom, centre, clahe: opts.clahe, colormap: opts.colormap ?? 'gray' }),
  }));
}

/**
 * PSF orthoviews through each PSF's brightest voxel, each scaled to its own maximum, all at the same
 * magnification so their widths compare by eye.
 */
export function psfOrthoviews(psfs: NamedVolume[]): Panel[] {
  const zoom = Math.min(...psfs.map((p) => autoZoom(p.volume.shape, 240)));
  return psfs.map((p) => {
    const max = p.volume.data.reduce((m, v) => Math.max(m, v), 0);
    return {
      title: `${p.name} PSF`,
      alt: `${p.name} PSF: orthogonal views`,
      raster: renderOrthoview(p.volume, {
        range: { lo: 0, hi: max > 0 ? max : 1 },
        zoom,
        centre: brightestCentre(p.volume.data, p.volume.shape),
        colormap: 'magma',
      }),
    };
  });
}

/** A line plot (inline SVG) of named series; a log y axis only where asked and every value is positive. */
export function curveFigure(
  series: Omit<SvgSeries, 'color'>[],
  caption: string,
  axes: Pick<SvgPlotOptions, 'xLabel' | 'yLabel' | 'logY' | 'smooth'>,
): Block {
  const coloured: SvgSeries[] = series.map((s, i) => ({ ...s, color: PALETTE[i % PALETTE.length]! }));
  return { kind: 'svg', svg: svgLinePlot(coloured, { ...axes, title: caption }), caption };
}
