// How commands read stacks: `--voxel-size` overrides the file's calibration, `--channel`/`--frame` select
// volumes, reader warnings reach the user, and a command that takes one volume refuses a multichannel or
// time-series file instead of quietly using channel 0, frame 0.
import type { CliContext, ParsedArgs } from './command';
import { str } from './args';
import { InvalidParameterError } from '../core/errors';
import { openVolume, readTiffInfo, type OpenOptions, type TiffInfo } from '../core/io/index';
import type { Volume } from '../core/io/volume';
import { parseVoxelSize } from '../core/io/calibration';
import { selectVolumes, type HyperstackSelection } from '../core/io/hyperstack';

/** Options every stack-reading command accepts. */
export const VOLUME_OPTIONS = {
  'voxel-size': { type: 'string' },
  channel: { type: 'string' },
  frame: { type: 'string' },
} as const;

export const VOLUME_USAGE = `  --voxel-size X,Y,Z[unit]  voxel size to use instead of the file's (unit nm, um or mm; default um), e.g. 0.1,0.1,0.25um
  --channel I[,J…]          channels to use, from 0 (default: all)
  --frame I[,J…]            time points to use, from 0 (default: all)`;

/** `--channel 0,2` → [0, 2]; undefined when the flag is absent. */
export function indexList(args: ParsedArgs, name: string): number[] | undefined {
  const raw = str(args, name);
  if (raw === undefined) return undefined;
  const parts = raw.split(',').map((s) => s.trim());
  const list = parts.map(Number);
  if (parts.some((p) => p === '') || list.some((v) => !Number.isInteger(v) || v < 0)) {
    throw new InvalidParameterError(`--${name}`, `"${raw}" must be whole numbers from 0, separated by commas`);
  }
  return list;
}

export function openOptions(args: ParsedArgs): OpenOptions {
  const raw = str(args, 'voxel-size');
  return raw === undefined ? {} : { voxelSize: parseVoxelSize(raw) };
}

export function printWarnings(ctx: CliContext, warnings: readonly string[] | undefined): void {
  for (const w of warnings ?? []) ctx.err(`warning: ${w}`);
}

/** The channels × frames a processing command works on (all unless --channel/--frame). */
export function selection(args: ParsedArgs, info: TiffInfo): HyperstackSelection {
  return selectVolumes(info, indexList(args, 'channel'), indexList(args, 'frame'));
}

/**
 * Before a command that reads files elsewhere (train's worker) starts: each must hold one channel at one
 * time point, or the work would silently use channel 0, frame 0.
 */
export async function requireSingleVolumeFiles(
  paths: string[],
  ctx: CliContext,
  options: OpenOptions = {},
): Promise<void> {
  for (const path of paths) {
    const info = await readTiffInfo(path, options);
    for (const [name, n] of [
      ['channel', info.channels],
      ['frame', info.frames],
    ] as const) {
      if (n > 1) {
        throw new InvalidParameterError(
          `--${name}`,
          `${path} has ${n} ${name}s and this command takes one`,
          `Extract it first: cycledecon convert ${path} one.tif --${name} N (from 0).`,
        );
      }
    }
    printWarnings(ctx, info.warnings);
  }
}

/** One volume for commands that take one (train, psf-fit): a file with several channels or frames needs --channel/--frame. */
export async function readOneVolume(path: string, args: ParsedArgs, ctx: CliContext): Promise<Volume> {
  const reader = await openVolume(path, openOptions(args));
  try {
    const { info } = reader;
    const sel = selection(args, info);
    const one = (name: 'channel' | 'frame', picked: number[], n: number) => {
      if (picked.length > 1)
        throw new InvalidParameterError(
          `--${name}`,
          `${path} has ${n} ${name}s and this command takes one: choose it with --${name} N (from 0)`,
        );
    };
    one('channel', sel.channels, info.channels);
    one('frame', sel.frames, info.frames);
    printWarnings(ctx, info.warnings);
    return await reader.readAll({ channel: sel.channels[0], frame: sel.frames[0] });
  } finally {
    await reader.close();
  }
}

/** A context whose `warning: …` lines on stderr are also kept, for a command's --json summary. */
export function collectWarnings(ctx: CliContext): { ctx: CliContext; warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    ctx: {
      ...ctx,
      err: (line: string) => {
        if (line.startsWith('warning: ')) warnings.push(line.slice('warning: '.length));
        ctx.err(line);
      },
    },
  };
}
