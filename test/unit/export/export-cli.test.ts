// `cycledecon export`: the command writes ONNX that onnxruntime-node runs to CycleDecon's result, and a
// bioimage.io zip; bad input exits with a typed message before any work.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../src-main/cli/main';
import { repoRoot, tempDir } from '../../helpers';
import { cycleDeconInference, relL2, runOnnx, testStack } from './export-helpers';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, ctx: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), interactive: false } };
}

const demo = join(repoRoot, 'test', 'fixtures', 'model-bars');

describe('cycledecon export', () => {
  const dir = tempDir();

  it('--format onnx writes a model that onnxruntime runs to the same result as deconvolve’s network', async () => {
    const out = join(dir, 'g.onnx');
    const c = capture();
    expect(await runCli(['export', '--model', demo, '--format', 'onnx', '--out', out, '--json'], c.ctx)).toBe(0);
    expect(JSON.parse(c.out.join('\n'))).toMatchObject({ output: out, format: 'onnx' });
    const { x, shape } = await testStack();
    const got = await runOnnx(readFileSync(out), x, shape);
    expect(relL2(got, await cycleDeconInference(demo, x, shape))).toBeLessThan(1e-4);
    const again = capture();
    expect(await runCli(['export', '--model', demo, '--format', 'onnx', '--out', out], again.ctx)).toBe(1);
    expect(again.err.join('\n')).toMatch(/already exists/);
  }, 60_000);

  it('--format bioimageio with a .zip name writes the package and warns about the missing voxel size', async () => {
    const out = join(dir, 'demo.zip');
    const c = capture();
    expect(
      await runCli(
        [
          'export',
          '--model',
          demo,
          '--format',
          'bioimageio',
          '--out',
          out,
          '--author',
          'A. Tester',
          '--author',
          'B. Tester',
        ],
        c.ctx,
      ),
    ).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(c.out.join('\n')).toMatch(/BioImage Model Zoo package, zip: rdf\.yaml, weights\.onnx/);
    expect(c.err.join('\n')).toMatch(/records no voxel size/);
  }, 60_000);

  it('refuses a missing --format, an unknown format, a bad licence and a missing run, before any work', async () => {
    const cases: [string[], number, RegExp][] = [
      [['export', '--model', demo, '--out', join(dir, 'a.onnx')], 1, /--format.*required/],
      [
        ['export', '--model', demo, '--format', 'pytorch', '--out', join(dir, 'a.onnx')],
        1,
        /not one of onnx, bioimageio/,
      ],
      [
        ['export', '--model', demo, '--format', 'bioimageio', '--license', 'my licence', '--out', join(dir, 'p')],
        1,
        /SPDX/,
      ],
      [['export', '--model', join(dir, 'nope'), '--format', 'onnx', '--out', join(dir, 'b.onnx')], 1, /config\.json/],
      [['export', '--format', 'onnx', '--out', join(dir, 'c.onnx')], 2, /--model/],
    ];
    for (const [argv, code, message] of cases) {
      const c = capture();
      expect(await runCli(argv, c.ctx)).toBe(code);
      expect(c.err.join('\n')).toMatch(message);
    }
    expect(existsSync(join(dir, 'a.onnx')) || existsSync(join(dir, 'p')) || existsSync(join(dir, 'b.onnx'))).toBe(
      false,
    );
  }, 60_000);
});
