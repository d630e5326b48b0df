// A self-contained HTML page: inline CSS, figures embedded as PNG data URIs, no scripts, no links
// to fetch — it can be mailed, archived or opened offline.
import { pngDataUri, type Raster } from '../image/png';

export type Block =
  | { kind: 'text'; text: string }
  | { kind: 'figure'; raster: Raster; caption: string; alt: string }
  | { kind: 'table'; header: string[]; rows: (string | number)[][]; caption?: string }
  | { kind: 'legend'; items: { name: string; color: [number, number, number] }[] };

export interface Section {
  title: string;
  blocks: Block[];
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function formatNumber(v: number | string): string {
  if (typeof v === 'string') return v;
  // NaN means "could not be measured" (e.g. no half-maximum crossing for a FWHM fit): say so, don't print NaN.
  if (Number.isNaN(v)) return 'n/a';
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : Number(v.toPrecision(4)).toString();
}

function block(b: Block): string {
  switch (b.kind) {
    case 'text':
      return `<p>${escapeHtml(b.text)}</p>`;
    case 'figure':
      return `<figure><img src="${pngDataUri(b.raster)}" width="${b.raster.width}" height="${b.raster.height}" alt="${escapeHtml(b.alt)}"><figcaption>${escapeHtml(b.caption)}</figcaption></figure>`;
    case 'table': {
      const head = `<tr>${b.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
      const rows = b.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(formatNumber(c))}</td>`).join('')}</tr>`).join('');
      return `<table>${b.caption ? `<caption>${escapeHtml(b.caption)}</caption>` : ''}${head}${rows}</table>`;
    }
    case 'legend':
      return `<p class="legend">${b.items.map((i) => `<span><i style="background:rgb(${i.color.join(',')})"></i>${escapeHtml(i.name)}</span>`).join(' ')}</p>`;
  }
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{font-size:1.2em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
figure{margin:1em 0}img{max-width:100%;height:auto;image-rendering:pixelated;border:1px solid #eee}
figcaption{color:#555;font-size:.92em}table{border-collapse:collapse;margin:.8em 0}
td,th{border:1px solid #ddd;padding:.25em .6em;text-align:right}th{background:#f5f5f5}caption{text-align:left;color:#555}
.legend span{margin-right:1.2em}.legend i{display:inline-block;width:1.6em;height:.35em;vertical-align:middle;margin-right:.4em}`;

export function renderHtml(title: string, intro: string, sections: Section[]): string {
  const body = sections.map((s) => `<section><h2>${escapeHtml(s.title)}</h2>\n${s.blocks.map(block).join('\n')}</section>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="generator" content="CycleDecon"><style>${CSS}</style></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(intro)}</p>
${body}
</body></html>
`;
}
