// Writes the data of bench/reference/psf_identifiability.py: bench:science's training stacks (blurred, their
// ground truth, the unmatched sharp stacks) for the 520 nm and 700 nm truths at 200 and 2000 photons, and
// Born–Wolf PSFs (the benchmark's optics) for λ 0.40–0.90 µm, as raw little-endian float32 "<name>_<z>x<y>x<x>.f32".
// Usage: npx tsx bench/psf-identifiability-data.ts [DIR]   (default: $TMPDIR/cycledecon-psf-identifiability)
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SYNTH } from '../src-main/core/synth/index';
import { generatePsf } from '../src-main/core/psf/generate';
import { benchData } from './science-data';

const dir = process.argv[2] ?? join(tmpdir(), 'cycledecon-psf-identifiability');
mkdirSync(dir, { recursive: true });
const write = (name: string, v: { data: Float32Array; shape: readonly number[] }) =>
  writeFileSync(
    join(dir, `${name}_${v.shape.join('x')}.f32`),
    Buffer.from(v.data.buffer, v.data.byteOffset, v.data.byteLength),
  );
for (const [tag, wavelength, photons] of [
  ['520', undefined, 200],
  ['700', 0.702, 200],
  ['520p2k', undefined, 2000],
  ['700p2k', 0.702, 2000],
] as const) {
  const d = benchData({ wavelength, photons });
  d.trainSets.forEach((s, i) => {
    write(`${tag}_A${i}`, s.blurred);
    write(`${tag}_G${i}`, s.groundTruth);
  });
  d.sharpSets.forEach((s, i) => write(`${tag}_B${i}`, s));
}
for (let l = 40; l <= 90; l += 2)
  write(`bw_${l}`, generatePsf({ ...DEFAULT_SYNTH.psf, wavelength: l / 100, size: [31, 31, 31] }));
console.log(dir);
