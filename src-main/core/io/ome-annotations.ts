// Reads back the provenance keys ome-write.ts stores in an OME-TIFF: the `<M K="key">value</M>` entries of
// the MapAnnotation in our namespace. Other software's annotations are left alone. Linear in the text: each
// search starts where the previous one ended (a hostile description must not cost quadratic time, see ome-xml.ts).

/** Namespace of the MapAnnotation holding cycledecon's provenance keys (written by ome-write.ts). */
export const PROVENANCE_NAMESPACE = 'cycledecon.org/provenance';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);/gi, (whole, e: string) => {
    if (e[0] !== '#') return ENTITIES[e.toLowerCase()] ?? whole;
    const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/** The K attribute of an `<M …>` start tag's text (between `<M` and `>`). */
function keyOf(tag: string): string | undefined {
  const m = /\sK\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(tag);
  return m ? unescapeXml(m[1] ?? m[2] ?? '') : undefined;
}

/** Our MapAnnotation's key/values, in order; {} when the description has none. */
export function readProvenance(xml: string): Record<string, string> {
  const out: Record<string, string> = {};
  const ns = xml.indexOf(`Namespace="${PROVENANCE_NAMESPACE}"`);
  if (ns < 0) return out;
  const end = xml.indexOf('</MapAnnotation>', ns);
  const stop = end < 0 ? xml.length : end;
  let at = ns;
  for (;;) {
    const open = xml.indexOf('<M', at);
    if (open < 0 || open >= stop) return out;
    const close = xml.indexOf('>', open);
    if (close < 0 || close >= stop) return out;
    at = close + 1;
    const next = xml.charCodeAt(open + 2);
    if (next !== 0x20 && next !== 0x09 && next !== 0x0a && next !== 0x0d) continue;
    const key = keyOf(xml.slice(open + 2, close));
    const textEnd = xml.indexOf('<', at);
    if (key === undefined || key === '__proto__' || textEnd < 0 || textEnd > stop) continue;
    out[key] = xml[close - 1] === '/' ? '' : unescapeXml(xml.slice(at, textEnd));
    at = textEnd;
  }
}
