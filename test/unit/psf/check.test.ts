// A PSF file is checked before any work: real PSFs (measured beads, computed ones) pass; a structured object
// (pollen, a nucleus), several beads, an off-centre spot or a negative stack fail, saying which check failed.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkPsf, measurePsf } from '../../../src-main/core/psf/check';
import { gaussianPsf } from '../../../src-main/core/psf/kernels';
import { createVolumeWriter, makeVolume, readVolume, writeVolume, type Shape3 } from '../../../src-main/core/io/index';
import { InvalidVolumeError } from '../../../src-main/core/errors';
import { runCli } from '../../../src-main/cli/main';
import { mulberry32, sampleData, tempDir } from '../../helpers';

const vs = { x: 0.1, y: 0.1, z: 0.25, unit: 'µm' };

function capture() {
  const out: string[] = [],
    err: string[] = [];
  return { out, err, ctx: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), interactive: false } };
}

/** Gaussian spots (amplitude, centre z,y,x, sigma) on a noisy background. */
function spots(
  shape: Shape3,
  list: { a: number; at: [number, number, number]; s: [number, number, number] }[],
  bg = 100,
  seed = 1,
) {
  const [nz, ny, nx] = shape,
    rnd = mulberry32(seed),
    d = new Float32Array(nz * ny * nx);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        let v = bg + 4 * (rnd() - 0.5);
        for (const p of list)
          v +=
            p.a *
            Math.exp(
              -(((z - p.at[0]) / p.s[0]) ** 2 + ((y - p.at[1]) / p.s[1]) ** 2 + ((x - p.at[2]) / p.s[2]) ** 2) / 2,
            );
        d[(z * ny + y) * nx + x] = v;
      }
  return makeVolume(d, shape, vs);
}

/** A textured nucleus-like ellipsoid filling much of the field, blurred edges. */
function nucleus(): ReturnType<typeof makeVolume> {
  const shape: Shape3 = [16, 64, 64],
    [nz, ny, nx] = shape,
    rnd = mulberry32(5),
    d = new Float32Array(nz * ny * nx);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const r = Math.hypot((z - 7.5) / 6, (y - 31.5) / 22, (x - 31.5) / 18);
        d[(z * ny + y) * nx + x] = 100 + (1000 / (1 + Math.exp((r - 1) * 12))) * (0.8 + 0.4 * rnd());
      }
  return makeVolume(d, shape, vs);
}

describe('PSF checks', () => {
  // Real PSFs from the committed copies in test/fixtures/shared-data.
  const realPsfs = [
    ['flowdec_bead25', 'kernel.tif'],
    ['flowdec_psfgen', 'psfgen1.tif'],
    ['pycudadecon_psf', 'psf.tif'],
    ['pyotf_bead_psf', 'psf_wl520nm_z300nm_x130nm_na0.85_n1.0.tif'],
    ['sdeconv_pollen', 'gibsonlanni.tif'],
  ];
  for (const f of realPsfs) {
    it(`pass the real PSF ${f.join('/')}`, async () => {
      const psf = await readVolume(sampleData(...f), { channelsAsZ: true });
      expect(() => checkPsf(psf, f.join('/'))).not.toThrow();
    });
  }

  it('refuse the pollen grain stack: light spread over the field', async () => {
    const pollen = await readVolume(sampleData('sdeconv_pollen', 'pollen.tif'));
    expect(() => checkPsf(pollen, 'pollen.tif')).toThrow(InvalidVolumeError);
    expect(() => checkPsf(pollen, 'pollen.tif')).toThrow(/pollen.tif does not look like a PSF/);
  });

  it('pass a computed Gaussian PSF, from a 3×3×3 box to a box as large as an image', () => {
    expect(() => checkPsf(makeVolume(gaussianPsf([3, 3, 3], [0.5, 0.5, 0.5]), [3, 3, 3], vs), 'tiny')).not.toThrow();
    expect(() => checkPsf(makeVolume(gaussianPsf([9, 15, 15], [1.5, 1, 1]), [9, 15, 15], vs), 'small')).not.toThrow();
    expect(() =>
      checkPsf(spots([32, 96, 96], [{ a: 1000, at: [15.5, 47.5, 47.5], s: [3, 1.2, 1.2] }]), 'large'),
    ).not.toThrow();
  });

  it('refuse a nucleus-like stack, naming the spread', () => {
    const m = measurePsf(nucleus());
    expect(m.halfMaxArea).toBeGreaterThan(0.2);
    expect(() => checkPsf(nucleus(), 'nucleus.tif')).toThrow(
      /above half its peak in the z projection; a PSF's light is concentrated/,
    );
  });

  it('refuse two beads, an off-centre bead and a stack with deep negative values, each naming its check', () => {
    const two = spots(
      [16, 48, 48],
      [
        { a: 1000, at: [8, 24, 14], s: [2, 1, 1] },
        { a: 900, at: [8, 24, 34], s: [2, 1, 1] },
      ],
    );
    expect(() => checkPsf(two, 'two')).toThrow(/2 separate bright regions/);
    const off = spots([16, 48, 48], [{ a: 1000, at: [8, 4, 24], s: [2, 1, 1] }]);
    expect(() => checkPsf(off, 'off')).toThrow(/away from the centre along y/);
    const neg = makeVolume(gaussianPsf([9, 15, 15], [1.5, 1, 1]), [9, 15, 15], vs);
    neg.data[0] = -0.5 * neg.data.reduce((m, v) => Math.max(m, v), 0);
    expect(() => checkPsf(neg, 'neg')).toThrow(/a PSF is non-negative/);
  });

  it('rl refuses a nucleus given as the PSF before writing anything; psf-info reads planes stored as channels as z', async () => {
    const dir = tempDir();
    await writeVolume(join(dir, 'nucleus.tif'), nucleus());
    await writeVolume(join(dir, 'img.tif'), spots([8, 32, 32], [{ a: 500, at: [4, 16, 16], s: [1, 1, 1] }]));
    const c = capture();
    expect(
      await runCli(['rl', join(dir, 'img.tif'), join(dir, 'out.tif'), '--psf', join(dir, 'nucleus.tif')], c.ctx),
    ).toBe(1);
    expect(c.err.join('\n')).toMatch(/nucleus.tif does not look like a PSF/);
    expect(existsSync(join(dir, 'out.tif'))).toBe(false);
    // channels=5, slices=1: what older tifffile wrote for imwrite(psf, imagej=True).
    const psf = gaussianPsf([5, 9, 9], [1, 1, 1]);
    const w = await createVolumeWriter(join(dir, 'planes.tif'), { shape: [1, 9, 9], voxelSize: vs, channels: 5 });
    for (let z = 0; z < 5; z++) await w.writeSlicesAt(z, 0, 0, psf.subarray(z * 81, (z + 1) * 81));
    await w.close();
    const info = capture();
    expect(await runCli(['psf-info', join(dir, 'planes.tif'), '--json'], info.ctx)).toBe(0);
    expect((JSON.parse(info.out.join('\n')) as { shape: number[] }).shape).toEqual([5, 9, 9]);
    expect(info.err.join('\n')).toMatch(
      /5 planes are stored as channels with 1 slice .* read as a z-stack of 5 slices/,
    );
    // rl takes it as the 5-plane PSF it is: the result equals rl with the same PSF stored as z.
    await writeVolume(join(dir, 'psf-z.tif'), makeVolume(psf, [5, 9, 9], vs));
    expect(
      await runCli(
        ['rl', join(dir, 'img.tif'), join(dir, 'a.tif'), '--psf', join(dir, 'planes.tif'), '--iters', '3'],
        capture().ctx,
      ),
    ).toBe(0);
    expect(
      await runCli(
        ['rl', join(dir, 'img.tif'), join(dir, 'b.tif'), '--psf', join(dir, 'psf-z.tif'), '--iters', '3'],
        capture().ctx,
      ),
    ).toBe(0);
    expect(Array.from((await readVolume(join(dir, 'a.tif'))).data)).toEqual(
      Array.from((await readVolume(join(dir, 'b.tif'))).data),
    );
  });
});
