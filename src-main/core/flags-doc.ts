// The environment-variable table of docs/performance.md, made from the flags registry (scripts/flags-doc.ts
// writes it; a test fails when the committed doc differs).
import { FLAG_DEFS, type FlagName } from './flags';

export const FLAGS_BEGIN = '<!-- BEGIN flags table: generated from src-main/core/flags.ts by scripts/flags-doc.ts -->';
export const FLAGS_END = '<!-- END flags table -->';

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** The Markdown table: one row per flag, in registry order. */
export function flagsTable(): string {
  const rows = (Object.keys(FLAG_DEFS) as FlagName[]).map((n) => {
    const d = FLAG_DEFS[n];
    return `| \`${d.env}\` | ${cell(d.allowed)} | ${d.default ? `\`${d.default}\`` : '(unset)'} | ${cell(d.doc)} |`;
  });
  return ['| Variable | Values | Default | What it does |', '|---|---|---|---|', ...rows].join('\n');
}

/** `doc` with the text between the markers replaced by `table`; throws when the markers are missing. */
export function withFlagsTable(doc: string, table: string): string {
  const a = doc.indexOf(FLAGS_BEGIN),
    b = doc.indexOf(FLAGS_END);
  if (a < 0 || b < a) throw new Error(`docs/performance.md lacks the markers ${FLAGS_BEGIN} … ${FLAGS_END}`);
  return `${doc.slice(0, a + FLAGS_BEGIN.length)}\n${table}\n${doc.slice(b)}`;
}
