// Full TIFF reader fuzz: the hostile shapes of tiff-builder.ts at full size (shared descriptions, tag arrays
// and strips, a tile bomb, a long OME-XML description), then ≥10 000 seeded mutations of every fixture
// (test/fixtures/tiff, incl. ours/) and of small hostile files.
// Usage: npm run test:fuzz [-- --count N --seed S --max-bytes B --max-rss-mb M]. Exit code 1 if any file
// crashes, throws an untyped error, returns an inconsistent volume or takes more than 2 s, or if the
// process's peak RSS exceeds M MB (default 1024).
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fixturesDir } from '../test/helpers';
import { mutate, rng, seedFiles, tryVariant } from '../test/unit/io/tiff-mutator';
import {
  hostileSeeds,
  longOmeXml,
  sharedDescription,
  sharedStrips,
  sharedStripsInPage,
  sharedTagArrays,
  tileBomb,
} from '../test/unit/io/tiff-builder';

const { values } = parseArgs({
  options: {
    count: { type: 'string' },
    seed: { type: 'string' },
    'max-bytes': { type: 'string' },
    'max-rss-mb': { type: 'string' },
  },
});
const count = Number(values.count ?? 10000);
const seedValue = Number(values.seed ?? 20240601);
const maxBytes = Number(values['max-bytes'] ?? 64 * 1024 * 1024);
const maxRssMb = Number(values['max-rss-mb'] ?? 1024);
const MIB = 1024 * 1024;

/** The review's hostile files at their reported sizes (each once); built one at a time to keep RSS honest. */
const fullSize: [string, () => Uint8Array][] = [
  ['256 IFDs sharing a 16 MiB description', () => sharedDescription(256, 16 * MIB)],
  ['20 IFDs x 10 tags sharing a 4 MiB LONG array', () => sharedTagArrays(20, 10, MIB)],
  ['the same with a different count per tag', () => sharedTagArrays(20, 10, MIB, true)],
  ['1024 pages of 1 MiB sharing one Deflate strip', () => sharedStrips(1024, 1024, 1024)],
  ['a 16 MiB page of 256 strips sharing one blob', () => sharedStripsInPage(4096, 4096, 256)],
  ['2 tiles of 256 B whose 4 KB streams inflate to 4 MiB', () => tileBomb(2, 4 * MIB)],
  ['2 tiles of 256 B whose 254 KB streams inflate to 256 MiB', () => tileBomb(2, 256 * MIB)],
  ['a 707 KB hostile OME-XML description', () => longOmeXml(707 * 1024)],
];

const seeds = [...seedFiles(join(fixturesDir, 'tiff')), ...hostileSeeds()];
const r = rng(seedValue);
const dir = mkdtempSync(join(tmpdir(), 'cycledecon-fuzz-'));
const path = join(dir, 'variant.tif');
const counts: Record<string, number> = {};
const errorKinds: Record<string, number> = {};
const failures: string[] = [];
let slowest = 0;
const t0 = Date.now();
for (const [name, build] of fullSize) {
  const o = await tryVariant(path, build(), 2000, maxBytes);
  counts[o.kind] = (counts[o.kind] ?? 0) + 1;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    `hostile: ${name}: ${o.kind} ${o.detail.split('\n')[0]} in ${o.ms.toFixed(0)} ms (peak RSS so far ${rssMb.toFixed(0)} MB)`,
  );
  if (o.kind === 'FAILURE') failures.push(`hostile ${name}: ${o.detail.split('\n').slice(0, 3).join(' | ')}`);
}
for (let i = 0; i < count; i++) {
  const seed = seeds[i % seeds.length]!;
  const { bytes, how } = mutate(seed.bytes, r);
  if (process.env.FUZZ_TRACE) process.stderr.write(`#${i} ${seed.name} [${how}]\n`);
  const o = await tryVariant(path, bytes, 2000, maxBytes);
  counts[o.kind] = (counts[o.kind] ?? 0) + 1;
  if (o.kind === 'typed-error') errorKinds[o.detail] = (errorKinds[o.detail] ?? 0) + 1;
  slowest = Math.max(slowest, o.ms);
  if (o.kind === 'FAILURE')
    failures.push(`#${i} ${seed.name} [${how}]: ${o.detail.split('\n').slice(0, 3).join(' | ')}`);
  if ((i + 1) % 2000 === 0) process.stderr.write(`${i + 1}/${count}\n`);
}
rmSync(dir, { recursive: true, force: true });
console.log(
  `TIFF fuzz: ${count} variants of ${seeds.length} fixtures, seed ${seedValue}, ${((Date.now() - t0) / 1000).toFixed(1)} s, slowest ${slowest.toFixed(0)} ms`,
);
console.log(`outcomes: ${JSON.stringify(counts)}`);
console.log(`typed errors: ${JSON.stringify(errorKinds)}`);
for (const f of failures.slice(0, 50)) console.log(`FAILURE ${f}`);
const peakMb = process.resourceUsage().maxRSS / 1024;
console.log(`peak RSS: ${peakMb.toFixed(0)} MB (limit ${maxRssMb} MB)`);
if (peakMb > maxRssMb) failures.push(`peak RSS ${peakMb.toFixed(0)} MB above ${maxRssMb} MB`);
console.log(`${count + fullSize.length - failures.length} passed, ${failures.length} failed`);
process.exitCode = failures.length ? 1 : 0;
