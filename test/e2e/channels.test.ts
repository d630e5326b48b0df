/// <reference lib="dom" />
// A 2-channel stack end to end in Debian's chromium against `cycledecon serve`: import it, see both channels
// in the Datasets preview, deconvolve both with Richardson–Lucy, compare each channel before and after, and
// overlay the channels in 3D. Screenshots in test-output/screenshots/channels-*.png.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { readTiffInfo } from '../../src-main/core/io/index';
import { repoRoot, tempDir } from '../helpers';
import { ensureRendererBuilt, startServer, type Served } from './serve';
import { CHROMIUM, canvasLight, openBrowser, queueRl } from './ui';
import { writeTwoChannelScene } from './two-channel-stack';

const hasChromium = existsSync(CHROMIUM);
const shots = join(repoRoot, 'test-output', 'screenshots');

describe.skipIf(!hasChromium)('a 2-channel stack in the browser', () => {
  let server: Served;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const work = tempDir('cycledecon-e2e-ch-');
  const stack = join(work, 'two-channel.tif');
  const psf = join(work, 'psf.tif');

  const shot = (name: string) => page.screenshot({ path: join(shots, `channels-${name}.png`), fullPage: true });
  const go = async (route: string) => {
    await page.click(`[data-nav="${route}"]`);
    await page.waitForURL(new RegExp(`#/${route}`));
  };

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    ensureRendererBuilt();
    await writeTwoChannelScene(stack, psf);
    server = await startServer(['--allow', work]);
    ({ browser, page } = await openBrowser(errors));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('imports, shows both channels, deconvolves both with RL, compares them and overlays them in 3D', async () => {
    await page.goto(`${server.url}/#token=${server.token}`);
    await page.waitForSelector('[data-testid="create-project"]');
    await page.fill('[data-testid="new-dir"]', join(work, 'project'));
    await page.fill('[data-testid="new-name"]', 'Two channels');
    await page.click('[data-testid="create-project"]');
    await page.waitForURL(/#\/datasets/);

    await page.fill('[data-testid="import-paths"]', [stack, psf].join('\n'));
    await page.click('[data-testid="import-button"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="dataset-table"] tbody tr').length === 2);
    const row = page.locator('[data-testid="dataset-table"] tbody tr', { hasText: 'two-channel.tif' });
    expect(await row.locator('[data-testid="dataset-ct"]').textContent()).toContain('2 × 1');
    expect(await row.locator('[data-testid="dataset-voxel-size"]').textContent()).toContain('from the file');
    await row.click();

    // Both channels in the preview, one after the other.
    await page.waitForSelector('[data-testid="preview-canvas"]');
    expect(await page.locator('[data-testid="preview-channel"] option').count()).toBe(2);
    expect(await page.textContent('[data-testid="preview-canvas"]')).toContain('channel 1');
    await shot('01-datasets-channel-1');
    await page.selectOption('[data-testid="preview-channel"]', '1');
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="preview-canvas"]')?.textContent?.includes('channel 2'),
    );
    await page.waitForTimeout(300);
    await shot('02-datasets-channel-2');

    // Richardson–Lucy of the stack: every channel.
    const stackId = await queueRl(page, 'two-channel.tif', 'psf.tif', 15);
    await go('queue');
    await page.waitForSelector(
      '[data-testid="job-table"] tr[data-state="done"], [data-testid="job-table"] tr[data-state="failed"]',
      { timeout: 120_000 },
    );
    expect(await page.locator('[data-testid="job-table"] tr[data-state="failed"]').count(), server.output()).toBe(0);
    await shot('03-queue');
    const results = join(work, 'project', 'results');
    const out = (await import('node:fs')).readdirSync(results).find((f) => f.endsWith('.tif'))!;
    const info = await readTiffInfo(join(results, out));
    expect(info.channels).toBe(2);
    expect(info.voxelSize.x).toBeCloseTo(0.1, 6);
    expect(info.extra['cycledecon.voxelSizeSource']).toBe('file');

    // Compare: stack and result, channel 1 and channel 2 of each.
    await go('compare');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="compare-panels"] canvas').length >= 4,
      undefined,
      { timeout: 60_000 },
    );
    const first = await page.inputValue('[data-testid="compare-item-0"]');
    const second = await page.inputValue('[data-testid="compare-item-1"]');
    expect(first).toBe(stackId);
    expect(second).not.toBe('');
    await page.click('text=+ panel');
    await page.click('text=+ panel');
    await page.selectOption('[data-testid="compare-item-2"]', first);
    await page.selectOption('[data-testid="compare-item-3"]', second);
    await page.selectOption('[data-testid="compare-2-channel"]', '1');
    await page.selectOption('[data-testid="compare-3-channel"]', '1');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="compare-panels"] canvas').length >= 8,
      undefined,
      { timeout: 60_000 },
    );
    await page.waitForTimeout(800);
    const titles = await page.$$eval('[data-testid="compare-panels"] .head strong', (es) =>
      es.map((e) => e.textContent ?? ''),
    );
    expect(titles.filter((t) => t.includes('channel 2'))).toHaveLength(2);
    expect(titles.filter((t) => t.includes('channel 1'))).toHaveLength(2);
    await shot('04-compare-both-channels');

    // 3D: the result with both channels overlaid, cyan and magenta.
    await go('viewer');
    await page.selectOption('.controls select >> nth=0', second);
    await page.waitForSelector('[data-testid="volume-canvas"]');
    await page.selectOption('[data-testid="render-mode"]', 'overlay');
    await page.waitForSelector('[data-testid="channel-colours"] select >> nth=1');
    await page.waitForTimeout(2500);
    const c = await canvasLight(page);
    expect(c.lit, 'the overlay rendering is blank').toBeGreaterThan(100);
    // Cyan (0, g, b) alone has no red and magenta (r, 0, b) no green: both present means both channels drew.
    expect(c.r).toBeGreaterThan(40);
    expect(c.g).toBeGreaterThan(40);
    await shot('05-viewer-overlay');
    const expected = /^HTTP 409 \/api\/project\.get$|^HTTP 501 \/api\/metrics\.compute$/;
    expect(errors.filter((e) => !expected.test(e))).toEqual([]);
  }, 300_000);
});
