// The OME-XML description of the OME-TIFF flavour we write. The pixel pages are the ImageJ flavour's, in
// ImageJ's hyperstack order (channel fastest, then slice, then frame), which OME calls XYCZT; one TiffData
// element maps all planes from IFD 0 (OME-TIFF specification, "TiffData"). Our provenance keys, which the
// ImageJ flavour keeps as `key=value` lines, go into one MapAnnotation in our namespace.
// Schema: http://www.openmicroscopy.org/Schemas/OME/2016-06 (element order in Image and Pixels follows it).
import type { VoxelSize } from './volume';
import type { WriteDtype } from './imagej-layout';
import { unitToMicrons } from './metadata';
import { PROVENANCE_NAMESPACE } from './ome-annotations';

export const OME_NAMESPACE = 'http://www.openmicroscopy.org/Schemas/OME/2016-06';
/** The page order of our files, in OME's words. */
export const DIMENSION_ORDER = 'XYCZT';

export interface OmeDescriptionInput {
  nx: number;
  ny: number;
  nz: number;
  channels?: number;
  frames?: number;
  dtype: WriteDtype;
  voxelSize: VoxelSize;
  /** Image name (the output file's base name). */
  name?: string;
  intensityScale?: string;
  extra?: Record<string, string>;
}

/** Characters XML 1.0 allows (§2.2); anything else (control characters, lone surrogates) is dropped. */
const NOT_XML_CHAR = /[^\t\n\r\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

/** Text safe inside a double-quoted attribute or element content. */
export function xmlEscape(text: string): string {
  return text
    .replace(NOT_XML_CHAR, '')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function attributes(attrs: Record<string, string | number | undefined>): string {
  return Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join('');
}

/** PhysicalSizeX/Y/Z in µm, or nothing for an uncalibrated volume (unit px or one we cannot convert). */
function physicalSizes(v: VoxelSize): Record<string, string | undefined> {
  const scale = unitToMicrons(v.unit);
  if (scale === undefined) return {};
  const um = (n: number) => (Number.isFinite(n) && n > 0 ? String(n * scale) : undefined);
  const z = um(v.z);
  return {
    PhysicalSizeX: um(v.x),
    PhysicalSizeXUnit: um(v.x) && 'µm',
    PhysicalSizeY: um(v.y),
    PhysicalSizeYUnit: um(v.y) && 'µm',
    PhysicalSizeZ: z,
    PhysicalSizeZUnit: z && 'µm',
  };
}

/** Seconds between frames, from the ImageJ `finterval` key a hyperstack input carried (in its time unit). */
function timeIncrement(extra: Record<string, string>): Record<string, string | undefined> {
  const dt = Number(extra.finterval);
  if (!(Number.isFinite(dt) && dt > 0)) return {};
  const unit = (extra.tunit ?? 's').trim();
  return ['s', 'sec', 'second', 'seconds'].includes(unit) ? { TimeIncrement: String(dt), TimeIncrementUnit: 's' } : {};
}

function provenance(d: OmeDescriptionInput): { ref: string; annotations: string } {
  const entries = Object.entries({
    ...(d.extra ?? {}),
    ...(d.intensityScale ? { intensityScale: d.intensityScale } : {}),
  });
  if (entries.length === 0) return { ref: '', annotations: '' };
  const m = entries.map(([k, v]) => `<M${attributes({ K: k })}>${xmlEscape(v)}</M>`).join('');
  return {
    ref: '<AnnotationRef ID="Annotation:0"/>',
    annotations: `<StructuredAnnotations><MapAnnotation ID="Annotation:0"${attributes({ Namespace: PROVENANCE_NAMESPACE })}><Value>${m}</Value></MapAnnotation></StructuredAnnotations>`,
  };
}

/** The complete OME-XML document for one image of nz × channels × frames planes stored from IFD 0. */
export function omeDescription(d: OmeDescriptionInput): string {
  const nc = d.channels ?? 1,
    nt = d.frames ?? 1;
  const planes = d.nz * nc * nt;
  const pixels = attributes({
    ID: 'Pixels:0',
    DimensionOrder: DIMENSION_ORDER,
    Type: d.dtype === 'float32' ? 'float' : 'uint16',
    SignificantBits: d.dtype === 'float32' ? 32 : 16,
    Interleaved: 'false',
    BigEndian: 'false',
    SizeX: d.nx,
    SizeY: d.ny,
    SizeZ: d.nz,
    SizeC: nc,
    SizeT: nt,
    ...physicalSizes(d.voxelSize),
    ...timeIncrement(d.extra ?? {}),
  });
  const channels = Array.from({ length: nc }, (_, c) => `<Channel ID="Channel:0:${c}" SamplesPerPixel="1"/>`).join('');
  const { ref, annotations } = provenance(d);
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<OME xmlns="${OME_NAMESPACE}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${OME_NAMESPACE} ${OME_NAMESPACE}/ome.xsd" Creator="cycledecon">` +
    `<Image${attributes({ ID: 'Image:0', Name: d.name })}><Pixels${pixels}>${channels}` +
    `<TiffData IFD="0" PlaneCount="${planes}"/></Pixels>${ref}</Image>${annotations}</OME>`
  );
}
