/// <reference lib="dom" />
// The PSF inspector's pupil panel in Debian's chromium against `cycledecon serve`: a "learned" pupil PSF in a
// run-like folder (psf.tif + psf-pupil.json from the trainer's writer) and the `psf-fit --bead` output for a bead
// made with other aberrations; the inspector shows the learned pupil, then learned vs measured.
// Screenshots: test-output/screenshots/psf-pupil-*.png (1440×900).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { runCli } from '../../src-main/cli/main';
import { makeVolume, writeVolume } from '../../src-main/core/io/index';
import { PUPIL_PARAM_NAMES, PupilPsf } from '../../src-main/core/psf/pupil';
import { writePupilFile } from '../../src-main/core/train/pupil-file';
import { repoRoot, tempDir } from '../helpers';
import { ensureRendererBuilt, startServer, type Served } from './serve';
import { CHROMIUM, openBrowser, optionWith } from './ui';

const hasChromium = existsSync(CHROMIUM);
const shots = join(repoRoot, 'test-output', 'screenshots');
const OPTICS = { na: 1.2, wavelength: 0.52, ni: 1.515, ns: 1.33, dxy: 0.1, dz: 0.25 };
const SIZE: [number, number, number] = [31, 25, 25];

/**
 * The pupil model's PSF for the given parameters (the rest 0), unit sum, written as a calibrated TIFF; with `noise`,
 * a bead-like stack: a background of 2 % of the peak and Gaussian noise of `noise` × peak (seeded), so that the
 * fit's residual and its σ are not zero.
 */
async function writePupilPsf(path: string, params: Record<string, number>, noise = 0): Promise<void> {
  const psf = new PupilPsf({ ...OPTICS, size: SIZE }).forward(PUPIL_PARAM_NAMES.map((n) => params[n] ?? 0));
  const peak = psf.reduce((a, b) => Math.max(a, b), 0);
  let seed = 12345;
  const uniform = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) + 0.5) / 2 ** 31;
  if (noise > 0)
    for (let i = 0; i < psf.length; i++)
      psf[i]! += peak * (0.02 + noise * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()));
  const sum = psf.reduce((a, b) => a + b, 0);
  const voxel = { x: OPTICS.dxy, y: OPTICS.dxy, z: OPTICS.dz, unit: 'µm' };
  await writeVolume(
    path,
    makeVolume(
      Float32Array.from(psf, (v) => v / sum),
      SIZE,
      voxel,
    ),
  );
}

describe.skipIf(!hasChromium)('the PSF inspector’s pupil panel in the browser', () => {
  let server: Served;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const work = tempDir('cycledecon-e2e-pupil-');
  const run = join(work, 'run_pupil0001');
  const learned = {
    z0: 0.1,
    depth: 5,
    apodisation: 0.2,
    Z5: 0.06,
    Z6: -0.02,
    Z7: 0,
    Z8: 0.01,
    Z9: 0,
    Z10: 0,
    Z11: 0.09,
  };

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    mkdirSync(run);
    ensureRendererBuilt();
    await writePupilPsf(join(run, 'psf.tif'), learned);
    const start = Object.fromEntries(Object.keys(learned).map((k) => [k, 0]));
    await writePupilFile(run, { step: 2000, optics: OPTICS, params: learned, start });
    // The "measured" bead: more astigmatism, less spherical aberration than learned; fitted by the CLI.
    await writePupilPsf(join(work, 'bead.tif'), { depth: 6, Z5: 0.1, Z11: 0.04 }, 0.005);
    const out: string[] = [];
    const optics = ['--na', '1.2', '--wavelength', '0.52', '--ni', '1.515', '--ns', '1.33'];
    const ctx = { out: (l: string) => out.push(l), err: (l: string) => out.push(l), interactive: false };
    const bead = ['psf-fit', '--bead', join(work, 'bead.tif'), ...optics, '--out', join(work, 'bead-fit.tif')];
    expect(await runCli(bead, ctx), out.join('\n')).toBe(0);
    server = await startServer(['--allow', work]);
    ({ browser, page } = await openBrowser(errors));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the learned pupil, then learned vs the bead fit', async () => {
    await page.goto(`${server.url}/#token=${server.token}`);
    await page.waitForSelector('[data-testid="create-project"]');
    await page.fill('[data-testid="new-dir"]', join(work, 'project'));
    await page.fill('[data-testid="new-name"]', 'Pupil');
    await page.click('[data-testid="create-project"]');
    await page.waitForURL(/#\/datasets/);
    await page.fill('[data-testid="import-paths"]', [join(run, 'psf.tif'), join(work, 'bead-fit.tif')].join('\n'));
    await page.click('[data-testid="import-button"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="dataset-table"] tbody tr').length === 2);

    await page.click('[data-nav="psf"]');
    await page.waitForURL(/#\/psf/);
    const picker = '[data-testid="psf-picker"] select';
    await page.selectOption(picker, await optionWith(page, picker, 'psf.tif'));
    await page.waitForSelector('[data-testid="pupil-panel"]', { timeout: 60_000 });
    const z11 = page.locator('[data-testid="pupil-params"] tr[data-param="Z11"] [data-testid="value"]');
    expect(await z11.textContent()).toBe('0.09');
    expect(await page.locator('[data-testid="pupil-panel"] rect[data-testid="bar"]').count()).toBe(7);
    const section = page.locator('[data-testid="pupil-section"]');
    await section.scrollIntoViewIfNeeded();
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(shots, 'psf-pupil-learned.png') });

    const other = page.locator('[data-testid="pupil-other"] select');
    await other.selectOption(await optionWith(page, '[data-testid="pupil-other"] select', 'bead-fit.tif'));
    await page.waitForSelector('[data-testid="pupil-compare"]', { timeout: 60_000 });
    // the bead fit recovers its astigmatism: B − A of Z5 is about 0.1 − 0.06
    const diff = await page
      .locator('[data-testid="pupil-compare"] tr[data-param="Z5"] [data-testid="diff"]')
      .textContent();
    expect(Number.parseFloat(diff ?? '')).toBeCloseTo(0.04, 1);
    expect(diff).toMatch(/ ± \d/); // the noisy bead's fit has a σ
    expect(
      await page.locator('[data-testid="pupil-compare"] tr[data-param="NA_eff"] [data-testid="b"]').textContent(),
    ).toMatch(/^1\.\d/);
    await page.locator('[data-testid="pupil-compare"]').scrollIntoViewIfNeeded();
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(shots, 'psf-pupil-compare.png') });
    expect(errors.filter((e) => !/^HTTP 409 \/api\/project\.get$/.test(e))).toEqual([]); // no project yet at start
  });
});
