// Interprets ImageJ and OME-TIFF descriptions: stack geometry (slices, channels, frames and how they map to
// TIFF pages) and the physical voxel size, always converted to micrometres.
import type { VoxelSize } from './volume';
import type { TiffPage } from './tiff-structure';
import { TiffFormatError } from '../errors';
import { scanStartTags, XmlSyntaxError } from './ome-xml';
import { readProvenance } from './ome-annotations';

export interface StackLayout {
  sourceFormat: 'imagej' | 'ome' | 'tiff';
  slices: number;
  channels: number;
  frames: number;
  /** Page (index into the image pages) holding slice z of channel c at frame t. */
  pageOf(z: number, c: number, t: number): number;
  voxelSize: VoxelSize;
  voxelSizeAssumed: boolean;
  intensityScale?: string;
  extra: Record<string, string>;
  /** What an ImageJ header declared, for the consistency checks in stack-shape.ts. */
  declared?: { images?: number; slices?: number; channels?: number; frames?: number };
}

/** Micrometres per unit; undefined for "no calibration". */
const UNIT_TO_UM: Record<string, number> = {
  micron: 1,
  microns: 1,
  um: 1,
  µm: 1,
  μm: 1,
  '\\u00b5m': 1,
  micrometer: 1,
  micrometre: 1,
  nm: 1e-3,
  nanometer: 1e-3,
  nanometre: 1e-3,
  mm: 1e3,
  millimeter: 1e3,
  cm: 1e4,
  m: 1e6,
  meter: 1e6,
  pm: 1e-6,
  å: 1e-4,
  angstrom: 1e-4,
};
export function unitToMicrons(unit: string | undefined): number | undefined {
  if (!unit) return undefined;
  return UNIT_TO_UM[unit.trim().toLowerCase()];
}

/** Voxel sizes outside this range (in µm) are treated as missing: a calibration error, not a microscope. */
const MIN_UM = 1e-5;
const MAX_UM = 1e5;
const plausible = (v: number | undefined): v is number =>
  v !== undefined && Number.isFinite(v) && v >= MIN_UM && v <= MAX_UM;

export function finishVoxelSize(
  x: number | undefined,
  y: number | undefined,
  z: number | undefined,
  slices: number,
): { voxelSize: VoxelSize; assumed: boolean } {
  if (!plausible(x) && !plausible(y)) {
    // Without a lateral calibration a z step alone is meaningless: fall back to unitless voxels.
    return { voxelSize: { x: 1, y: 1, z: 1, unit: 'px' }, assumed: true };
  }
  const xx = plausible(x) ? x : (y as number);
  const yy = plausible(y) ? y : xx;
  const zOk = plausible(z);
  return {
    voxelSize: { x: xx, y: yy, z: zOk ? z : 1, unit: 'µm' },
    assumed: !plausible(x) || !plausible(y) || (!zOk && slices > 1),
  };
}

/** µm per pixel from a resolution rational (pixels per unit = num/den): scale·den/num, one rounding for scale 1. */
function unitsPerPixel(scale: number, res: [number, number] | undefined): number | undefined {
  return res ? (scale * res[1]) / res[0] : undefined;
}

const IMAGEJ_STRUCTURAL = new Set([
  'imagej',
  'images',
  'slices',
  'channels',
  'frames',
  'spacing',
  'unit',
  'yunit',
  'zunit',
  'loop',
  'min',
  'max',
  'hyperstack',
  'mode',
  'intensityscale',
]);

export function parseImageJDescription(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

function posInt(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

function imagejLayout(file: string, desc: string, first: TiffPage, pageCount: number): StackLayout {
  const kv = parseImageJDescription(desc);
  const images = posInt(kv.images) ?? pageCount;
  const channels = posInt(kv.channels) ?? 1;
  const frames = posInt(kv.frames) ?? 1;
  const slices = posInt(kv.slices) ?? Math.max(1, Math.floor(images / (channels * frames)));
  const need = slices * channels * frames;
  if (need > pageCount) {
    throw new TiffFormatError(
      file,
      `truncated: the ImageJ description promises ${need} images (${slices} slices × ${channels} channels × ${frames} frames) but the file has ${pageCount} pages`,
    );
  }
  const scale = unitToMicrons(kv.unit === undefined ? undefined : kv.unit.replace(/\\u00B5/i, 'µ'));
  const x = scale !== undefined ? unitsPerPixel(scale, first.xResolution) : undefined;
  const y = scale !== undefined ? unitsPerPixel(scale, first.yResolution) : undefined;
  const spacing = kv.spacing === undefined ? undefined : Number(kv.spacing);
  const z = scale !== undefined && spacing !== undefined ? Math.abs(spacing) * scale : undefined;
  const { voxelSize, assumed } = finishVoxelSize(x, y, z, slices);
  const extra: Record<string, string> = {};
  for (const [k, v] of Object.entries(kv)) if (!IMAGEJ_STRUCTURAL.has(k.toLowerCase())) extra[k] = v;
  return {
    sourceFormat: 'imagej',
    slices,
    channels,
    frames,
    voxelSize,
    voxelSizeAssumed: assumed,
    extra,
    declared: {
      images: posInt(kv.images),
      slices: posInt(kv.slices),
      channels: posInt(kv.channels),
      frames: posInt(kv.frames),
    },
    intensityScale: kv.intensityScale ?? kv.intensityscale,
    // ImageJ stores hyperstacks in CZT order: channel fastest, then slice, then frame.
    pageOf: (z_, c, t) => (t * slices + z_) * channels + c,
  };
}

/** The first Pixels element's attributes and those of the first TiffData after it, in one linear pass. */
function omeElements(file: string, xml: string): { pixels: Map<string, string>; tiffData?: Map<string, string> } {
  const found: { pixels?: Map<string, string>; tiffData?: Map<string, string> } = {};
  try {
    scanStartTags(xml, OME_WANTED, (tag) => {
      if (!found.pixels) {
        if (tag.name === 'Pixels') found.pixels = tag.attributes;
        return false;
      }
      if (tag.name === 'TiffData') {
        found.tiffData = tag.attributes;
        return true;
      }
      return false;
    });
  } catch (e) {
    // Like the regexes this replaces, markup broken after the Pixels element does not matter.
    if (!(e instanceof XmlSyntaxError)) throw e;
    if (!found.pixels) throw new TiffFormatError(file, `OME-XML description is malformed: ${e.message}`);
  }
  if (!found.pixels) throw new TiffFormatError(file, 'OME-XML description has no Pixels element');
  return { pixels: found.pixels, tiffData: found.tiffData };
}
const OME_WANTED = new Set(['Pixels', 'TiffData']);

/** The non-spatial axes of an OME DimensionOrder. */
type Axis = 'Z' | 'C' | 'T';

function omeLayout(file: string, xml: string, pageCount: number): StackLayout {
  const { pixels, tiffData } = omeElements(file, xml);
  const size = (n: string) => posInt(pixels.get(n)) ?? 1;
  const slices = size('SizeZ');
  const channels = size('SizeC');
  const frames = size('SizeT');
  const order = (pixels.get('DimensionOrder') ?? 'XYZCT').toUpperCase();
  if (!/^XY[ZCT]{3}$/.test(order) || new Set(order).size !== 5)
    throw new TiffFormatError(file, `OME DimensionOrder "${order}" is not valid`);
  // First series: the IFD where its TiffData starts (tifffile and Bio-Formats write IFD="n" for later series).
  const firstIfd = tiffData ? Number(tiffData.get('IFD') ?? 0) : 0;
  const need = slices * channels * frames;
  if (!Number.isInteger(firstIfd) || firstIfd < 0 || firstIfd + need > pageCount) {
    throw new TiffFormatError(
      file,
      `truncated: OME metadata describes ${need} planes from IFD ${firstIfd} but the file has ${pageCount} pages`,
    );
  }
  const physical = (axis: 'X' | 'Y' | 'Z'): number | undefined => {
    const v = pixels.get(`PhysicalSize${axis}`);
    if (v === undefined) return undefined;
    const scale = unitToMicrons(pixels.get(`PhysicalSize${axis}Unit`) ?? 'µm');
    return scale === undefined ? undefined : Number(v) * scale;
  };
  const { voxelSize, assumed } = finishVoxelSize(physical('X'), physical('Y'), physical('Z'), slices);
  const sizes: Record<Axis, number> = { Z: slices, C: channels, T: frames };
  // The test above leaves a permutation of Z, C and T after XY.
  const axes = order.slice(2).split('') as Axis[];
  const { intensityScale, ...extra } = readProvenance(xml);
  return {
    sourceFormat: 'ome',
    slices,
    channels,
    frames,
    voxelSize,
    voxelSizeAssumed: assumed,
    extra,
    intensityScale,
    pageOf: (z, c, t) => {
      const idx: Record<Axis, number> = { Z: z, C: c, T: t };
      let p = 0;
      for (let i = axes.length - 1; i >= 0; i--) p = p * sizes[axes[i]!] + idx[axes[i]!];
      return firstIfd + p;
    },
  };
}

function plainLayout(first: TiffPage, pageCount: number): StackLayout {
  // Resolution unit 3 = centimetre; inch (2, the default) in a microscopy file is almost always a 72 dpi placeholder.
  const scale = first.resolutionUnit === 3 ? 1e4 : undefined;
  const x = scale ? unitsPerPixel(scale, first.xResolution) : undefined;
  const y = scale ? unitsPerPixel(scale, first.yResolution) : undefined;
  const { voxelSize, assumed } = finishVoxelSize(x, y, undefined, pageCount);
  return {
    sourceFormat: 'tiff',
    slices: pageCount,
    channels: 1,
    frames: 1,
    voxelSize,
    voxelSizeAssumed: assumed,
    extra: {},
    pageOf: (z) => z,
  };
}

export function describeLayout(file: string, pages: TiffPage[]): StackLayout {
  const desc = pages[0]!.description ?? '';
  if (desc.startsWith('ImageJ=')) return imagejLayout(file, desc, pages[0]!, pages.length);
  if (/<(?:\w+:)?OME\b/.test(desc)) return omeLayout(file, desc, pages.length);
  return plainLayout(pages[0]!, pages.length);
}
