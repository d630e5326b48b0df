// Every CLI command refuses bad input with a clear message naming the flag or file and a non-zero exit
// code, and never replaces an existing file without --force. The table is the one in docs/reliability.md.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../src-main/cli/main';
import { repoRoot, tempDir } from '../../helpers';

// assets/sample: flowdec "Hollow Bars" (Apache-2.0, see assets/sample/README.md); test/fixtures/model-bars: the demo run.
const S = join(repoRoot, 'assets', 'sample', 'bars_blurred.tif');
const P = join(repoRoot, 'assets', 'sample', 'bars_psf.tif');
const M = join(repoRoot, 'test', 'fixtures', 'model-bars');
const out = join(tempDir(), 'out.tif');
const dir = tempDir();

/** argv, expected exit code, and what stderr must say. */
const cases: [string[], number, RegExp][] = [
  [['info'], 2, /give exactly one TIFF file/],
  [['info', 'nope.tif'], 1, /nope\.tif does not exist/],
  [['info', join(repoRoot, 'README.md')], 1, /README\.md: not a TIFF file/],
  [['info', S, '--bogus'], 2, /Unknown option '--bogus'/],
  [['convert', S], 2, /give an input and an output file/],
  [['convert', S, out, '--dtype', 'int8'], 1, /--dtype: "int8" is not one of float32, uint16/],
  [['convert', S, out, '--channel=-1'], 1, /channel/],
  [['convert', S, out, '--channel', '3'], 1, /channel: 3 is out of range/],
  [['psf', '--model', 'born-wolf', '/tmp/p.tif'], 2, /--na: is required/],
  [
    ['psf', '--model', 'born-wolf', '--na', '7', '--wavelength', '0.5', '--dxy', '0.1', '--dz', '0.2', out],
    1,
    /--na: 7 is above the maximum/,
  ],
  [
    ['psf', '--model', 'born-wolf', '--na', '1.2', '--wavelength', 'abc', '--dxy', '0.1', '--dz', '0.2', out],
    1,
    /--wavelength: "abc" is not a number/,
  ],
  [
    [
      'psf',
      '--model',
      'born-wolf',
      '--na',
      '1.2',
      '--wavelength',
      '0.5',
      '--dxy',
      '0.1',
      '--dz',
      '0.2',
      '--size',
      '4,4,4',
      out,
    ],
    1,
    /size: each dimension must be an odd/,
  ],
  [['psf-info', 'nope.tif'], 1, /nope\.tif does not exist/],
  [['psf-info', P, '--background', 'xyz'], 1, /--background: "xyz" is not a number/],
  [['psf-fit', '--blurred', 'nope.tif', '--sharp', S], 1, /nope\.tif does not exist/],
  [['psf-fit', '--blurred', S], 2, /--sharp: is required/],
  [['psf-fit', '--blurred', S, '--sharp', S, '--out', out, '--size', '4,5,5'], 1, /--size: 4,5,5 must be odd/],
  [['rl', S, out], 2, /--psf: is required/],
  [['rl', S, out, '--psf', P, '--iters', '0'], 1, /--iters: 0 is below the minimum 1/],
  [['rl', S, out, '--psf', P, '--iters', '2.5'], 1, /--iters: "2\.5" must be a whole number/],
  [['rl', S, out, '--psf', 'nope.tif'], 1, /nope\.tif does not exist/],
  [['rl', S, out, '--psf', P, '--tv', '-1'], 2, /--tv/],
  [['rl', S, out, '--psf', P, '--background', 'abc'], 1, /--background: must be 'auto' or a number ≥ 0, got abc/],
  [['rl', S, out, '--psf', P, '--boundary', 'mirror'], 1, /--boundary: "mirror" is not one of extend, reflect, zero/],
  [['rl', S, out, '--psf', P, '--accel', 'fast'], 1, /--accel: "fast" is not one of none, shb/],
  [['rl', S, out, '--psf', P, '--no-pad', '--boundary', 'extend'], 1, /--no-pad: contradicts --boundary/],
  [
    ['deconvolve', '--method', 'rl', '--psf', P, '--background', '5', S, out],
    1,
    /--background: 5: deconvolve normalises tiles/,
  ],
  [['metrics', S], 2, /--gt: is required/],
  [['metrics', '--gt', S, P], 1, /differ in shape/],
  [['synth', dir, '--shape', '1,2'], 1, /--shape: "1,2" must be three positive integers/],
  [['synth', dir, '--seed', 'x'], 1, /--seed: "x" is not a number/],
  [['backends', '--ms=-3'], 1, /--ms/],
  [['train', '--blurred', S, '--out', join(dir, 'run')], 2, /--sharp: is required/],
  [
    ['train', '--blurred', S, '--sharp', S, '--out', join(dir, 'run'), '--preset', 'huge'],
    1,
    /--preset: "huge" is not one of paper, fast, tiny/,
  ],
  [['train', '--blurred', 'nope', '--sharp', S, '--out', join(dir, 'run')], 1, /nope does not exist/],
  [['deconvolve', S, out], 2, /--model: is required/],
  [['deconvolve', '--model', join(dir, 'no-such-run'), S, out], 1, /no-such-run.*config\.json does not exist/],
  [['deconvolve', '--model', M, S, out, '--tile', '0,1'], 1, /--tile: "0,1" is not "auto" or three whole numbers/],
  [['deconvolve', '--model', M, '--method', 'magic', S, out], 1, /--method: "magic" is not one of model, rl/],
  [['report', join(dir, 'rep')], 2, /--input: is required/],
  [['report', '--input', 'nope.tif', '--result', S, join(dir, 'rep')], 1, /nope\.tif does not exist/],
  [['serve', '--port', '70000'], 1, /--port: 70000 is above the maximum 65535/],
  [
    ['serve', '--project', join(repoRoot, 'README.md', 'proj')],
    1,
    /cannot create the project folder .*README\.md\/proj: a file is in the way/,
  ],
];

async function run(argv: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const code = await runCli(argv, { out: () => undefined, err: (l) => err.push(l), interactive: false });
  return { code, err: err.join('\n') };
}

describe('CLI input validation', () => {
  it.each(cases)('%j → exit %i', async (argv, code, message) => {
    const r = await run(argv);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/internal error/);
    expect(r.code).toBe(code);
  });

  it('leaves no run folder behind when an input of train is missing', async () => {
    const runDir = join(dir, 'missing-input-run');
    for (const argv of [
      ['train', '--blurred', 'nope', '--sharp', S, '--out', runDir],
      ['train', '--blurred', S, '--sharp', 'nope2', '--out', runDir],
      [
        'train',
        '--blurred',
        S,
        '--sharp-source',
        'rl',
        '--rl-psf',
        'nope3.tif',
        '--na',
        '1.2',
        '--wavelength',
        '0.52',
        '--out',
        runDir,
      ],
    ]) {
      const r = await run(argv);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.err).toMatch(/nope\d?(\.tif)? does not exist/);
      expect(existsSync(runDir), argv.join(' ')).toBe(false);
    }
  });

  it('reports an error raised inside the training worker with its message and hint, not as an internal error', async () => {
    // The empty run folder passes the CLI's own checks; the trainer, in the worker thread, finds no checkpoint.
    const runDir = join(dir, 'resume-without-checkpoint');
    const r = await run(['train', '--preset', 'tiny', '--blurred', S, '--sharp', S, '--out', runDir, '--resume']);
    expect(r.err).toMatch(/has no checkpoint to resume\n {2}Start without --resume\./);
    expect(r.err).not.toMatch(/internal error/);
    expect(r.code).toBe(1);
  });

  it('never replaces an existing file without --force, and leaves it byte-identical', async () => {
    const before = createHash('sha256').update(readFileSync(S)).digest('hex');
    for (const argv of [
      ['convert', S, S],
      ['rl', S, S, '--psf', P, '--iters', '1'],
      ['deconvolve', '--model', M, S, S],
    ]) {
      const r = await run(argv);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.err).toMatch(/already exists[\s\S]*--force/);
    }
    expect(createHash('sha256').update(readFileSync(S)).digest('hex')).toBe(before);
  }, 60_000);
});
