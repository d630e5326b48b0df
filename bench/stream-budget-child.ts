// The deconvolution that stream-budget.ts starts and kills: Richardson–Lucy out of core on the bench input
// (as stream-zarr.ts runs it), continuing `<output>.partial` when it is there. One JSON line per event on
// stdout, with seconds since start: {stage}, {box: complete, total}, {done}.
// Usage: node --import tsx bench/stream-budget-child.ts <in.zarr> <out.zarr> <iterations> <Z,Y,X chunk>
import { deconvolveStream } from '../src-main/core/infer/stream/deconvolve-stream';
import type { Shape3 } from '../src-main/core/io/volume';
import { benchRlMethod } from './stream-input';

const [input, output, iters, chunkText] = process.argv.slice(2);
const iterations = Number(iters);
const t0 = performance.now();
const say = (v: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ t: +((performance.now() - t0) / 1000).toFixed(2), ...v })}\n`);

say({ stage: 'start' });
const r = await deconvolveStream(input!, output!, benchRlMethod(iterations), {
  chunk: chunkText!.split(',').map(Number) as Shape3,
  dtype: 'float32',
  onStage: (stage) => say({ stage }),
  onBox: (complete, total) => say({ box: complete, total }),
});
say({ done: true, computed: r.computed, resumed: r.resumed });
