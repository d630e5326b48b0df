// The command line's out-of-core switches: --stream is refused before any work unless input and output are
// OME-Zarr, and `deconvolve --method rl --stream` gives the in-memory result within RL's seam bound.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { runCli } from '../../../../src-main/cli/main';
import { openVolume, readVolume } from '../../../../src-main/core/io/index';
import { createZarrWriter } from '../../../../src-main/core/io/zarr/write';
import { tempDir } from '../../../helpers';
import { readZarr } from './helpers';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [],
    err: string[] = [];
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l), interactive: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('--stream on the command line', () => {
  const dir = tempDir();
  const psf = join(dir, 'psf.tif'),
    tif = join(dir, 's', 'blurred.tif'),
    zarrIn = join(dir, 'in.zarr');

  it('refuses a TIFF input or a TIFF output with a typed error before any work', async () => {
    expect(
      (await cli(['psf', '--na', '1.0', '--wavelength', '0.5', '--dxy', '0.1', '--dz', '0.3', '--size', '5,9,9', psf]))
        .code,
    ).toBe(0);
    expect((await cli(['synth', join(dir, 's'), '--shape', '12,48,40', '--seed', '5'])).code).toBe(0);
    expect((await cli(['convert', tif, zarrIn])).code).toBe(0);
    const a = await cli(['rl', tif, join(dir, 'a.zarr'), '--psf', psf, '--stream']);
    expect(a.code).toBe(1);
    expect(a.err).toMatch(/--stream: needs an OME-Zarr input and a \.zarr output/);
    const b = await cli(['deconvolve', '--method', 'rl', '--psf', psf, zarrIn, join(dir, 'b.tif'), '--stream']);
    expect(b.code).toBe(1);
    expect(b.err).toMatch(/needs an OME-Zarr input and a \.zarr output/);
    expect(existsSync(join(dir, 'a.zarr.partial'))).toBe(false);
    const c = await cli(['rl', zarrIn, join(dir, 'c.zarr'), '--psf', psf, '--stream', '--chunk', '8,30,32']);
    expect(c.code).toBe(1);
    expect(c.err).toMatch(/--chunk: 8,30,32: y and x must be multiples of 8/);
  });

  it('deconvolve --method rl --stream matches the in-memory run within 0.1 % of the range', async () => {
    const common = ['deconvolve', '--method', 'rl', '--psf', psf, '--iters', '15'];
    expect((await cli([...common, zarrIn, join(dir, 'mem.tif')])).code).toBe(0);
    const s = await cli([...common, '--stream', '--chunk', '4,16,16', '--json', zarrIn, join(dir, 'str.zarr')]);
    expect(s.code, s.err).toBe(0);
    expect((JSON.parse(s.out) as { streamed: { boxes: number; computed: number }[] }).streamed[0]).toMatchObject({
      boxes: 3 * 3 * 3,
      computed: 27,
    });
    const want = (await readVolume(join(dir, 'mem.tif'))).data,
      got = await readZarr(join(dir, 'str.zarr'));
    let m = 0,
      lo = Infinity,
      hi = -Infinity;
    for (let i = 0; i < want.length; i++) {
      m = Math.max(m, Math.abs(got[i]! - want[i]!));
      lo = Math.min(lo, want[i]!);
      hi = Math.max(hi, want[i]!);
    }
    expect(m / (hi - lo)).toBeLessThan(1e-3);
  }, 60_000);

  it('streams every channel and frame of a hyperstack into its place', async () => {
    const shape = [6, 24, 24] as [number, number, number],
      n = 6 * 24 * 24;
    const hyper = join(dir, 'hyper.zarr');
    const w = await createZarrWriter(hyper, {
      shape,
      channels: 2,
      frames: 2,
      voxelSize: { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' },
      dtype: 'float32',
    });
    for (let t = 0; t < 2; t++)
      for (let c = 0; c < 2; c++) {
        await w.writeSlicesAt(
          c,
          t,
          0,
          Float32Array.from({ length: n }, (_, i) => 50 + 100 * c + 30 * t + ((i * (7 + c + 3 * t)) % 40)),
        );
      }
    await w.close();
    const common = ['rl', hyper, '--psf', psf, '--iters', '5'];
    expect((await cli([...common.slice(0, 2), join(dir, 'hyper-mem.tif'), ...common.slice(2)])).code).toBe(0);
    const s = await cli([
      ...common.slice(0, 2),
      join(dir, 'hyper-str.zarr'),
      ...common.slice(2),
      '--stream',
      '--chunk',
      '3,16,16',
    ]);
    expect(s.code, s.err).toBe(0);
    const mem = await openVolume(join(dir, 'hyper-mem.tif')),
      str = await openVolume(join(dir, 'hyper-str.zarr'));
    expect([str.info.channels, str.info.frames]).toEqual([2, 2]);
    for (let t = 0; t < 2; t++)
      for (let c = 0; c < 2; c++) {
        const want = await mem.readSlices(0, 6, { channel: c, frame: t }),
          got = await str.readSlices(0, 6, { channel: c, frame: t });
        let m = 0,
          lo = Infinity,
          hi = -Infinity;
        for (let i = 0; i < n; i++) {
          m = Math.max(m, Math.abs(got[i]! - want[i]!));
          lo = Math.min(lo, want[i]!);
          hi = Math.max(hi, want[i]!);
        }
        expect(m / (hi - lo)).toBeLessThan(1e-3);
      }
    await mem.close();
    await str.close();
  }, 60_000);
});
