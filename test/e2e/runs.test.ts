/// <reference lib="dom" />
// End to end (chromium against `cycledecon serve`): the model deconvolution refused before any training, a tiny
// training run with the microscope optics, its run list after a reload, an AutoQuant result linked to its
// input, and the Compare report written and opened through /files. Screenshots (1440×900) go to
// test-output/screenshots/runs-*.png.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { repoRoot, sampleData, tempDir } from '../helpers';
import { readVolume } from '../../src-main/core/io/reader';
import { createVolumeWriter } from '../../src-main/core/io/writer';
import { ensureRendererBuilt, startServer, type Served } from './serve';
import { CHROMIUM, optionWith, openBrowser } from './ui';

const hasChromium = existsSync(CHROMIUM);
const shots = join(repoRoot, 'test-output', 'screenshots');
const bars = sampleData('flowdec_bars25');

describe.skipIf(!hasChromium)('training runs, validation and linked comparisons in a browser', () => {
  let server: Served;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const work = tempDir('cycledecon-e2e-runs-');

  const shot = (name: string) => page.screenshot({ path: join(shots, `runs-${name}.png`), fullPage: true });
  const go = async (route: string) => {
    await page.click(`[data-nav="${route}"]`);
    await page.waitForURL(new RegExp(`#/${route}`));
  };
  const row = (name: string) => page.locator('[data-testid="dataset-table"] tbody tr', { hasText: name });

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    ensureRendererBuilt();
    // An "AutoQuant result": any stack of the input's shape does for the plumbing, but not a byte copy of the
    // input (the import skips duplicates by content).
    const input = await readVolume(join(bars, 'data.tif'));
    const aq = await createVolumeWriter(join(work, 'aq-result.tif'), {
      shape: input.shape,
      voxelSize: input.voxelSize,
      dtype: 'float32',
    });
    await aq.writeSlices(
      input.data.map((v) => v * 1.5),
      input.shape[0],
    );
    await aq.close();
    server = await startServer(['--allow', bars, '--allow', work]);
    ({ browser, page } = await openBrowser(errors));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('refuses a model job up front, trains with optics, lists the run after a reload, and reports a linked AutoQuant result', async () => {
    await page.goto(`${server.url}/#token=${server.token}`);
    await page.waitForSelector('[data-testid="create-project"]');
    await page.fill('[data-testid="new-dir"]', join(work, 'runs-project'));
    await page.fill('[data-testid="new-name"]', 'Bars runs');
    await page.click('[data-testid="create-project"]');
    await page.waitForURL(/#\/datasets/);
    await page.fill(
      '[data-testid="import-paths"]',
      [join(bars, 'data.tif'), join(bars, 'actual.tif'), join(work, 'aq-result.tif')].join('\n'),
    );
    await page.click('[data-testid="import-button"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="dataset-table"] tbody tr').length === 3);
    await row('actual.tif').locator('[data-testid="role-select"]').selectOption('sharp');
    await row('aq-result.tif').locator('[data-testid="role-select"]').selectOption('autoquant');
    await page.waitForSelector('[data-testid="linked-to"]');

    // No model yet: Queue stays disabled and says why.
    await page.selectOption('[data-testid="deconv-method"]', 'model');
    await page.waitForSelector('[data-testid="deconv-no-model"]');
    expect(await page.isDisabled('[data-testid="deconv-queue"]')).toBe(true);
    await shot('01-datasets-no-model');

    await go('training');
    await page.selectOption('[data-testid="train-preset"]', 'tiny');
    await page.fill('[data-testid="train-na"]', '1.4');
    await page.fill('[data-testid="train-wavelength"]', '0.52');
    await page.click('[data-testid="train-advanced"]');
    await page.fill('[data-testid="train-max-steps"]', '3');
    expect(await page.locator('[data-testid="train-problems"]').count()).toBe(0);
    await page.click('[data-testid="train-start"]');
    await page.waitForSelector('[data-testid="train-check-ok"], [data-testid="train-warning"]', { timeout: 180_000 });
    await shot('02-training-done');

    // A reload (or a closed tab) keeps the run: the list, its curves and its PSF come back from the run folder.
    await page.reload();
    await page.waitForSelector('[data-testid="run-list"] tbody tr', { timeout: 30_000 });
    await page.waitForSelector('[data-testid="train-run-label"]');
    await page.waitForFunction(() => document.querySelectorAll('.loss-chart path').length > 0, undefined, {
      timeout: 30_000,
    });
    expect(await page.textContent('[data-testid="train-run-label"]')).toContain('tiny');
    expect(await page.inputValue('[data-testid="train-na"]')).toBe('1.4'); // the form remembers
    await shot('03-run-list-after-reload');

    await go('datasets');
    await row('aq-result.tif')
      .locator('[data-testid="linked-to"]')
      .selectOption(await optionWith(page, '[data-testid="linked-to"]', 'data.tif'));
    await page.selectOption(
      '[data-testid="deconv-input"]',
      await optionWith(page, '[data-testid="deconv-input"]', 'data.tif'),
    );
    await page.selectOption('[data-testid="deconv-method"]', 'model');
    expect(await page.isDisabled('[data-testid="deconv-queue"]')).toBe(false);
    await page.click('[data-testid="deconv-queue"]');
    await page.waitForSelector('text=Queued job_');
    await shot('04-datasets-linked');

    await go('queue');
    await page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll('[data-testid="job-table"] tr[data-state]')).filter(
          (r) => r.getAttribute('data-state') === 'done',
        ).length === 2,
      undefined,
      { timeout: 180_000 },
    );

    await go('compare');
    await page.selectOption(
      '[data-testid="compare-item-0"]',
      await optionWith(page, '[data-testid="compare-item-0"]', 'data.tif'),
    );
    await page.selectOption(
      '[data-testid="compare-item-1"]',
      await optionWith(page, '[data-testid="compare-item-1"]', 'aq-result.tif'),
    );
    await page.waitForFunction(
      () => !(document.querySelector('[data-testid="compare-report"]') as HTMLButtonElement).disabled,
    );
    await page.click('[data-testid="compare-report"]');
    await page.waitForSelector('[data-testid="report-queued"]');
    await page.waitForTimeout(1500);
    await shot('05-compare');

    await go('queue');
    await page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll('[data-testid="job-table"] tr[data-state]')).filter((r) =>
          ['done', 'failed'].includes(r.getAttribute('data-state') ?? ''),
        ).length === 3,
      undefined,
      { timeout: 180_000 },
    );
    expect(await page.locator('[data-testid="job-table"] tr[data-state="failed"]').count(), server.output()).toBe(0);
    await shot('06-queue');
    const href = await page.locator('[data-testid="job-outputs"] a', { hasText: '.html' }).first().getAttribute('href');
    expect(href).toMatch(/^\/files\/result\/res_/);
    const res = await page.goto(`${server.url}${href}`);
    expect(res?.status()).toBe(200);
    await page.waitForTimeout(500);
    await shot('07-report');
    // Served sandboxed (devserver/file-headers.ts): the page has an opaque origin, so the tab's token is out of
    // its reach, yet the report still works without scripts: verdict first, a click enlarges a panel.
    expect(res?.headers()['content-security-policy']).toMatch(/^sandbox;/);
    expect(
      await page.evaluate(() => {
        try {
          sessionStorage.getItem('cycledecon.token');
          return 'readable';
        } catch {
          return 'blocked';
        }
      }),
    ).toBe('blocked');
    expect(await page.textContent('.verdict')).toMatch(/^Verdict\./);
    await page.locator('.panel img').first().click();
    expect(
      await page
        .locator('.panel img')
        .first()
        .evaluate((img) => getComputedStyle(img).position),
    ).toBe('fixed');
    await page.screenshot({ path: join(shots, 'runs-08-report-enlarged.png') }); // the viewport: the enlarged panel fills it

    const expected = /^HTTP 409 \/api\/project\.get$|^HTTP 501 \/api\/metrics\.compute$/;
    expect(errors.filter((e) => !expected.test(e))).toEqual([]);
  }, 600_000);
});
