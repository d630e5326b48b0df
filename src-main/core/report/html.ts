// A self-contained HTML page: inline CSS, figures embedded as PNG data URIs and inline SVG, no scripts, no
// links to fetch — it can be mailed, archived or opened offline. Click to enlarge is a CSS checkbox toggle.
import { pngDataUri, type Raster } from '../image/png';

export type Block =
  | { kind: 'text'; text: string }
  | { kind: 'figure'; raster: Raster; caption: string; alt: string }
  | { kind: 'table'; header: string[]; rows: (string | number)[][]; caption?: string }
  | { kind: 'svg'; svg: string; caption: string }
  | { kind: 'panels'; panels: Panel[]; caption: string };

/** One titled image in a row of panels (e.g. the orthoviews of one volume). */
export interface Panel {
  title: string;
  raster: Raster;
  alt: string;
}

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
      const rows = b.rows
        .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(formatNumber(c))}</td>`).join('')}</tr>`)
        .join('');
      return `<table>${b.caption ? `<caption>${escapeHtml(b.caption)}</caption>` : ''}${head}${rows}</table>`;
    }
    case 'svg':
      return `<figure class="plot">${b.svg}<figcaption>${escapeHtml(b.caption)}</figcaption></figure>`;
    case 'panels':
      return `<figure><div class="panels">${b.panels.map(panel).join('')}</div><figcaption>${escapeHtml(b.caption)}</figcaption></figure>`;
  }
}

/** A titled image; clicking it toggles a hidden checkbox whose :checked state shows the image full-window. */
function panel(p: Panel): string {
  const img = `<img src="${pngDataUri(p.raster)}" width="${p.raster.width}" height="${p.raster.height}" alt="${escapeHtml(p.alt)}">`;
  return `<div class="panel"><h3>${escapeHtml(p.title)}</h3><label title="click to enlarge"><input type="checkbox" class="zoom">${img}</label></div>`;
}

// Panels at least 320 px wide, scaled nearest-neighbour (voxels stay square, no invented smoothness).
const CSS = `body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:1400px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{font-size:1.25em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
.verdict{font-size:1.05em;background:#f4f7fb;border-left:4px solid #3b6ea8;padding:.7em 1em}
figure{margin:1em 0}img{max-width:100%;height:auto;image-rendering:pixelated;border:1px solid #eee}
.panels{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:1em}
.panel h3{font-size:1em;margin:0 0 .3em}.panel img{width:100%;min-width:320px;cursor:zoom-in}
.panel input{display:none}.panel input:checked+img{position:fixed;inset:0;width:100vw;height:100vh;min-width:0;max-width:none;
object-fit:contain;background:rgba(0,0,0,.88);z-index:10;cursor:zoom-out;border:0}
.plot svg{width:100%;max-width:960px;height:auto}
figcaption{color:#555;font-size:.92em}table{border-collapse:collapse;margin:.8em 0}
td,th{border:1px solid #ddd;padding:.25em .6em;text-align:right}th{background:#f5f5f5}caption{text-align:left;color:#555}`;

export function renderHtml(title: string, intro: string, sections: Section[], verdict = ''): string {
  const body = sections
    .map((s) => `<section><h2>${escapeHtml(s.title)}</h2>\n${s.blocks.map(block).join('\n')}</section>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="generator" content="CycleDecon"><style>${CSS}</style></head>
<body><h1>${escapeHtml(title)}</h1>${verdict ? `<p class="verdict"><strong>Verdict.</strong> ${escapeHtml(verdict)}</p>` : ''}<p>${escapeHtml(intro)}</p>
${body}
</body></html>
`;
}
