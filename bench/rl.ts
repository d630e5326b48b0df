// RL benchmark on `synth` data with the true PSF: time (ours) and SSIM gain over the blurred input.
// Writes the volume and PSF as raw float32 to $TMPDIR/cycledecon-bench-rl for bench/rl_skimage.py.
// Run: npx tsx bench/rl.ts && /usr/bin/python3 bench/rl_skimage.py
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { DEFAULT_SYNTH, synthesize } from '../src-main/core/synth/index';
import { richardsonLucyArray } from '../src-main/core/deconv/rl';
import { computeMetrics } from '../src-main/core/metrics/index';
import { makeVolume } from '../src-main/core/io/volume';

const ITERS = 20;
const r = synthesize({ ...DEFAULT_SYNTH, seed: 7 });
const shape = r.blurred.shape;
const dir = join(tmpdir(), 'cycledecon-bench-rl');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'image.f32'), Buffer.from(r.blurred.data.buffer));
writeFileSync(join(dir, 'psf.f32'), Buffer.from(r.psf.data.buffer));
writeFileSync(join(dir, 'meta.json'), JSON.stringify({ shape, psfShape: r.psf.shape, iterations: ITERS }));

const t0 = performance.now();
const out = await richardsonLucyArray(r.blurred.data, shape, r.psf.data, r.psf.shape, { iterations: ITERS, init: 0.5 });
const ms = performance.now() - t0;
const before = computeMetrics(r.groundTruth, r.blurred), after = computeMetrics(r.groundTruth, makeVolume(out, shape));
console.log(`volume ${shape.join('×')}, PSF ${r.psf.shape.join('×')}, ${ITERS} iterations (reflect pad, linear conv)`);
console.log(`ours: ${(ms / 1000).toFixed(2)} s`);
console.log(`SSIM3D blurred ${before.ssim3d?.toFixed(4)} → RL ${after.ssim3d?.toFixed(4)}; SSIM2D ${before.ssim2d.toFixed(4)} → ${after.ssim2d.toFixed(4)}; PSNR ${before.psnr.toFixed(2)} → ${after.psnr.toFixed(2)} dB`);
writeFileSync(join(dir, 'ours.f32'), Buffer.from(out.buffer));
