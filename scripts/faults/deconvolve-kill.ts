// SIGKILL driver for a batch `cycledecon deconvolve`: deconvolves a folder of stacks into an output folder,
// kills the CLI at seeded moments (random times, and the moment an output's temp file appears), reruns it
// with --skip-existing, and after every kill checks that each output present equals the reference run's
// output, that no leftover could be taken for an output, that the inputs are unchanged (SHA-256) and that
// a finished output is never written again. When a batch completes before the kills are used up, a new
// output folder starts another round.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readVolume } from '../../src-main/core/io';
import { identity, isTemp, isTempOf, listFiles, mulberry32, runCli, runKilled, sha256, type KillPlan } from './lib';

export interface DeconvolveKillOptions {
  dir: string;
  seed: number;
  kills: number;
  files: number;
  /** 'model': the bundled model in test/fixtures/model-bars; 'rl': Richardson–Lucy with the synthetic PSF. */
  method: 'model' | 'rl';
  /** Stack shape z,y,x. */
  shape?: string;
  log?: (line: string) => void;
}

export interface DeconvolveKillReport {
  method: string;
  kills: number;
  launches: number;
  rounds: number;
  /** Kills that left an output's temp file, i.e. landed while a stack was being written. */
  duringWrite: number;
  outputsChecked: number;
  maxAbsDiff: number;
  staleTempsSeen: number;
  problems: string[];
}

export async function runDeconvolveKills(o: DeconvolveKillOptions): Promise<DeconvolveKillReport> {
  const log = o.log ?? (() => undefined);
  const rand = mulberry32(o.seed);
  const inputs = join(o.dir, 'inputs');
  mkdirSync(inputs, { recursive: true });
  for (let i = 1; i <= o.files; i++) {
    const synth = join(o.dir, `synth${i}`);
    await runCli(['synth', synth, '--shape', o.shape ?? '16,48,48', '--seed', String(o.seed + i)]);
    copyFileSync(join(synth, 'blurred.tif'), join(inputs, `stack_${String(i).padStart(2, '0')}.tif`));
  }
  const methodArgs =
    o.method === 'model'
      ? ['--model', 'test/fixtures/model-bars']
      : ['--method', 'rl', '--psf', join(o.dir, 'synth1', 'psf.tif'), '--iters', '10'];
  const before = new Map(listFiles(inputs).map((f) => [f, sha256(join(inputs, f))]));
  await runCli(['deconvolve', ...methodArgs, inputs, join(o.dir, 'reference')]);
  const reference = new Map<string, Float32Array>();
  for (const f of listFiles(join(o.dir, 'reference')))
    reference.set(f, (await readVolume(join(o.dir, 'reference', f))).data);

  const r: DeconvolveKillReport = {
    method: o.method,
    kills: 0,
    launches: 0,
    rounds: 1,
    duringWrite: 0,
    outputsChecked: 0,
    maxAbsDiff: 0,
    staleTempsSeen: 0,
    problems: [],
  };
  let out = join(o.dir, 'out-1');
  let finished = new Map<string, string>(); // output → identity when first seen complete
  const check = async (when: string, pid: number) => {
    const files = listFiles(out);
    for (const f of files) {
      if (isTemp(f)) continue;
      const want = reference.get(f);
      if (!want) {
        r.problems.push(`${when}: unexpected file ${f}`);
        continue;
      }
      try {
        const got = (await readVolume(join(out, f))).data;
        let d = got.length === want.length ? 0 : Infinity;
        for (let i = 0; i < got.length && d !== Infinity; i++) d = Math.max(d, Math.abs(got[i]! - want[i]!));
        r.maxAbsDiff = Math.max(r.maxAbsDiff, d);
        if (!(d <= 1e-6)) r.problems.push(`${when}: ${f} differs from the reference by ${d}`);
        r.outputsChecked += 1;
      } catch (e) {
        r.problems.push(`${when}: ${f} does not read: ${(e as Error).message}`);
      }
      const id = identity(join(out, f));
      if (finished.has(f) && finished.get(f) !== id) r.problems.push(`${when}: ${f} was written again`);
      finished.set(f, id);
    }
    for (const [f, h] of before) if (sha256(join(inputs, f)) !== h) r.problems.push(`${when}: input ${f} changed`);
    return { temps: files.filter(isTemp).length, mine: files.filter((f) => isTempOf(f, pid)).length };
  };

  for (;;) {
    const finalRun = r.kills >= o.kills;
    const plan: KillPlan | undefined = finalRun
      ? undefined
      : rand() < 0.5
        ? { kind: 'time', ms: Math.round(700 + rand() * (o.method === 'model' ? 4000 : 1500)) }
        : { kind: 'temp', dirs: [out], nth: Math.floor(rand() * o.files) };
    const res = await runKilled(['deconvolve', ...methodArgs, '--skip-existing', inputs, out], plan);
    r.launches += 1;
    if (!res.killed) {
      if (res.code !== 0) r.problems.push(`launch ${r.launches} exited ${res.code}: ${res.stderr.slice(-500)}`);
      await check(`after complete launch ${r.launches}`, res.pid);
      const names = listFiles(out).filter((f) => !isTemp(f));
      if (names.join() !== [...reference.keys()].join())
        r.problems.push(`round ${r.rounds} finished with ${names.length} of ${reference.size} outputs`);
      const left = listFiles(out).filter(isTemp);
      if (left.length) r.problems.push(`round ${r.rounds}: temp files after a complete run: ${left.join(', ')}`);
      if (finalRun) break;
      r.rounds += 1;
      out = join(o.dir, `out-${r.rounds}`);
      finished = new Map();
      log(`deconvolve/${o.method}: batch complete; round ${r.rounds}`);
      continue;
    }
    r.kills += 1;
    const { temps, mine } = await check(`after kill ${r.kills}`, res.pid);
    r.staleTempsSeen += temps;
    if (mine) r.duringWrite += 1;
    log(
      `deconvolve/${o.method}: kill ${r.kills} at ${Math.round(res.ms)} ms (${plan!.kind}) → ${finished.size}/${o.files} outputs${mine ? ', inside a write' : ''}`,
    );
  }
  return r;
}
