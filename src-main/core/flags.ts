// Every CYCLEDECON_* environment variable, declared once (in the manner of tfjs' flags.ts): its name, variable,
// default, allowed values and what it does. Read once from the environment and cached, so hot op paths pay a
// property read, not a process.env lookup; validated at start-up (validateFlags) with a typed error naming the
// variable and what it accepts. `cycledecon backends --json` prints them; docs/performance.md's table is
// generated from this file (scripts/flags-doc.ts). Node only, no tfjs: every layer of core may read a flag.
import { InvalidParameterError } from './errors';

interface FlagDef<T> {
  env: string;
  /** The value when the variable is unset or empty, as the doc states it. */
  default: string;
  /** What the variable accepts, in words (the error repeats it). */
  allowed: string;
  doc: string;
  /** The value, or undefined when `raw` is not allowed. */
  parse(raw: string): T | undefined;
}

const oneOf =
  <V extends string>(values: readonly V[]) =>
  (raw: string): V | undefined =>
    values.includes(raw as V) ? (raw as V) : undefined;
const define = <T>(def: FlagDef<T>): FlagDef<T> => def;

/** The registry. The `parse` of an unset variable gets the default's text. */
export const FLAG_DEFS = {
  backend: define({
    env: 'CYCLEDECON_BACKEND',
    default: 'auto',
    allowed: 'auto, node-gpu, node, webgpu, wasm, cpu',
    doc: 'Forces the tfjs backend of every command (same values as `--backend`); auto: the first that loads.',
    parse: oneOf(['auto', 'node-gpu', 'node', 'webgpu', 'wasm', 'cpu'] as const),
  }),
  conv: define({
    env: 'CYCLEDECON_CONV',
    default: 'auto',
    allowed: 'auto, native-avx2, wasm-simd, tfjs, vol2col',
    doc: "Forces the conv3d implementation; auto: native AVX2/AVX-512 where it loads, else WebAssembly SIMD, on GPU backends tfjs'.",
    parse: oneOf(['auto', 'native-avx2', 'wasm-simd', 'tfjs', 'vol2col'] as const),
  }),
  cpuOps: define({
    env: 'CYCLEDECON_CPU_OPS',
    default: 'auto',
    allowed: 'auto, tfjs',
    doc: "tfjs: the cpu backend's own ops instead of ours (norm, bias, ReLU, resampling, concat, Adam), for A/B timing and checks.",
    parse: oneOf(['auto', 'tfjs'] as const),
  }),
  native: define({
    env: 'CYCLEDECON_NATIVE',
    default: '1',
    allowed: '1, 0',
    doc: '0: never load the native conv kernel (the WebAssembly kernel is used); silences its load warning.',
    parse: (raw: string) => (raw === '1' ? true : raw === '0' ? false : undefined),
  }),
  avx512: define({
    env: 'CYCLEDECON_AVX512',
    default: '1',
    allowed: '1, 0',
    doc: '0: keep the native kernel on its AVX2 tiles on CPUs with AVX-512.',
    parse: (raw: string) => (raw === '1' ? true : raw === '0' ? false : undefined),
  }),
  fft: define({
    env: 'CYCLEDECON_FFT',
    default: 'auto',
    allowed: 'auto, js',
    doc: 'js: the float64 JavaScript FFT instead of the WebAssembly SIMD one (float32).',
    parse: oneOf(['auto', 'js'] as const),
  }),
  threads: define({
    env: 'CYCLEDECON_THREADS',
    default: 'auto',
    allowed: 'auto or a whole number 1–64',
    doc: 'CPU threads of the FFT and conv kernels (set by `--threads N`); auto: the cores, at most 8.',
    parse: (raw: string): number | 'auto' | undefined =>
      raw === 'auto' ? 'auto' : /^\d+$/.test(raw) && Number(raw) >= 1 && Number(raw) <= 64 ? Number(raw) : undefined,
  }),
  tileBudgetMb: define({
    env: 'CYCLEDECON_TILE_BUDGET_MB',
    default: 'auto',
    allowed: 'auto or a number of MiB > 0',
    doc: 'Memory budget of one inference tile, for machines that misreport free memory; auto: a share of free RAM (GPU: 1 GiB).',
    parse: (raw: string): number | 'auto' | undefined =>
      raw === 'auto' ? 'auto' : Number.isFinite(Number(raw)) && Number(raw) > 0 ? Number(raw) : undefined,
  }),
  home: define({
    env: 'CYCLEDECON_HOME',
    default: '~/.config/cycledecon',
    allowed: 'a folder path',
    doc: 'Where the app keeps its own files (the recent-projects list).',
    parse: (raw: string) => raw,
  }),
  writeFault: define({
    env: 'CYCLEDECON_WRITE_FAULT',
    default: '',
    allowed: 'JSON {"code","match","afterBytes","skip"?} (core/io/write-faults.ts)',
    doc: 'Test only: fails matching file writes with an injected error (disk full, I/O error) to test recovery.',
    parse: (raw: string) => raw,
  }),
} as const;

export type FlagName = keyof typeof FLAG_DEFS;
export type FlagValue<N extends FlagName> = NonNullable<ReturnType<(typeof FLAG_DEFS)[N]['parse']>>;

const cache = new Map<FlagName, unknown>();
const overrides = new Map<FlagName, unknown>();

function read<N extends FlagName>(name: N): FlagValue<N> {
  const def = FLAG_DEFS[name];
  const raw = process.env[def.env]?.trim();
  const text = raw === undefined || raw === '' ? def.default : raw;
  const value = def.parse(text);
  if (value === undefined)
    throw new InvalidParameterError(
      def.env,
      `must be ${def.allowed}; got '${raw}'`,
      `${def.doc} Unset it for the default (${def.default || 'none'}).`,
    );
  return value as FlagValue<N>;
}

/** A flag's value: a test's setFlag, else the environment, read once. Throws InvalidParameterError on a bad value. */
export function getFlag<N extends FlagName>(name: N): FlagValue<N> {
  if (overrides.has(name)) return overrides.get(name) as FlagValue<N>;
  if (!cache.has(name)) cache.set(name, read(name));
  return cache.get(name) as FlagValue<N>;
}

/** Test only: a flag's value from now on, whatever the environment says (this thread only). */
export function setFlag<N extends FlagName>(name: N, value: FlagValue<N>): void {
  overrides.set(name, value);
}

/** Drops setFlag values and the cache, so the next read takes the environment again (tests; `--threads`). */
export function resetFlags(): void {
  overrides.clear();
  cache.clear();
}

/** Reads every flag now: the typed error of the first bad variable at start-up, not in the middle of a job. */
export function validateFlags(): void {
  for (const name of Object.keys(FLAG_DEFS) as FlagName[]) getFlag(name);
}

/** Every flag with its variable, value, default, allowed values and doc (`cycledecon backends --json`). */
export function describeFlags(): {
  name: FlagName;
  env: string;
  value: unknown;
  default: string;
  allowed: string;
  doc: string;
}[] {
  return (Object.keys(FLAG_DEFS) as FlagName[]).map((name) => {
    const d = FLAG_DEFS[name];
    return { name, env: d.env, value: getFlag(name), default: d.default, allowed: d.allowed, doc: d.doc };
  });
}
