// The NGFF (OME-Zarr) image metadata we read: `multiscales` (0.1–0.5; 0.5 nests it under `ome`), its `axes`
// (names, types, units), the scale of the full-resolution dataset (its own coordinateTransformations times
// the multiscale's), and channel labels from `omero`. Spec: https://ngff.openmicroscopy.org/0.4/ (§multiscales).
import { ZarrFormatError } from '../../errors';
import { unitToMicrons } from '../metadata';

export const AXIS_ORDER = ['t', 'c', 'z', 'y', 'x'] as const;
export type AxisName = (typeof AXIS_ORDER)[number];

export interface NgffImage {
  version: string;
  /** Axis names of the full-resolution array, in its order (a subset of t, c, z, y, x, in that order). */
  axes: AxisName[];
  /** Path of the full-resolution dataset, relative to the image group. */
  path: string;
  /** Physical size of one voxel along each axis (same order as axes), 1 where none is given. */
  scale: number[];
  /** µm per unit of each spatial axis; undefined when the unit is absent or unknown. */
  umPerUnit: Partial<Record<'x' | 'y' | 'z', number>>;
  units: Partial<Record<'x' | 'y' | 'z', string>>;
  channelNames?: string[];
  levels: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The NGFF attributes of a group: v0.5 keeps them under `ome`, earlier versions at the top. */
export function ngffAttributes(attrs: unknown): Obj | undefined {
  if (!isObj(attrs)) return undefined;
  return isObj(attrs.ome) ? { version: attrs.ome.version, ...attrs.ome } : attrs;
}

function axesOf(file: string, m: Obj): { names: AxisName[]; units: (string | undefined)[] } {
  // 0.1/0.2 have no axes: the arrays are 5D tczyx.
  const raw = m.axes ?? ['t', 'c', 'z', 'y', 'x'];
  if (!Array.isArray(raw) || raw.length < 2 || raw.length > 5)
    throw new ZarrFormatError(file, 'multiscales[0].axes must list 2 to 5 axes');
  const names: string[] = [];
  const units: (string | undefined)[] = [];
  for (const a of raw) {
    const name = typeof a === 'string' ? a : isObj(a) && typeof a.name === 'string' ? a.name : undefined;
    if (name === undefined)
      throw new ZarrFormatError(
        file,
        `multiscales[0].axes has an entry without a name: ${JSON.stringify(a).slice(0, 80)}`,
      );
    names.push(name.toLowerCase());
    units.push(isObj(a) && typeof a.unit === 'string' ? a.unit : undefined);
  }
  const order = names.map((n) => AXIS_ORDER.indexOf(n as AxisName));
  if (
    order.some((i) => i < 0) ||
    order.some((i, k) => k > 0 && i <= order[k - 1]!) ||
    !names.includes('y') ||
    !names.includes('x')
  ) {
    throw new ZarrFormatError(
      file,
      `axes ${names.join(',')} are not supported: they must be y and x, optionally after z, c and t, in the order t, c, z, y, x`,
      'Rewrite the image with ome-zarr-py or bioformats2raw, which write tczyx subsets.',
    );
  }
  return { names: names as AxisName[], units };
}

/** The product of the `scale` transformations in a list (translations do not change voxel size). */
function scaleOf(file: string, where: string, list: unknown, n: number): number[] {
  const out: number[] = new Array<number>(n).fill(1);
  if (list === undefined) return out;
  if (!Array.isArray(list)) throw new ZarrFormatError(file, `${where}.coordinateTransformations is not a list`);
  for (const t of list) {
    if (!isObj(t) || t.type !== 'scale') continue;
    const s = t.scale;
    if (!Array.isArray(s) || s.length !== n || !s.every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0)) {
      throw new ZarrFormatError(
        file,
        `${where} has a scale ${JSON.stringify(s)?.slice(0, 80)} that is not ${n} positive numbers (one per axis)`,
      );
    }
    s.forEach((v, i) => {
      out[i]! *= v as number;
    });
  }
  return out;
}

function channelNames(attrs: Obj): string[] | undefined {
  const omero = attrs.omero;
  if (!isObj(omero) || !Array.isArray(omero.channels)) return undefined;
  return omero.channels.map((c, i) =>
    isObj(c) && typeof c.label === 'string' ? c.label.slice(0, 200) : `channel ${i}`,
  );
}

/** Parses the image metadata of an NGFF group; throws ZarrFormatError for anything missing or malformed. */
export function parseNgffImage(file: string, rawAttrs: unknown): NgffImage {
  const attrs = ngffAttributes(rawAttrs);
  const list = attrs?.multiscales;
  if (!Array.isArray(list) || list.length === 0 || !isObj(list[0])) {
    throw new ZarrFormatError(
      file,
      'is a Zarr folder without OME-NGFF "multiscales" metadata, so its axes and voxel size are unknown',
      'Open the image group (the folder whose .zattrs has "multiscales"), or convert the data with bioformats2raw.',
    );
  }
  const m = list[0];
  const version = String(m.version ?? attrs?.version ?? 'unknown');
  const { names, units } = axesOf(file, m);
  const datasets = m.datasets;
  if (
    !Array.isArray(datasets) ||
    datasets.length === 0 ||
    !isObj(datasets[0]) ||
    typeof datasets[0].path !== 'string' ||
    datasets[0].path === ''
  ) {
    throw new ZarrFormatError(file, 'multiscales[0].datasets names no full-resolution dataset (datasets[0].path)');
  }
  const d0 = datasets[0];
  const own = scaleOf(file, 'multiscales[0].datasets[0]', d0.coordinateTransformations, names.length);
  const all = scaleOf(file, 'multiscales[0]', m.coordinateTransformations, names.length);
  const umPerUnit: NgffImage['umPerUnit'] = {};
  const unitOf: NgffImage['units'] = {};
  names.forEach((n, i) => {
    if (n !== 'x' && n !== 'y' && n !== 'z') return;
    unitOf[n] = units[i];
    const um = unitToMicrons(units[i]);
    if (um !== undefined) umPerUnit[n] = um;
  });
  return {
    version,
    axes: names,
    path: d0.path as string,
    scale: own.map((v, i) => v * all[i]!),
    umPerUnit,
    units: unitOf,
    channelNames: attrs ? channelNames(attrs) : undefined,
    levels: datasets.length,
  };
}
