// The flags registry (src-main/core/flags.ts): each CYCLEDECON_* variable declared once, read once, refused with
// a typed error naming it when its value is not one it accepts; the doc table is generated from it.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  FLAG_DEFS,
  describeFlags,
  getFlag,
  resetFlags,
  setFlag,
  validateFlags,
  type FlagName,
} from '../../src-main/core/flags';
import { flagsTable, withFlagsTable } from '../../src-main/core/flags-doc';
import { BACKEND_IDS } from '../../src-main/core/nn/backend';
import { InvalidParameterError } from '../../src-main/core/errors';
import { kernelThreadCount } from '../../src-main/core/kernels/threads';
import { runCli } from '../../src-main/cli/main';
import { repoRoot } from '../helpers';

const touched = new Map<string, string | undefined>();
function setEnv(name: string, value: string): void {
  if (!touched.has(name)) touched.set(name, process.env[name]);
  process.env[name] = value;
  resetFlags();
}
afterEach(() => {
  for (const [k, v] of touched)
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  touched.clear();
  resetFlags();
});

describe('flags registry', () => {
  it('declares every CYCLEDECON_* variable the main side reads, and each once', () => {
    const src = execFileSync('grep', ['-rhoE', 'CYCLEDECON_[A-Z0-9_]+', join(repoRoot, 'src-main')], {
      encoding: 'utf8',
    });
    // CYCLEDECON_FROM_SOURCE is read by bin/cycledecon.js (the launcher), before any of src-main loads.
    const used = new Set(src.split('\n').filter((s) => s && s !== 'CYCLEDECON_FROM_SOURCE'));
    const declared = Object.values(FLAG_DEFS).map((d) => d.env);
    expect(new Set(declared).size).toBe(declared.length);
    expect([...used].sort()).toEqual([...declared].sort());
  });

  it('takes the default when a variable is unset or empty', () => {
    for (const d of Object.values(FLAG_DEFS)) setEnv(d.env, '');
    expect(getFlag('cpuOps')).toBe('auto');
    expect(getFlag('native')).toBe(true);
    expect(getFlag('threads')).toBe('auto');
    expect(getFlag('writeFault')).toBe('');
  });

  it.each([
    ['cpuOps', 'CYCLEDECON_CPU_OPS', 'tfjs', 'tfjs'],
    ['conv', 'CYCLEDECON_CONV', 'wasm-simd', 'wasm-simd'],
    ['backend', 'CYCLEDECON_BACKEND', ' cpu ', 'cpu'],
    ['native', 'CYCLEDECON_NATIVE', '0', false],
    ['avx512', 'CYCLEDECON_AVX512', '1', true],
    ['fft', 'CYCLEDECON_FFT', 'js', 'js'],
    ['threads', 'CYCLEDECON_THREADS', '3', 3],
    ['tileBudgetMb', 'CYCLEDECON_TILE_BUDGET_MB', '512', 512],
    ['home', 'CYCLEDECON_HOME', '/tmp/x', '/tmp/x'],
  ] as [FlagName, string, string, unknown][])('%s reads %s', (name, env, raw, value) => {
    setEnv(env, raw);
    expect(getFlag(name)).toEqual(value);
  });

  it.each([
    ['CYCLEDECON_CPU_OPS', 'off', /CYCLEDECON_CPU_OPS: must be auto, tfjs; got 'off'/],
    ['CYCLEDECON_CONV', 'cuda', /CYCLEDECON_CONV: must be auto, native-avx2, wasm-simd, tfjs, vol2col/],
    ['CYCLEDECON_NATIVE', 'no', /CYCLEDECON_NATIVE: must be 1, 0/],
    ['CYCLEDECON_THREADS', '0', /CYCLEDECON_THREADS: must be auto or a whole number 1–64/],
    ['CYCLEDECON_THREADS', '2.5', /CYCLEDECON_THREADS/],
    ['CYCLEDECON_TILE_BUDGET_MB', '-1', /CYCLEDECON_TILE_BUDGET_MB/],
  ])('refuses %s=%s at start-up, naming the variable and what it accepts', (env, raw, message) => {
    setEnv(env, raw);
    expect(() => validateFlags()).toThrow(InvalidParameterError);
    expect(() => validateFlags()).toThrow(message);
  });

  it('a bad value stops a CLI command before it runs (the variable named)', async () => {
    setEnv('CYCLEDECON_FFT', 'fftw');
    const err: string[] = [];
    const code = await runCli(['info', 'nothing.tif'], { out: () => {}, err: (l) => err.push(l) });
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/CYCLEDECON_FFT: must be auto, js; got 'fftw'/);
  });

  it('reads the environment once; setFlag overrides it until resetFlags', () => {
    setEnv('CYCLEDECON_THREADS', '2');
    expect(kernelThreadCount()).toBe(2);
    process.env.CYCLEDECON_THREADS = '5'; // not seen: the value was read
    expect(kernelThreadCount()).toBe(2);
    setFlag('threads', 7);
    expect(kernelThreadCount()).toBe(7);
    resetFlags();
    expect(kernelThreadCount()).toBe(5);
  });

  it('offers the backends the backend module knows', () => {
    expect(FLAG_DEFS.backend.allowed).toBe(['auto', ...BACKEND_IDS].join(', '));
  });

  it('describes every flag with its value (cycledecon backends --json)', () => {
    setEnv('CYCLEDECON_FFT', 'js');
    const d = describeFlags();
    expect(d.map((f) => f.name)).toEqual(Object.keys(FLAG_DEFS));
    expect(d.find((f) => f.env === 'CYCLEDECON_FFT')).toMatchObject({
      value: 'js',
      default: 'auto',
      allowed: 'auto, js',
    });
  });

  it('`cycledecon backends --json` lists every flag with its value', async () => {
    setEnv('CYCLEDECON_AVX512', '0');
    const out: string[] = [];
    expect(await runCli(['backends', '--json', '--ms', '10'], { out: (l) => out.push(l), err: () => {} })).toBe(0);
    const flags = (JSON.parse(out.join('\n')) as { flags: { env: string; value: unknown }[] }).flags;
    expect(flags.map((f) => f.env)).toEqual(Object.values(FLAG_DEFS).map((d) => d.env));
    expect(flags.find((f) => f.env === 'CYCLEDECON_AVX512')?.value).toBe(false);
  });

  it('docs/performance.md carries the table generated from the registry (run scripts/flags-doc.ts)', () => {
    const doc = readFileSync(join(repoRoot, 'docs/performance.md'), 'utf8');
    expect(withFlagsTable(doc, flagsTable())).toBe(doc);
    for (const d of Object.values(FLAG_DEFS)) expect(doc).toContain(`\`${d.env}\``);
  });
});
