// `cycledecon deconvolve`: apply a trained model (or Richardson–Lucy with its learned PSF) to stacks.
import { access } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Command, ParsedArgs } from '../command';
import { flag, num, oneOf, str } from '../args';
import { createProgress } from '../progress';
import { expandInputs, outputIsFolder, outputPathFor } from '../inputs';
import { InvalidParameterError, isCycleDeconError, MissingArgumentError } from '../../core/errors';
import { readTiffInfo } from '../../core/io/index';
import { makeOutputFolder, removeStaleTemps } from '../../core/io/atomic';
import { deconvolveFile, type DeconvolveFileResult } from '../../core/infer/deconvolve';
import { RL_OPTION_SPECS, rlOptionsFromArgs } from '../rl-options';
import { loadPredictor } from '../../core/infer/load';
import { readOutputCheckWarnings } from '../../core/train/output-check-file';
import { parseTile } from '../../core/infer/tiling';
import { noDomainNote } from '../../core/infer/domain-check';
import { indexList, openOptions, VOLUME_OPTIONS, VOLUME_USAGE } from '../volumes';
import { SHARD_OPTIONS, SHARD_USAGE, shardFromArgs, takeShard } from '../shard';
import { FORMAT_OPTION, FORMAT_USAGE, formatOption, ngffOption, noteBigTiff } from '../output-format';
import { resolveOutputFormat } from '../../core/io/output-format';
import { shouldStream, STREAM_OPTION_SPECS, STREAM_USAGE, streamOptionsFromArgs } from '../stream-options';
import { inputInfo, runStreamed } from '../stream-run';
import { streamMethod } from '../../core/infer/stream/from-predictor';
import type { StreamResult } from '../../core/infer/stream/deconvolve-stream';

const USAGE = `[options] <input...> <output>

Deconvolves one or more stacks (files, folders of .tif files, or quoted globs like "data/*.tif").
With one input <output> is a file; with several (or an existing folder) it is a folder and each
result is written there as <name>_decon.tif. Each file is written atomically; a failing file is
reported and the others continue.

  --model <run-dir>       trained run directory (config.json, weights, learned PSF)
  --method model|rl       the network (default), or Richardson–Lucy with --psf
  --psf learned|<file>    PSF for --method rl: the run's learned PSF (default) or a PSF TIFF
  --iters N               Richardson–Lucy iterations (default 20)
  --boundary, --background auto|0, --accel
                          Richardson–Lucy's boundary model, background and momentum, as for
                          \`cycledecon rl\` (tiles are min–max normalised, so the background is
                          auto or 0 here; use \`cycledecon rl\` for a value in input units)
  --tile auto|Z,Y,X       tile size (default auto: the whole stack when it fits in memory).
                          With the network, tiled results equal untiled ones: each instance-norm
                          layer gets whole-stack statistics, measured over tile cores in one extra
                          pass per layer (so tiling costs those passes, and tiles of at least
                          2·halo + 2^(levels−1) voxels per tiled axis).
  --overlap N             overlap between tiles in voxels (default: for the network two halos, its
                          reach from a tile edge, and never less; for rl three PSF radii)
  --backend B             cpu, wasm, webgpu, node, node-gpu (default: best available)
  --dtype float32|uint16  float32 (default): input intensity units, never clipped.
                          uint16: input units rounded and clamped to 0..65535; the number of
                          clamped voxels is reported and stored in the file's metadata.
${VOLUME_USAGE}
                          Every channel and time point is deconvolved (each normalised on its own) and
                          written as a hyperstack with the input's axes and calibration.
${FORMAT_USAGE}
                          (folder outputs are then named <name>_decon.ome.tif)
${STREAM_USAGE}
  --json                  print a JSON summary (per file: seconds, voxels/s, tiles, …) on stdout
  --force                 replace existing outputs
  --skip-existing         leave outputs that already exist alone and do the rest (finishes an interrupted
                          batch: every output is written atomically, so one that exists is complete)
${SHARD_USAGE}`;

/** The reader's doubts about a file, and one model or PSF applied to several channels. */
function fileWarnings(r: DeconvolveFileResult, method: string): string[] {
  const out = [...r.warnings];
  if (r.channels > 1) {
    out.push(
      `${r.input}: the same ${method === 'model' ? 'model' : 'PSF'} was applied to all ${r.channels} channels; ` +
        (method === 'model'
          ? 'a model trained on one channel may not suit the others'
          : 'each emission wavelength has its own PSF (`cycledecon rl` takes one per channel)'),
    );
  }
  return out;
}

export const deconvolveCommand: Command = {
  name: 'deconvolve',
  summary: 'deconvolve stacks with a trained model or Richardson–Lucy (tiled, streaming, batch)',
  usage: USAGE,
  options: {
    model: { type: 'string' },
    method: { type: 'string' },
    psf: { type: 'string' },
    iters: { type: 'string' },
    ...RL_OPTION_SPECS,
    tile: { type: 'string' },
    overlap: { type: 'string' },
    backend: { type: 'string' },
    dtype: { type: 'string' },
    json: { type: 'boolean' },
    force: { type: 'boolean' },
    'skip-existing': { type: 'boolean' },
    ...VOLUME_OPTIONS,
    ...SHARD_OPTIONS,
    ...FORMAT_OPTION,
    ...STREAM_OPTION_SPECS,
  },
  async run(args, ctx) {
    if (args.positionals.length < 2)
      throw new MissingArgumentError(
        'arguments',
        'need at least one input and an output',
        `Usage: cycledecon deconvolve ${USAGE.split('\n')[0]}`,
      );
    const method = oneOf(args, 'method', ['model', 'rl'] as const, 'model');
    const dtype = oneOf(args, 'dtype', ['float32', 'uint16'] as const, 'float32');
    const tile = parseTile(str(args, 'tile') ?? 'auto');
    const overlap = num(args, 'overlap', { min: 0, max: 512, integer: true });
    const iters = num(args, 'iters', { min: 1, max: 10_000, integer: true, def: 20 })!;
    const json = flag(args, 'json');
    const force = flag(args, 'force');
    const skipExisting = flag(args, 'skip-existing');
    const select = { channels: indexList(args, 'channel'), frames: indexList(args, 'frame') };
    const open = openOptions(args);
    if (force && skipExisting) throw new InvalidParameterError('--skip-existing', 'cannot be combined with --force');
    const format = formatOption(args);
    const stream = streamOptionsFromArgs(args);
    const out = args.positionals.at(-1)!;
    const shard = shardFromArgs(args);
    const batch = await expandInputs(args.positionals.slice(0, -1));
    // Folder or file is decided on the whole batch, so every shard of it agrees.
    const toFolder = await outputIsFolder(out, batch.length);
    const ngff = ngffOption(args, toFolder ? (format ?? 'imagej') : resolveOutputFormat(out, format));
    const inputs = takeShard(batch, shard);
    if (shard) ctx.err(`${shard.source}: ${inputs.length} of ${batch.length} file(s)`);
    if (toFolder) await makeOutputFolder(out);
    // Not with a shard: the other shards' live temp files may belong to pids of other hosts, which look dead
    // from here. Each output's own stale temps are still swept before it is written.
    if (!shard)
      for (const name of await removeStaleTemps(toFolder ? out : dirname(out)))
        ctx.err(`removed ${name}, left by an interrupted run`);

    const rl = method === 'rl' ? rlTileOptions(args) : undefined;
    const predictor = await loadPredictor({
      method,
      runDir: str(args, 'model'),
      psf: str(args, 'psf') ?? 'learned',
      iterations: iters,
      rl,
      backend: str(args, 'backend'),
    });
    const log = json ? ctx.err : ctx.out;
    log(
      `method ${predictor.method} on ${predictor.backend}${predictor.details.model ? ` (model ${predictor.details.model})` : ''}`,
    );
    // A model flagged by its output check after training: deconvolve anyway (the user asked), but say so.
    const warnings: string[] =
      method === 'model' && str(args, 'model') ? await readOutputCheckWarnings(str(args, 'model')!) : [];
    // A PSF file read with its planes reinterpreted (stored as channels) says so once, here.
    const psfFile = method === 'rl' ? str(args, 'psf') : undefined;
    if (psfFile && psfFile !== 'learned')
      warnings.push(...(await readTiffInfo(psfFile, { channelsAsZ: true })).warnings);
    for (const w of warnings) ctx.err(`warning: ${w}`);
    // A run from before domain.json: its domain cannot be checked; say so once, as a note, not a warning.
    const notes = predictor.domain === null ? [noDomainNote(str(args, 'model')!)] : [];
    for (const n of notes) ctx.err(`note: ${n}`);
    const started = performance.now();
    const done: DeconvolveFileResult[] = [];
    const failed: { input: string; output: string; error: string; code?: string }[] = [];
    const skipped: { input: string; output: string }[] = [];
    const streamed: StreamResult[] = [];
    try {
      for (const [i, input] of inputs.entries()) {
        const output = toFolder
          ? outputPathFor(
              input,
              out,
              format === 'ome-tiff' ? 'decon.ome' : 'decon',
              format === 'ome-zarr' ? '.zarr' : '.tif',
            )
          : out;
        if (
          skipExisting &&
          (await access(output).then(
            () => true,
            () => false,
          ))
        ) {
          skipped.push({ input, output });
          log(`${input} → ${output}  exists, skipped`);
          continue;
        }
        const bar = createProgress(`[${i + 1}/${inputs.length}] ${basename(input)}`, ctx.interactive);
        try {
          if (await shouldStream(stream, input, resolveOutputFormat(output, format), () => inputInfo(input, open))) {
            // RL's halo in PSF radii: the predictor's overlap is three of them.
            const halo = Math.ceil((stream.haloPsf * predictor.overlap) / 3);
            const method = streamMethod(predictor, {
              halo: [halo, halo, halo],
              statsTile: tile === 'auto' ? undefined : tile,
            });
            streamed.push(
              await runStreamed(
                ctx,
                input,
                output,
                method,
                { chunk: stream.chunk, dtype, ngff, force, signal: ctx.signal, select, open },
                bar,
                log,
              ),
            );
            continue;
          }
          const r = await deconvolveFile(input, output, predictor, {
            tile,
            overlap,
            dtype,
            force,
            signal: ctx.signal,
            select,
            open,
            format,
            ngff,
            onProgress: (d, t) => bar.update(d, t, 'tiles'),
            onShrink: (t) => ctx.err(`out of memory: continuing with ${t.join('×')} tiles`),
          });
          bar.finish(`${(r.voxelsPerSecond / 1e6).toFixed(2)} Mvoxel/s`);
          done.push(r);
          noteBigTiff(ctx, output, r.shape, dtype, r.channels * r.frames, format);
          for (const w of fileWarnings(r, predictor.method)) {
            warnings.push(w);
            ctx.err(`warning: ${w}`);
          }
          log(
            `${input} → ${output}  ${r.shape.join('×')}${r.channels * r.frames > 1 ? ` × ${r.channels} channel(s) × ${r.frames} frame(s)` : ''}  ${r.seconds.toFixed(1)} s  ${Math.round(r.voxelsPerSecond)} voxels/s  tiles ${r.tiles}×[${r.tile.join(',')}]${r.clippedVoxels ? `  ${r.clippedVoxels} voxels clamped to uint16` : ''}`,
          );
        } catch (e) {
          bar.finish('failed');
          if (isCycleDeconError(e) && e.code === 'CANCELLED') throw e;
          const msg = e instanceof Error ? e.message : String(e);
          failed.push({ input, output, error: msg, code: isCycleDeconError(e) ? e.code : undefined });
          ctx.err(`failed: ${input}: ${msg}${isCycleDeconError(e) && e.hint ? `\n  ${e.hint}` : ''}`);
        }
      }
    } finally {
      predictor.dispose();
    }
    const seconds = (performance.now() - started) / 1000;
    const voxels = done.reduce((s, r) => s + r.voxels, 0);
    if (json) {
      ctx.out(
        JSON.stringify(
          {
            method: predictor.method,
            backend: predictor.backend,
            details: predictor.details,
            warnings,
            notes,
            files: done,
            ...(streamed.length ? { streamed } : {}),
            skipped,
            failed,
            voxels,
            seconds,
            voxelsPerSecond: voxels / seconds,
          },
          null,
          2,
        ),
      );
    } else {
      log(
        `${done.length + streamed.length} of ${inputs.length} file(s) done in ${seconds.toFixed(1)} s (${Math.round(voxels / seconds)} voxels/s)${skipped.length ? `, ${skipped.length} skipped (already there)` : ''}${failed.length ? `, ${failed.length} failed` : ''}`,
      );
    }
    return failed.length ? 1 : 0;
  },
};

/** RL options for tiles: a background in input units has no meaning after the tiles' min–max map. */
function rlTileOptions(args: ParsedArgs): ReturnType<typeof rlOptionsFromArgs> {
  const o = rlOptionsFromArgs(args);
  if (typeof o.background === 'number' && o.background > 0)
    throw new InvalidParameterError(
      '--background',
      `${o.background}: deconvolve normalises tiles, so only auto or 0 apply`,
      'Use `cycledecon rl` for a background in input units.',
    );
  return o;
}
