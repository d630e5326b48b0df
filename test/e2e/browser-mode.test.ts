/// <reference lib="dom" />
// Browser mode as a user meets it, with `cycledecon serve` started bare (no --project, no --allow): add a data
// folder and create a project from the Projects page, open a stack from the Datasets preview in the Slices viewer,
// generate a Born–Wolf PSF in the Deconvolve panel and queue RL–TV with it, check that the files the Queue links to
// are sandboxed, then restart the server (new token) and reconnect the open tab. Screenshots: test-output/screenshots/browser-*.png.
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createVolumeWriter } from '../../src-main/core/io/index';
import { repoRoot, tempDir } from '../helpers';
import { ensureRendererBuilt, startServer, type Served } from './serve';
import { CHROMIUM, openBrowser } from './ui';

const hasChromium = existsSync(CHROMIUM);
const shots = join(repoRoot, 'test-output', 'screenshots');

/** A calibrated stack (0.1 × 0.1 × 0.25 µm) with three beads on a dim background. */
async function writeStack(path: string): Promise<void> {
  const [nz, ny, nx] = [16, 48, 48];
  const data = new Float32Array(nz * ny * nx);
  const beads = [
    [8, 14, 14],
    [6, 30, 34],
    [10, 36, 12],
  ];
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        let v = 100;
        for (const [bz, by, bx] of beads)
          v += 5000 * Math.exp(-(((x - bx!) ** 2 + (y - by!) ** 2) / 6 + (z - bz!) ** 2 / 3));
        data[(z * ny + y) * nx + x] = v;
      }
  const w = await createVolumeWriter(path, {
    shape: [nz, ny, nx],
    voxelSize: { x: 0.1, y: 0.1, z: 0.25, unit: 'µm' },
    dtype: 'float32',
  });
  await w.writeSlices(data, nz);
  await w.close();
}

describe.skipIf(!hasChromium)('browser mode without folder flags', () => {
  let server: Served;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const work = tempDir('cycledecon-e2e-browser-');
  const dataDir = join(work, 'data');
  const projectDir = join(work, 'projects', 'exp1');
  const shot = (name: string) => page.screenshot({ path: join(shots, `browser-${name}.png`), fullPage: true });
  const go = async (route: string) => {
    await page.click(`[data-nav="${route}"]`);
    await page.waitForURL(new RegExp(`#/${route}`));
  };

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    mkdirSync(dataDir, { recursive: true });
    process.env.CYCLEDECON_HOME = join(work, 'home'); // the recent list survives the restart, and stays out of the user's
    ensureRendererBuilt();
    await writeStack(join(dataDir, 'beads.tif'));
    server = await startServer([]);
    ({ browser, page } = await openBrowser(errors));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('adds a folder, creates a project, opens Slices from the preview, generates a PSF, runs RL–TV, reconnects after a restart', async () => {
    await page.goto(`${server.url}/#token=${server.token}`);
    await page.waitForSelector('[data-testid="allowed-folders"]');
    expect(await page.textContent('[data-testid="allowed-folders"]')).toContain('None yet');

    // The home folder itself is refused (keys and settings live there); the data folder is added.
    await page.fill('[data-testid="add-folder"]', homedir());
    await page.click('[data-testid="add-folder-button"]');
    await page.waitForSelector('text=home folder');
    await shot('01-home-refused');
    await page.fill('[data-testid="add-folder"]', dataDir);
    await page.click('[data-testid="add-folder-button"]');
    await page.waitForFunction(
      (d) => document.querySelector('[data-testid="allowed-folders"]')?.textContent?.includes(d),
      dataDir,
    );

    await page.fill('[data-testid="new-dir"]', projectDir);
    await page.fill('[data-testid="new-name"]', 'Beads, no restart');
    await page.waitForSelector('[data-testid="new-dir-outside"]');
    await shot('02-projects');
    await page.click('[data-testid="create-project"]');
    await page.waitForURL(/#\/datasets/);

    await page.fill('[data-testid="import-paths"]', join(dataDir, 'beads.tif'));
    await page.click('[data-testid="import-button"]');
    await page.waitForSelector('[data-testid="preview-open-slices"]');
    await page.click('[data-testid="preview-open-slices"]');
    await page.waitForURL(/#\/slices\?id=ds_/);
    await page.waitForSelector('[data-testid="plane-xy"]');
    await page.waitForTimeout(500);
    expect(await page.textContent('[data-testid="slices-calibration"]')).toContain('16×48×48');
    await shot('03-slices-from-preview');

    await go('datasets');
    await page.selectOption('[data-testid="deconv-method"]', 'rl');
    await page.click('[data-testid="deconv-generate-toggle"]');
    expect(await page.inputValue('[data-testid="gen-dxy"]')).toBe('0.1'); // the stack's own voxel size, in µm
    expect(await page.inputValue('[data-testid="gen-dz"]')).toBe('0.25');
    await page.fill('[data-testid="gen-na"]', '1.2');
    await page.fill('[data-testid="gen-ni"]', '1.333');
    await page.fill('[data-testid="gen-wavelength"]', '0.6');
    await page.click('[data-testid="gen-psf"]');
    await page.waitForSelector('[data-testid="gen-made"]', { timeout: 60_000 });
    await page.locator('[data-testid="psf-generator"]').scrollIntoViewIfNeeded();
    await shot('04-psf-generator');
    expect(await page.inputValue('[data-testid="deconv-psf"]')).toMatch(/^res_/);
    await page.fill('[data-testid="deconv-iterations"]', '5');
    await page.fill('[data-testid="deconv-tv"]', '0.002');
    await page.click('[data-testid="deconv-queue"]');
    await page.waitForSelector('text=Queued job_');

    await go('queue');
    await page.waitForSelector(
      '[data-testid="job-table"] tr[data-state="done"], [data-testid="job-table"] tr[data-state="failed"]',
      { timeout: 240_000 },
    );
    expect(await page.locator('[data-testid="job-table"] tr[data-state="failed"]').count(), server.output()).toBe(0);
    await shot('05-queue');
    // The output the Queue links to comes sandboxed; its download link saves it.
    const links = page.locator('[data-testid="job-table"] tr[data-state="done"] [data-testid="job-outputs"] a');
    const open = await page.request.get(new URL((await links.nth(0).getAttribute('href'))!, server.url).href);
    expect(open.headers()['content-security-policy']).toMatch(/^sandbox;/);
    const save = await page.request.get(new URL((await links.nth(1).getAttribute('href'))!, server.url).href);
    expect(save.headers()['content-disposition']).toMatch(/^attachment; filename="beads/);

    // Restart on the same port: a new token. The tab notices by itself (its event socket closed, a probe got 401),
    // without a click, and takes the new address.
    const port = new URL(server.url).port;
    await server.stop();
    server = await startServer(['--port', port]);
    await page.waitForSelector('[data-testid="token-prompt"]', { timeout: 45_000 });
    await shot('06-token-prompt');
    await page.fill('[data-testid="token-input"]', `${server.url}/#token=${server.token}`);
    await page.click('[data-testid="token-reconnect"]');
    await page.waitForLoadState('load');
    await go('projects');
    const recent = page.locator('tr', { hasText: projectDir }).locator('button', { hasText: 'Open' });
    await recent.click();
    await page.waitForURL(/#\/datasets/);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="dataset-table"] tbody tr').length === 1);
    await shot('07-reconnected');

    // Expected: no project at start (409), the home folder refused (403), the old token refused after the restart (401).
    const expected =
      /^HTTP 409 \/api\/project\.get$|^HTTP 403 \/api\/folders\.allow$|^HTTP 401 \/api\/|WebSocket connection .* failed/;
    expect(errors.filter((e) => !expected.test(e))).toEqual([]);
  }, 600_000);
});
