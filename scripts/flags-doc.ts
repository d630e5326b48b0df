// Writes the environment-variable table of docs/performance.md from the flags registry (src-main/core/flags.ts),
// between the BEGIN/END markers. `npx tsx scripts/flags-doc.ts` rewrites it; `--check` exits 1 when it is stale
// (test/unit/flags.test.ts fails the same way).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { flagsTable, withFlagsTable } from '../src-main/core/flags-doc';

const doc = fileURLToPath(new URL('../docs/performance.md', import.meta.url));
const text = readFileSync(doc, 'utf8');
const next = withFlagsTable(text, flagsTable());
if (process.argv.includes('--check')) {
  if (next !== text) {
    process.stderr.write(
      'docs/performance.md: the environment-variable table is stale; run `npx tsx scripts/flags-doc.ts`\n',
    );
    process.exit(1);
  }
} else if (next !== text) writeFileSync(doc, next);
