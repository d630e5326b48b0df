// Fast seeded subset of the TIFF fuzz (the full ≥10 000-variant run is `npm run test:fuzz`): every mutated
// or truncated fixture ends in a typed CycleDeconError or a consistent read, within 2 s each.
import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { fixturesDir, tempDir } from '../../helpers';
import { mutate, rng, seedFiles, tryVariant } from './tiff-mutator';
import { hostileSeeds } from './tiff-builder';

describe('TIFF reader fuzz (seeded subset)', () => {
  it('survives 300 mutated and truncated variants', async () => {
    const seeds = seedFiles(join(fixturesDir, 'tiff'));
    const r = rng(12345);
    const path = join(tempDir(), 'variant.tif');
    const counts: Record<string, number> = {};
    const failures: string[] = [];
    for (let i = 0; i < 300; i++) {
      const seed = seeds[i % seeds.length]!;
      const { bytes, how } = mutate(seed.bytes, r);
      const o = await tryVariant(path, bytes);
      counts[o.kind] = (counts[o.kind] ?? 0) + 1;
      if (o.kind === 'FAILURE') failures.push(`#${i} ${seed.name} ${how}: ${o.detail}`);
    }
    expect(failures).toEqual([]);
    // The mutations must actually exercise both outcomes.
    expect(counts['typed-error']).toBeGreaterThan(50);
    expect(counts.read).toBeGreaterThan(20);
  });

  it('survives 120 mutations of the hostile shared-payload files', async () => {
    const seeds = hostileSeeds();
    const r = rng(54321);
    const path = join(tempDir(), 'hostile.tif');
    const failures: string[] = [];
    let typed = 0;
    for (let i = 0; i < 120; i++) {
      const seed = seeds[i % seeds.length]!;
      const { bytes, how } = mutate(seed.bytes, r);
      const o = await tryVariant(path, bytes);
      if (o.kind === 'typed-error') typed++;
      if (o.kind === 'FAILURE') failures.push(`#${i} ${seed.name} ${how}: ${o.detail}`);
    }
    expect(failures).toEqual([]);
    expect(typed).toBeGreaterThan(60);
  });
});
