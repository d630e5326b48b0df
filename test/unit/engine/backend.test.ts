// Backend selection: forcing, fall-through with recorded reasons, wasm refused for training, the
// micro-benchmark listing, and (when a WebGPU adapter can be created here) the ops' numbers on webgpu vs cpu.
import { describe, it, expect, afterEach, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  BACKEND_ENV,
  initBackend,
  listBackends,
  parseBackendId,
  preferenceOrder,
  tryBackend,
} from '../../../src-main/core/nn/backend';
import {
  conv3d,
  conv3dTranspose,
  crop3d,
  instanceNorm3d,
  reflectPad3d,
  upsample3d,
} from '../../../src-main/core/nn/ops';
import { buildDiscriminator, buildPsfLayer, buildUNet, disposeModule } from '../../../src-main/core/nn/models';
import { BackendError, InvalidParameterError } from '../../../src-main/core/errors';
import { runCli } from '../../../src-main/cli/main';
import { randomTensor } from './gradcheck';
import { resetFlags } from '../../../src-main/core/flags';

const savedEnv = process.env[BACKEND_ENV];
afterEach(() => {
  if (savedEnv === undefined) delete process.env[BACKEND_ENV];
  else process.env[BACKEND_ENV] = savedEnv;
  resetFlags();
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('backend selection', () => {
  it('parses names and aliases, rejects unknown ones', () => {
    expect(parseBackendId('tfjs-node')).toBe('node');
    expect(parseBackendId(' CUDA ')).toBe('node-gpu');
    expect(() => parseBackendId('metal')).toThrow(InvalidParameterError);
  });
  it('never offers wasm for training', () => {
    expect(preferenceOrder('train')).not.toContain('wasm');
    expect(preferenceOrder('inference')).toContain('wasm');
  });
  it('an explicit request wins', async () => {
    const c = await initBackend({ preferred: 'cpu', purpose: 'train' });
    expect(c).toMatchObject({ name: 'cpu', tfName: 'cpu', reason: 'requested' });
    expect(tf.getBackend()).toBe('cpu');
  });
  it(`${BACKEND_ENV} forces a backend`, async () => {
    process.env[BACKEND_ENV] = 'cpu';
    resetFlags(); // flags are read once (core/flags.ts)
    expect((await initBackend({ purpose: 'inference' })).reason).toMatch(BACKEND_ENV);
  });
  it('a forced backend that does not load falls through and records why (tfjs-node is not installed here)', async () => {
    const c = await initBackend({ preferred: 'node', purpose: 'train' });
    expect(c.attempts[0]).toMatchObject({ id: 'node', ok: false });
    expect(c.attempts[0]!.reason).toMatch(/tfjs-node/);
    expect(c.attempts.at(-1)?.ok).toBe(true);
    expect(c.name).toBe(c.attempts.at(-1)?.id);
    await expect(initBackend({ preferred: 'node', purpose: 'train', strict: true })).rejects.toThrow(BackendError);
  });
  it('refuses wasm for training unless a correct conv3d is installed by the caller', async () => {
    await expect(initBackend({ preferred: 'wasm', purpose: 'train' })).rejects.toThrow(BackendError);
  });
  it('lists every backend with a reason, and benchmarks those that load', async () => {
    const reports = await listBackends({ benchmarkMs: 20 });
    expect(reports.map((r) => r.id)).toEqual(['node-gpu', 'node', 'webgpu', 'wasm', 'cpu']);
    const cpu = reports.find((r) => r.id === 'cpu')!;
    expect(cpu.loads).toBe(true);
    expect(cpu.gflops).toBeGreaterThan(0);
    for (const r of reports) expect(r.note.length).toBeGreaterThan(0);
    expect(tf.getBackend()).toBe('cpu'); // restored
  }, 30_000);
  it('`cycledecon backends --json` prints the report', async () => {
    const out: string[] = [];
    expect(
      await runCli(['backends', '--json', '--ms', '10'], {
        out: (l) => out.push(l),
        err: () => undefined,
        interactive: false,
      }),
    ).toBe(0);
    const report = JSON.parse(out.join('\n'));
    expect(report.backends).toHaveLength(5);
    expect(report.train.name).not.toBe('wasm');
    // Where the native kernel stands, with the file it loaded or the reason it did not.
    expect(Object.keys(report.nativeKernel).sort()).toEqual(['error', 'loaded', 'path']);
    if (report.nativeKernel.loaded) expect(report.nativeKernel.path).toMatch(/prebuilds\/linux-x64\/conv\.node$/);
    else expect(report.nativeKernel.error).toEqual(expect.any(String));
  }, 30_000);
});

describe('ops on webgpu equal cpu (skipped when no WebGPU adapter can be created)', () => {
  it('forward values and gradients of conv3d, conv3dTranspose, instance norm, up-sampling, reflect pad', async (ctx) => {
    await tf.setBackend('cpu');
    const run = async () => {
      const outs = tf.tidy(() => {
        const x = randomTensor([1, 4, 4, 4, 2], 1) as tf.Tensor5D;
        const w = randomTensor([3, 3, 3, 2, 2], 2) as tf.Tensor5D;
        const f = (a: tf.Tensor, b: tf.Tensor) => {
          const h = instanceNorm3d(
            conv3d(
              reflectPad3d(a as tf.Tensor5D, [
                [1, 1],
                [1, 1],
                [1, 1],
              ]),
              b as tf.Tensor5D,
              2,
              'valid',
            ),
          );
          const u = crop3d(upsample3d(conv3dTranspose(h, b as tf.Tensor5D, 2, 'same')), [1, 0, 2], [6, 8, 5]);
          return tf.sum(tf.mul(u, randomTensor([1, 6, 8, 5, 2], 3)));
        };
        const [gx, gw] = tf.grads(f)([x, w]);
        return [f(x, w), gx!, gw!]; // one gradient per input
      });
      const arrays = await Promise.all(outs.map(async (t) => Array.from(await t.data())));
      tf.dispose(outs);
      return arrays;
    };
    const onCpu = await run();
    const failure = await tryBackend('webgpu', true);
    if (failure !== null) {
      ctx.skip(`webgpu unavailable: ${failure}`);
      return;
    }
    const onGpu = await run();
    onCpu.forEach((ref, i) =>
      ref.forEach((v, j) => expect(Math.abs(onGpu[i]![j]! - v)).toBeLessThan(1e-3 * (1 + Math.abs(v)))),
    );
    await tf.setBackend('cpu');
  }, 60_000);
  it('networks: U-Net, discriminator and PSF layer (with project) give the same losses and gradients', async (ctx) => {
    const run = async () => {
      const g = buildUNet({ levels: 2, baseChannels: 2, convsPerLevel: 1 }, 1, { name: 'wg_G' });
      const d = buildDiscriminator({ baseChannels: 2, modules: 3 }, 2, { name: 'wg_D' });
      const p = buildPsfLayer(
        { size: [3, 4, 3], init: 'gaussian', nonNegative: true, sumToOne: true, centred: true },
        { seed: 0, name: 'wg_P' },
      );
      const x = randomTensor([1, 8, 8, 8, 1], 4) as tf.Tensor5D;
      const vars = [...g.variables(), ...d.variables(), ...p.variables()];
      const { value, grads } = tf.variableGrads(() => tf.sum(d.apply(p.apply(g.apply(x)))) as tf.Scalar, vars);
      p.project();
      const outs = [value, ...vars.map((v) => grads[v.name]!), p.variables()[0]!];
      const arrays = await Promise.all(outs.map(async (t) => Array.from(await t.data())));
      tf.dispose([x, value, ...Object.values(grads)]);
      [g, d, p].forEach(disposeModule);
      return arrays;
    };
    await tf.setBackend('cpu');
    const onCpu = await run();
    const failure = await tryBackend('webgpu', true);
    if (failure !== null) {
      ctx.skip(`webgpu unavailable: ${failure}`);
      return;
    }
    const onGpu = await run();
    onCpu.forEach((ref, i) => {
      // Floor: biases followed by instance norm have an exactly-zero gradient on cpu, ~1e-8 noise on webgpu.
      const scale = Math.max(...ref.map(Math.abs), 1e-4);
      ref.forEach((v, j) => expect(Math.abs(onGpu[i]![j]! - v) / scale).toBeLessThan(1e-3));
    });
    await tf.setBackend('cpu');
  }, 60_000);
});
