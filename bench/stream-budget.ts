// A time-boxed out-of-core benchmark for stacks too large to finish here (200×4096×4096 uint16 = 6.7 GB):
// writes the synthetic input (or reuses it), starts Richardson–Lucy streaming in a child process, SIGKILLs
// it after --max-seconds (the path a real kill takes: the partial output and its progress record stay),
// starts it again for --resume-seconds and kills it again, then checks the resume: every box complete
// after the first run is still complete and its chunk file untouched (same inode and mtime: not
// recomputed), the second run added boxes, and one box of each run equals a fresh computation of that
// box from the input (the stack statistics taken from the progress record, as a resumed run takes them).
// Reports voxels done, Mvoxel/s, the child's peak RSS (VmHWM from /proc, read just before the kill),
// the statistics pass's time, the projected total and the input's write time; one JSON line.
// Usage: npx tsx bench/stream-zarr.ts Z,Y,X rl [iterations=10] [chunk=64,256,256] --max-seconds N
//          [--resume-seconds M=180] [--dir D (default a temp folder)] [--keep]
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import type { Shape3 } from '../src-main/core/io/volume';
import { openZarrVolume } from '../src-main/core/io/zarr/read';
import { planBoxes, type OutputBox } from '../src-main/core/io/zarr/partial';
import { readProgress } from '../src-main/core/io/zarr/progress';
import { readChunkFile } from '../src-main/core/io/zarr/chunk-codec';
import { haloBoxes } from '../src-main/core/infer/stream/predict-box';
import type { StackStats } from '../src-main/core/infer/stream/background';
import { benchRlMethod, writeBenchInput } from './stream-input';

interface Slice {
  killedAt: number;
  statsSeconds?: number;
  boxesStart?: number;
  lastBox?: number;
  events: number;
  peakRssMiB: number;
  finished: boolean;
}

const vmHwmMiB = async (pid: number): Promise<number> => {
  const s = await fs.readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const m = /VmHWM:\s+(\d+) kB/.exec(s);
  return m ? Number(m[1]) / 1024 : NaN;
};

/** Runs the child for `seconds`, then SIGKILLs it; its events give the statistics pass's and the boxes' times. */
async function slice(
  input: string,
  output: string,
  iterations: number,
  chunk: Shape3,
  seconds: number,
): Promise<Slice> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, 'stream-budget-child.ts'),
      input,
      output,
      String(iterations),
      chunk.join(','),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const r: Slice = { killedAt: seconds, events: 0, peakRssMiB: NaN, finished: false };
  let statsStart: number | undefined;
  createInterface({ input: child.stdout }).on('line', (line) => {
    const e = JSON.parse(line) as { t: number; stage?: string; box?: number; done?: boolean };
    r.events++;
    if (e.stage?.startsWith('background')) statsStart = e.t;
    if (e.stage?.includes('boxes to compute')) {
      r.boxesStart = e.t;
      if (statsStart !== undefined) r.statsSeconds = e.t - statsStart;
    }
    if (e.box !== undefined) r.lastBox = e.t;
    if (e.done) r.finished = true;
    process.stderr.write(`  ${line}\n`);
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const timer = setTimeout(() => {
    void vmHwmMiB(child.pid!).then((hwm) => {
      r.peakRssMiB = hwm;
      child.kill('SIGKILL');
    });
  }, seconds * 1000);
  // Sampled every 10 s as well, in case the child ends by itself before the kill.
  const sampler = setInterval(() => {
    void vmHwmMiB(child.pid!).then((h) => {
      if (Number.isFinite(h)) r.peakRssMiB = Math.max(Number.isFinite(r.peakRssMiB) ? r.peakRssMiB : 0, h);
    });
  }, 10_000);
  await exited;
  clearTimeout(timer);
  clearInterval(sampler);
  return r;
}

const chunkFile = (partial: string, b: OutputBox, chunk: Shape3) =>
  join(partial, '0', String(b.t), String(b.c), ...b.start.map((s, a) => String(s / chunk[a]!)));

async function doneBoxes(partial: string): Promise<Set<number>> {
  const p = await readProgress(partial);
  return new Set([...(p?.done ?? '')].flatMap((ch, i) => (ch === '1' ? [i] : [])));
}

/** The largest |difference| between a box's chunk file and the box computed afresh from the input. */
async function recheck(
  input: string,
  partial: string,
  b: OutputBox,
  chunk: Shape3,
  iterations: number,
): Promise<number> {
  const reader = await openZarrVolume(input);
  const stack = (await readProgress(partial))!.state['0/0'] as { stack: StackStats };
  const m = benchRlMethod(iterations);
  const predict = haloBoxes(
    { shape: reader.shape, readBox: (s, z) => reader.readBox(s, z) },
    m.predict!(0, stack.stack),
    m.halo!,
  );
  const fresh = await predict(b.start, b.size);
  const stored = await readChunkFile(chunkFile(partial, b, chunk), chunk, 'float32');
  let worst = 0;
  for (let z = 0; z < b.size[0]; z++)
    for (let y = 0; y < b.size[1]; y++)
      for (let x = 0; x < b.size[2]; x++) {
        const d = Math.abs(fresh[(z * b.size[1] + y) * b.size[2] + x]! - stored[(z * chunk[1] + y) * chunk[2] + x]!);
        worst = Math.max(worst, d);
      }
  await reader.close();
  return worst;
}

export async function runBudgeted(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'max-seconds': { type: 'string' },
      'resume-seconds': { type: 'string', default: '180' },
      dir: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
  });
  const parse = (s: string) => s.split(',').map(Number) as Shape3;
  const shape = parse(positionals[0] ?? '200,4096,4096');
  if ((positionals[1] ?? 'rl') !== 'rl') throw new Error('--max-seconds runs rl only');
  const iterations = Number(positionals[2] ?? 10);
  const chunk = parse(positionals[3] ?? '64,256,256');
  const maxSeconds = Number(values['max-seconds']);
  const resumeSeconds = Number(values['resume-seconds']);
  const dir = values.dir ?? (await fs.mkdtemp(join(tmpdir(), 'cycledecon-budget-')));
  await fs.mkdir(dir, { recursive: true });
  const input = join(dir, 'in.zarr'),
    output = join(dir, 'out.zarr'),
    partial = `${output}.partial`;
  const load = () => fs.readFile('/proc/loadavg', 'utf8').then((s) => s.split(' ').slice(0, 3).map(Number));

  const loadAtStart = await load();
  let writeInputSeconds: number | null = null;
  if (existsSync(input) && (await openZarrVolume(input)).shape.join() === shape.join())
    process.stderr.write(`reusing ${input}\n`);
  else {
    await fs.rm(input, { recursive: true, force: true });
    process.stderr.write(`writing ${input} (${shape.join('×')} uint16)\n`);
    writeInputSeconds = await writeBenchInput(input, shape, chunk);
  }
  const inputBytes = await du(input);
  await fs.rm(output, { recursive: true, force: true });
  await fs.rm(partial, { recursive: true, force: true });

  process.stderr.write(`run 1: ${maxSeconds} s\n`);
  const run1 = await slice(input, output, iterations, chunk, maxSeconds);
  const loadAfterRun1 = await load();
  const done1 = await doneBoxes(partial);
  const boxes = planBoxes({ shape, channels: 1, frames: 1, chunk, dtype: 'float32' });
  const stamp = async (i: number) => {
    const s = await fs.stat(chunkFile(partial, boxes[i]!, chunk));
    return `${s.ino}:${s.mtimeMs}`;
  };
  const before = new Map(await Promise.all([...done1].map(async (i) => [i, await stamp(i)] as const)));

  process.stderr.write(`run 2 (resume): ${resumeSeconds} s\n`);
  const run2 = await slice(input, output, iterations, chunk, resumeSeconds);
  const done2 = await doneBoxes(partial);
  const kept = [...done1].filter((i) => done2.has(i)).length;
  let untouched = 0;
  for (const [i, s] of before) if ((await stamp(i).catch(() => '')) === s) untouched++;
  const added = [...done2].filter((i) => !done1.has(i));
  const voxelsOf = (ids: Iterable<number>) =>
    [...ids].reduce((a, i) => a + boxes[i]!.size.reduce((p, n) => p * n, 1), 0);
  const voxels1 = voxelsOf(done1),
    voxels2 = voxelsOf(added);
  const rlSeconds1 = run1.lastBox !== undefined && run1.boxesStart !== undefined ? run1.lastBox - run1.boxesStart : NaN;
  const rate1 = voxels1 / rlSeconds1;
  const rlSeconds2 = run2.lastBox !== undefined && run2.boxesStart !== undefined ? run2.lastBox - run2.boxesStart : NaN;
  const total = shape[0] * shape[1] * shape[2];
  process.stderr.write('checking one box of each run against a fresh computation\n');
  const diff1 = done1.size ? await recheck(input, partial, boxes[Math.min(...done1)]!, chunk, iterations) : NaN;
  const diff2 = added.length ? await recheck(input, partial, boxes[Math.min(...added)]!, chunk, iterations) : NaN;
  const result = {
    shape,
    iterations,
    chunk,
    boxes: boxes.length,
    inputGB: +(inputBytes / 1e9).toFixed(2),
    writeInputSeconds: writeInputSeconds === null ? null : +writeInputSeconds.toFixed(1),
    run1: {
      seconds: maxSeconds,
      statsPassSeconds: run1.statsSeconds,
      boxesDone: done1.size,
      voxelsDone: voxels1,
      rlSeconds: +rlSeconds1.toFixed(1),
      mvoxelPerSecond: +(rate1 / 1e6).toFixed(3),
      peakRssMiB: Math.round(run1.peakRssMiB),
    },
    run2: {
      seconds: resumeSeconds,
      statsPassSkipped: run2.statsSeconds === undefined,
      boxesAdded: added.length,
      voxelsDone: voxels2,
      mvoxelPerSecond: +(voxels2 / rlSeconds2 / 1e6).toFixed(3),
      peakRssMiB: Math.round(run2.peakRssMiB),
    },
    resume: {
      run1BoxesStillComplete: `${kept}/${done1.size}`,
      run1ChunksUntouched: `${untouched}/${done1.size}`,
      maxAbsDiffRun1Box: diff1,
      maxAbsDiffRun2Box: diff2,
    },
    projectedTotalHours: +(((run1.statsSeconds ?? 0) + total / rate1) / 3600).toFixed(2),
    projectionExcludes: 'the output pyramid (built after the last box)',
    load: { atStart: loadAtStart, afterRun1: loadAfterRun1, atEnd: await load() },
  };
  console.log(JSON.stringify(result));
  if (!values.keep) await fs.rm(dir, { recursive: true, force: true });
}

async function du(path: string): Promise<number> {
  let n = 0;
  for (const e of await fs.readdir(path, { withFileTypes: true, recursive: true }))
    if (e.isFile()) n += (await fs.stat(join(e.parentPath, e.name))).size;
  return n;
}
