// Full TIFF reader fuzz: ≥10 000 seeded mutations of every fixture (test/fixtures/tiff, incl. ours/).
// Usage: npm run test:fuzz [-- --count N --seed S --max-bytes B]. Exit code 1 if any variant crashes,
// throws an untyped error, returns an inconsistent volume or takes more than 2 s.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fixturesDir } from '../test/helpers';
import { mutate, rng, seedFiles, tryVariant } from '../test/unit/io/tiff-mutator';

const { values } = parseArgs({ options: { count: { type: 'string' }, seed: { type: 'string' }, 'max-bytes': { type: 'string' } } });
const count = Number(values.count ?? 10000);
const seedValue = Number(values.seed ?? 20240601);
const maxBytes = Number(values['max-bytes'] ?? 64 * 1024 * 1024);

const seeds = seedFiles(join(fixturesDir, 'tiff'));
const r = rng(seedValue);
const dir = mkdtempSync(join(tmpdir(), 'cycledecon-fuzz-'));
const path = join(dir, 'variant.tif');
const counts: Record<string, number> = {};
const errorKinds: Record<string, number> = {};
const failures: string[] = [];
let slowest = 0;
const t0 = Date.now();
for (let i = 0; i < count; i++) {
  const seed = seeds[i % seeds.length];
  const { bytes, how } = mutate(seed.bytes, r);
  if (process.env.FUZZ_TRACE) process.stderr.write(`#${i} ${seed.name} [${how}]\n`);
  const o = await tryVariant(path, bytes, 2000, maxBytes);
  counts[o.kind] = (counts[o.kind] ?? 0) + 1;
  if (o.kind === 'typed-error') errorKinds[o.detail] = (errorKinds[o.detail] ?? 0) + 1;
  slowest = Math.max(slowest, o.ms);
  if (o.kind === 'FAILURE') failures.push(`#${i} ${seed.name} [${how}]: ${o.detail.split('\n').slice(0, 3).join(' | ')}`);
  if ((i + 1) % 2000 === 0) process.stderr.write(`${i + 1}/${count}\n`);
}
rmSync(dir, { recursive: true, force: true });
console.log(`TIFF fuzz: ${count} variants of ${seeds.length} fixtures, seed ${seedValue}, ${((Date.now() - t0) / 1000).toFixed(1)} s, slowest ${slowest.toFixed(0)} ms`);
console.log(`outcomes: ${JSON.stringify(counts)}`);
console.log(`typed errors: ${JSON.stringify(errorKinds)}`);
for (const f of failures.slice(0, 50)) console.log(`FAILURE ${f}`);
console.log(`${count - failures.length} passed, ${failures.length} failed`);
process.exitCode = failures.length ? 1 : 0;
