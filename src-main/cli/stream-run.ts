// Running one input out of core for `deconvolve` and `rl`: progress per box, stages on stderr, a summary line.
import type { CliContext } from './command';
import type { createProgress } from './progress';
import { openVolume, type OpenOptions } from '../core/io/index';
import type { TiffInfo } from '../core/io/reader';
import {
  deconvolveStream,
  type StreamMethod,
  type StreamOptions,
  type StreamResult,
} from '../core/infer/stream/deconvolve-stream';

export async function inputInfo(input: string, open: OpenOptions): Promise<TiffInfo> {
  const r = await openVolume(input, open);
  await r.close();
  return r.info;
}

export async function runStreamed(
  ctx: CliContext,
  input: string,
  output: string,
  method: StreamMethod,
  o: Omit<StreamOptions, 'onBox' | 'onStage'>,
  bar: ReturnType<typeof createProgress>,
  log: (line: string) => void,
): Promise<StreamResult> {
  const r = await deconvolveStream(input, output, method, {
    ...o,
    onBox: (d, t) => bar.update(d, t, 'boxes'),
    onStage: (s) => ctx.err(`${input}: ${s}`),
  });
  bar.finish(`${(r.voxelsPerSecond / 1e6).toFixed(2)} Mvoxel/s`);
  for (const w of r.warnings) ctx.err(`warning: ${w}`);
  const resumed = r.resumed ? `, ${r.resumed} of ${r.boxes} boxes kept from an interrupted run` : '';
  log(
    `${input} → ${output}  out of core: ${r.shape.join('×')}${r.channels * r.frames > 1 ? ` × ${r.channels * r.frames} volumes` : ''} in ${r.boxes} boxes of ${r.chunk.join('×')}${resumed}  ${r.seconds.toFixed(1)} s  ${(r.voxelsPerSecond / 1e6).toFixed(2)} Mvoxel/s`,
  );
  return r;
}
