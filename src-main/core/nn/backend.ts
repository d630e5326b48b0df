// The one place that chooses the TensorFlow.js backend. Order of preference for training:
// tfjs-node-gpu (CUDA) > tfjs-node > webgpu (Dawn in Node, native in a browser) > cpu.
// `wasm` is offered for inference only: its Conv3D gradients are wrong in tfjs 4.22.
// Every candidate that fails to load is skipped with its reason recorded, never thrown.
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { BackendError, InvalidParameterError } from '../errors';
import { selectConvImpl } from './conv-select';
import { conv3d, getConv3dImpl, setConv3dImpl } from './ops';
import { FLAG_DEFS, getFlag } from '../flags';

export type BackendId = 'node-gpu' | 'node' | 'webgpu' | 'wasm' | 'cpu';
export type BackendPurpose = 'train' | 'inference';

export const BACKEND_IDS: readonly BackendId[] = ['node-gpu', 'node', 'webgpu', 'wasm', 'cpu'];
/** Environment variable that forces a backend (same values as `--backend`). */
export const BACKEND_ENV = FLAG_DEFS.backend.env;
/** SwiftShader's Vulkan driver, shipped with Debian's chromium: lets Dawn run WebGPU on a CPU-only box. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export interface BackendAttempt {
  id: BackendId;
  ok: boolean;
  /** Why it was chosen, skipped or failed (a one-line explanation for logs and `cycledecon backends`). */
  reason: string;
}

export interface BackendChoice {
  /** Our name for the backend that is now active. */
  name: BackendId;
  /** The name tf.getBackend() reports ('tensorflow', 'webgpu', 'wasm', 'cpu'). */
  tfName: string;
  /** Why this one: forced by the caller / env, or the first of the preference order that loaded. */
  reason: string;
  /** Every candidate tried, in order, with the reason each was skipped. */
  attempts: BackendAttempt[];
  /** The conv3d implementation the networks use on it (conv-select.ts): 'native-avx2', 'wasm-simd', 'tfjs' or 'vol2col'. */
  conv: string;
}

export interface InitBackendOptions {
  /** Force a backend (overrides CYCLEDECON_BACKEND). If it fails to load, the automatic order is used and the failure recorded. */
  preferred?: BackendId | string;
  purpose: BackendPurpose;
  /** Throw a BackendError when the forced backend does not load instead of falling through. */
  strict?: boolean;
  /** Allow `wasm` for training: only safe once a correct Conv3D implementation is installed (ops/conv3d setConv3dImpl). */
  allowWasmForTraining?: boolean;
}

const TF_NAME: Record<BackendId, string> = {
  'node-gpu': 'tensorflow',
  node: 'tensorflow',
  webgpu: 'webgpu',
  wasm: 'wasm',
  cpu: 'cpu',
};
const ALIASES: Record<string, BackendId> = {
  'node-gpu': 'node-gpu',
  'tfjs-node-gpu': 'node-gpu',
  cuda: 'node-gpu',
  gpu: 'node-gpu',
  node: 'node',
  'tfjs-node': 'node',
  tensorflow: 'node',
  webgpu: 'webgpu',
  wasm: 'wasm',
  cpu: 'cpu',
};

/** Map a user-facing name (`--backend`, env) to a BackendId; throws InvalidParameterError on an unknown name. */
export function parseBackendId(value: string, parameter = '--backend'): BackendId {
  const id = ALIASES[value.trim().toLowerCase()];
  if (!id)
    throw new InvalidParameterError(parameter, `"${value}" is not a backend`, `Use one of ${BACKEND_IDS.join(', ')}.`);
  return id;
}

function message(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0]!.slice(0, 200);
}

async function loadNative(pkg: '@tensorflow/tfjs-node' | '@tensorflow/tfjs-node-gpu'): Promise<void> {
  // Both packages register the 'tensorflow' backend on the shared tfjs-core instance.
  if (tf.findBackendFactory('tensorflow')) return;
  if (pkg === '@tensorflow/tfjs-node') await import('@tensorflow/tfjs-node' as string);
  else await import('@tensorflow/tfjs-node-gpu' as string);
  if (!tf.findBackendFactory('tensorflow'))
    throw new Error(`${pkg} loaded but registered no 'tensorflow' backend (version mismatch with @tensorflow/tfjs?)`);
}

const SYSTEM_VULKAN_LOADERS = [
  '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
  '/usr/lib/aarch64-linux-gnu/libvulkan.so.1',
  '/usr/lib64/libvulkan.so.1',
  '/usr/lib/libvulkan.so.1',
];
const CHROMIUM_VULKAN_LOADER = '/usr/lib/chromium/libvulkan.so.1';

/**
 * Dawn dlopen()s "libvulkan.so.1" by name. On a box whose only Vulkan loader is the one Debian's chromium ships
 * (outside the library path), load that file first and pin it (RTLD_NODELETE): glibc then resolves Dawn's
 * dlopen by soname to it. process.dlopen throws "did not self-register" (it is not a Node addon) — expected.
 * Setting LD_LIBRARY_PATH=/usr/lib/chromium before starting Node does the same.
 */
function preloadChromiumVulkanLoader(): void {
  if (process.platform !== 'linux' || !existsSync(CHROMIUM_VULKAN_LOADER)) return;
  if (SYSTEM_VULKAN_LOADERS.some((p) => existsSync(p))) return;
  const RTLD_NODELETE = 0x1000; // glibc value; node's os.constants.dlopen omits it
  try {
    process.dlopen(
      { exports: {} },
      CHROMIUM_VULKAN_LOADER,
      constants.dlopen.RTLD_NOW | constants.dlopen.RTLD_GLOBAL | RTLD_NODELETE,
    );
  } catch (_e) {
    // "Module did not self-register": the library stays mapped thanks to RTLD_NODELETE.
  }
}

interface GpuAdapterLike {
  info?: { isFallbackAdapter?: boolean; description?: string; architecture?: string };
}
interface GpuNavigator {
  gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> };
}

/** Reason prefix used when the automatic choice skips a software WebGPU adapter. */
export const SOFTWARE_WEBGPU = 'software WebGPU adapter';

async function loadWebgpu(allowSoftware: boolean): Promise<void> {
  const g = globalThis as { navigator?: GpuNavigator };
  if (!g.navigator?.gpu) {
    // Dawn reads the Vulkan driver list when its instance is created, so this must precede create().
    if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    preloadChromiumVulkanLoader();
    const dawn = (await import('webgpu' as string)) as { create(opts: string[]): GpuNavigator['gpu']; globals: object };
    Object.assign(globalThis, dawn.globals);
    Object.defineProperty(globalThis, 'navigator', {
      value: { ...(g.navigator ?? {}), gpu: dawn.create([]) },
      configurable: true,
      writable: true,
    });
  }
  const gpu = g.navigator?.gpu;
  if (!gpu) throw new Error('no navigator.gpu after loading the webgpu package');
  const adapter = await gpu.requestAdapter();
  if (!adapter)
    throw new Error('no WebGPU adapter (no GPU and no Vulkan software driver such as SwiftShader or lavapipe)');
  // SwiftShader / lavapipe run WebGPU on the CPU about 8× slower than tfjs' cpu backend (measured): never chosen automatically.
  if (adapter.info?.isFallbackAdapter && !allowSoftware) {
    throw new Error(
      `${SOFTWARE_WEBGPU} (${adapter.info.description ?? adapter.info.architecture ?? 'fallback'}) is slower than cpu; force it with --backend webgpu`,
    );
  }
  await import('@tensorflow/tfjs-backend-webgpu');
}

async function loadWasm(): Promise<void> {
  await import('@tensorflow/tfjs-backend-wasm');
}

const loaders: Record<BackendId, (explicit: boolean) => Promise<void>> = {
  'node-gpu': () => loadNative('@tensorflow/tfjs-node-gpu'),
  node: () => loadNative('@tensorflow/tfjs-node'),
  webgpu: (explicit) => loadWebgpu(explicit),
  wasm: loadWasm,
  cpu: async () => undefined,
};

/**
 * Load a backend's package and make it the active tfjs backend. Returns the failure reason, or null on success.
 * `explicit` (the user named this backend) also accepts a software WebGPU adapter.
 */
export async function tryBackend(id: BackendId, explicit = true): Promise<string | null> {
  try {
    await loaders[id](explicit);
    const ok = await tf.setBackend(TF_NAME[id]);
    if (!ok) return `tf.setBackend('${TF_NAME[id]}') failed to initialise`;
    await tf.ready();
    if (id === 'node-gpu' || id === 'node') {
      // tfjs-node and tfjs-node-gpu share the name 'tensorflow'; only the GPU build reports CUDA devices.
      const gpu =
        tf.env().getBool('IS_NODE') &&
        (tf.backend() as tf.KernelBackend & { isUsingGpuDevice?: boolean }).isUsingGpuDevice;
      if (id === 'node-gpu' && gpu === false) return 'tfjs-node-gpu loaded but found no CUDA device';
    }
    return null;
  } catch (e) {
    return message(e);
  }
}

/** The automatic preference order for a purpose. */
export function preferenceOrder(purpose: BackendPurpose): BackendId[] {
  return purpose === 'inference'
    ? ['node-gpu', 'node', 'webgpu', 'wasm', 'cpu']
    : ['node-gpu', 'node', 'webgpu', 'cpu'];
}

/**
 * Select and activate the backend. An explicit `preferred` or the CYCLEDECON_BACKEND variable forces one;
 * otherwise the first of the preference order that loads wins. `cpu` always loads, so this only throws
 * for an invalid name, wasm forced for training, or a failed forced backend with `strict`.
 */
export async function initBackend(opts: InitBackendOptions): Promise<BackendChoice> {
  const choice = await chooseBackend(opts);
  return { ...choice, conv: selectConvImpl(choice.name) };
}

async function chooseBackend(opts: InitBackendOptions): Promise<Omit<BackendChoice, 'conv'>> {
  const attempts: BackendAttempt[] = [];
  const envValue = getFlag('backend');
  const forcedRaw = opts.preferred ?? (envValue !== 'auto' ? envValue : undefined);
  const forcedBy = opts.preferred !== undefined ? 'requested' : `forced by ${BACKEND_ENV}`;
  const forced =
    forcedRaw === undefined
      ? undefined
      : parseBackendId(forcedRaw, opts.preferred !== undefined ? '--backend' : BACKEND_ENV);
  if (forced === 'wasm' && opts.purpose === 'train' && !opts.allowWasmForTraining) {
    throw new BackendError(
      'the wasm backend cannot train: its Conv3D gradients are wrong in tfjs 4.22',
      'Use webgpu or cpu for training; wasm is for inference.',
    );
  }
  if (forced) {
    const failure = await tryBackend(forced);
    if (failure === null)
      return {
        name: forced,
        tfName: tf.getBackend(),
        reason: forcedBy,
        attempts: [{ id: forced, ok: true, reason: forcedBy }],
      };
    if (opts.strict)
      throw new BackendError(
        `backend ${forced} could not be loaded: ${failure}`,
        'Run `cycledecon backends` to see which backends work here.',
      );
    attempts.push({ id: forced, ok: false, reason: `${forcedBy} but failed: ${failure}` });
  }
  for (const id of preferenceOrder(opts.purpose)) {
    if (id === forced) continue;
    const failure = await tryBackend(id, false);
    if (failure === null) {
      const reason =
        attempts.length === 0
          ? 'first in preference order'
          : `fallback after ${attempts.map((a) => a.id).join(', ')} failed`;
      attempts.push({ id, ok: true, reason });
      return { name: id, tfName: tf.getBackend(), reason, attempts };
    }
    attempts.push({ id, ok: false, reason: failure });
  }
  throw new BackendError(
    `no tfjs backend could be initialised: ${attempts.map((a) => `${a.id}: ${a.reason}`).join('; ')}`,
  );
}

export interface BackendReport {
  id: BackendId;
  loads: boolean;
  /** Failure reason, or a note (e.g. "inference only"). */
  note: string;
  /** Micro-benchmark: one conv3d (see benchmarkConv3d). Absent when the backend does not load. */
  gflops?: number;
  msPerConv?: number;
  /** Milliseconds to load and initialise the backend (WebGPU/SwiftShader start-up can take seconds). */
  initMs?: number;
}

/** Shape of the micro-benchmark convolution: batch 1, 16³ voxels, 8 → 8 channels, 3³ kernel, 'same'. */
export const BENCH_SHAPE = { size: 16, cin: 8, cout: 8, k: 3 } as const;

/** Time one small conv3d on the active backend; GFLOP/s counts 2·(multiply–adds). */
export async function benchmarkConv3d(minMs = 300): Promise<{ gflops: number; msPerConv: number }> {
  const { size, cin, cout, k } = BENCH_SHAPE;
  const x = tf.randomNormal([1, size, size, size, cin], 0, 1, 'float32', 1) as tf.Tensor5D;
  const w = tf.randomNormal([k, k, k, cin, cout], 0, 0.1, 'float32', 2) as tf.Tensor5D;
  try {
    const run = async () => {
      const y = conv3d(x, w, 1, 'same');
      await y.data();
      y.dispose();
    };
    await run(); // warm-up: shader compilation / wasm instantiation
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < minMs || n < 2) {
      await run();
      n++;
    }
    const ms = (performance.now() - t0) / n;
    const flops = 2 * size ** 3 * k ** 3 * cin * cout;
    return { gflops: flops / (ms * 1e6), msPerConv: ms };
  } finally {
    x.dispose();
    w.dispose();
  }
}

/**
 * Try every backend, benchmark those that load, then restore the backend that was active before.
 * Slow on purpose (WebGPU start-up, timing): meant for `cycledecon backends`, not for every run.
 */
export async function listBackends(opts: { benchmarkMs?: number } = {}): Promise<BackendReport[]> {
  const previous = tf.getBackend();
  const reports: BackendReport[] = [];
  const previousConv = getConv3dImpl();
  for (const id of BACKEND_IDS) {
    const t0 = performance.now();
    const failure = await tryBackend(id);
    const initMs = performance.now() - t0;
    if (failure !== null) {
      reports.push({ id, loads: false, note: failure });
      continue;
    }
    const conv = selectConvImpl(id);
    const note = `${id === 'wasm' ? 'inference only (tfjs 4.22 wasm Conv3D gradients are wrong)' : 'ok'}; conv3d: ${conv}`;
    try {
      const b = await benchmarkConv3d(opts.benchmarkMs ?? 300);
      reports.push({ id, loads: true, note, initMs, ...b });
    } catch (e) {
      reports.push({ id, loads: true, note: `loads, but conv3d failed: ${message(e)}`, initMs });
    }
  }
  if (previous) await tf.setBackend(previous);
  setConv3dImpl(previousConv);
  return reports;
}
