// Adapter from a queue job to the core Richardson–Lucy (src-main/core/deconv/rl.ts).
import type { RunContext } from '../../core/queue/types';
import type { Volume } from '../../core/io/volume';
import { richardsonLucy, type RlOptions } from '../../core/deconv/rl';

export type RlJobSettings = Pick<RlOptions, 'boundary' | 'background' | 'acceleration' | 'tv'>;

export async function runRichardsonLucy(
  vol: Volume,
  psf: Volume,
  iterations: number,
  ctx: RunContext,
  rl: RlJobSettings = {},
): Promise<Volume> {
  return richardsonLucy(vol, psf, {
    iterations,
    ...rl,
    signal: ctx.signal,
    onWarning: (msg) => ctx.log(`warning: ${msg}`),
    onPlan: (p) =>
      ctx.log(
        `boundary ${p.boundary} (domain ${p.domain.join('×')}), background ${+p.background.toPrecision(5)} (${p.backgroundSource}), acceleration ${p.acceleration}${rl.tv ? `, total variation λ ${rl.tv}` : ''}`,
      ),
    onProgress: (p) =>
      ctx.progress(
        p.iteration / p.total,
        `iteration ${p.iteration}/${p.total}${p.divergence !== undefined ? `, I-divergence ${p.divergence.toPrecision(4)}` : ''}`,
        p.iteration,
        p.total,
      ),
  });
}
