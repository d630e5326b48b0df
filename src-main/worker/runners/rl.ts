// Adapter from a queue job to the core Richardson–Lucy (src-main/core/deconv/rl.ts).
import type { RunContext } from '../../core/queue/types';
import type { Volume } from '../../core/io/volume';
import { richardsonLucy } from '../../core/deconv/rl';

export async function runRichardsonLucy(vol: Volume, psf: Volume, iterations: number, ctx: RunContext): Promise<Volume> {
  return richardsonLucy(vol, psf, {
    iterations,
    signal: ctx.signal,
    onWarning: (msg) => ctx.log(`warning: ${msg}`),
    onProgress: (p) => ctx.progress(p.iteration / p.total, `iteration ${p.iteration}/${p.total}`, p.iteration, p.total),
  });
}
