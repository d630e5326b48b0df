/// <reference lib="dom" />
// The single-stack viewer in Debian's chromium against `cycledecon serve`: import a calibrated uint16 stack,
// scroll z with the wheel, read the raw value under the mouse and compare it with the file's, zoom, draw a line
// profile, compare it with a long-named copy, see it in 3D with µm axes. Screenshots in test-output/screenshots/viewer-*.png.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createVolumeWriter, readVolume } from '../../src-main/core/io/index';
import { repoRoot, tempDir } from '../helpers';
import { ensureRendererBuilt, startServer, type Served } from './serve';
import { CHROMIUM, openBrowser, optionWith } from './ui';

const hasChromium = existsSync(CHROMIUM);
const shots = join(repoRoot, 'test-output', 'screenshots');
const SHAPE: [number, number, number] = [10, 40, 56];

/**
 * A stack where every voxel's value names its place (3000 z + 60 y + x) plus a bright bead and a bar to look at,
 * 0.2 × 0.2 × 0.5 µm voxels (so XZ is 2.5× taller per slice than a pixel is wide).
 */
async function writeStack(path: string, offset = 0): Promise<void> {
  const [nz, ny, nx] = SHAPE;
  const data = new Float32Array(nz * ny * nx);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const bead = 20000 * Math.exp(-(((x - 36) ** 2 + (y - 14) ** 2) / 8 + (z - 6) ** 2 / 2));
        const bar = y >= 26 && y <= 29 && x >= 8 && x <= 48 && z >= 3 && z <= 7 ? 15000 : 0;
        data[(z * ny + y) * nx + x] = 3000 * z + 60 * y + x + bead + bar + offset;
      }
  const w = await createVolumeWriter(path, {
    shape: SHAPE,
    voxelSize: { x: 0.2, y: 0.2, z: 0.5, unit: 'µm' },
    dtype: 'uint16',
  });
  await w.writeSlices(data, nz);
  await w.close();
}

describe.skipIf(!hasChromium)('the single-stack viewer in the browser', () => {
  let server: Served;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const work = tempDir('cycledecon-e2e-viewer-');
  const stack = join(work, 'calibrated.tif');
  const longName = join(work, 'calibrated-copy-with-a-very-long-name-deconvolved-by-another-tool-for-comparison.tif');
  const shot = (name: string) => page.screenshot({ path: join(shots, `viewer-${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    ensureRendererBuilt();
    await writeStack(stack);
    await writeStack(longName, 7); // different content: the project keeps one copy of identical files
    server = await startServer(['--allow', work]);
    ({ browser, page } = await openBrowser(errors));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Moves the mouse to the centre of XY pixel (x, y) and returns the readout's voxel and value. */
  async function hoverPixel(
    x: number,
    y: number,
  ): Promise<{ x: number; y: number; z: number; value: number; text: string }> {
    const box = await page.evaluate(() => {
      const c = document.querySelector('[data-testid="plane-xy"]') as HTMLCanvasElement;
      const r = c.getBoundingClientRect();
      return { left: r.left + c.clientLeft, top: r.top + c.clientTop, width: c.clientWidth, height: c.clientHeight };
    });
    await page.mouse.move(box.left + ((x + 0.5) / SHAPE[2]) * box.width, box.top + ((y + 0.5) / SHAPE[1]) * box.height);
    const r = page.locator('[data-testid="pixel-readout"]');
    const n = async (a: string) => Number(await r.getAttribute(a));
    return {
      x: await n('data-x'),
      y: await n('data-y'),
      z: await n('data-z'),
      value: await n('data-value'),
      text: (await r.textContent()) ?? '',
    };
  }

  it('scrolls z with the wheel and reads the file’s own value at the mouse, in µm', async () => {
    await page.goto(`${server.url}/#token=${server.token}`);
    await page.waitForSelector('[data-testid="create-project"]');
    await page.fill('[data-testid="new-dir"]', join(work, 'project'));
    await page.fill('[data-testid="new-name"]', 'Viewer');
    await page.click('[data-testid="create-project"]');
    await page.waitForURL(/#\/datasets/);
    await page.fill('[data-testid="import-paths"]', [stack, longName].join('\n'));
    await page.click('[data-testid="import-button"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="dataset-table"] tbody tr').length === 2);

    await page.click('[data-nav="slices"]');
    await page.waitForURL(/#\/slices/);
    await page.waitForSelector('[data-testid="plane-xy"]');
    expect(await page.textContent('[data-testid="z-index"]')).toBe('6 / 10');
    expect(await page.textContent('[data-testid="slices-calibration"]')).toContain('from the file');

    const file = await readVolume(stack);
    const at = (z: number, y: number, x: number) => file.data[(z * SHAPE[1] + y) * SHAPE[2] + x]!;
    // Wheel up twice over XY: z 5 → 7 (0-based).
    await hoverPixel(36, 14);
    await page.mouse.wheel(0, -100);
    await page.mouse.wheel(0, -100);
    await page.waitForFunction(() => document.querySelector('[data-testid="z-index"]')?.textContent === '8 / 10');
    const r = await hoverPixel(20, 13);
    expect([r.x, r.y, r.z]).toEqual([20, 13, 7]);
    expect(r.value).toBe(at(7, 13, 20));
    expect(r.value).toBe(3000 * 7 + 60 * 13 + 20);
    // Position in µm: 20 × 0.2, 13 × 0.2, 7 × 0.5.
    expect(r.text).toContain('4.00, 2.60, 3.50 µm');
    const bead = await hoverPixel(36, 14);
    expect(bead.value).toBe(at(7, 14, 36));
    await shot('01-slices');

    // Keys: ',' twice goes back to z 5; the side planes are drawn at the physical aspect (0.5 µm z steps).
    await page.keyboard.press(',');
    await page.keyboard.press(',');
    expect(await page.textContent('[data-testid="z-index"]')).toBe('6 / 10');
    const size = (id: string) =>
      page.$eval(`[data-testid="${id}"]`, (c): [number, number] => [
        (c as HTMLElement).clientWidth,
        (c as HTMLElement).clientHeight,
      ]);
    const [xyW, xyH] = await size('plane-xy');
    const [, xzH] = await size('plane-xz');
    expect(xyW / xyH).toBeCloseTo(56 / 40, 1);
    expect(xzH / xyH).toBeCloseTo((10 * 0.5) / (40 * 0.2), 1);

    // Ctrl+wheel zooms about the mouse: the pixel under it stays, the edges move in.
    await hoverPixel(36, 14);
    for (let i = 0; i < 4; i++) {
      await page.keyboard.down('Control');
      await page.mouse.wheel(0, -100);
      await page.keyboard.up('Control');
    }
    expect(await page.textContent('[data-testid="z-index"]')).toBe('6 / 10');
    const edge = await page.evaluate(() => {
      const c = document.querySelector('[data-testid="plane-xy"]') as HTMLCanvasElement;
      const r = c.getBoundingClientRect();
      return { x: r.left + c.clientLeft + 1, y: r.top + c.clientTop + 1 };
    });
    await page.mouse.move(edge.x, edge.y);
    expect(Number(await page.getAttribute('[data-testid="pixel-readout"]', 'data-x'))).toBeGreaterThan(10);
    await shot('02-zoomed');
    await page.keyboard.press('r');

    // A line across the bar (x 20, y 20 → 34): raw values in µm along it.
    const box = await page.evaluate(() => {
      const c = document.querySelector('[data-testid="plane-xy"]') as HTMLCanvasElement;
      const r = c.getBoundingClientRect();
      return { left: r.left + c.clientLeft, top: r.top + c.clientTop, width: c.clientWidth, height: c.clientHeight };
    });
    const p = (x: number, y: number) =>
      [box.left + ((x + 0.5) / SHAPE[2]) * box.width, box.top + ((y + 0.5) / SHAPE[1]) * box.height] as const;
    await page.mouse.move(...p(20, 20));
    await page.mouse.down();
    await page.mouse.move(...p(20, 27), { steps: 4 });
    await page.mouse.move(...p(20, 34), { steps: 4 });
    await page.mouse.up();
    await page.waitForSelector('[data-testid="line-profile"] svg');
    expect(await page.textContent('[data-testid="line-profile"]')).toContain('distance (µm)');
    await shot('03-line-profile');

    // Compare: the same planes; a long title does not push its images down.
    await page.click('[data-nav="compare"]');
    await page.waitForURL(/#\/compare/);
    await page.selectOption(
      '[data-testid="compare-item-0"]',
      await optionWith(page, '[data-testid="compare-item-0"]', 'calibrated.tif'),
    );
    await page.selectOption(
      '[data-testid="compare-item-1"]',
      await optionWith(page, '[data-testid="compare-item-1"]', 'very-long-name'),
    );
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="compare-panels"] canvas').length === 4);
    await page.waitForTimeout(300);
    const tops = await page.$$eval('[data-testid="compare-panels"] .cpanel canvas', (cs) =>
      cs.map((c) => Math.round(c.getBoundingClientRect().top)),
    );
    expect(tops[0]).toBe(tops[2]);
    expect(tops[1]).toBe(tops[3]);
    const readouts = await page.$$eval('[data-testid="compare-readout"]', (rs) =>
      rs.map((r) => r.getAttribute('data-value')),
    );
    expect(Number(readouts[1]) - Number(readouts[0])).toBe(7);
    await shot('04-compare');

    // 3D: µm tick labels along the edges (x spans 56 × 0.2 = 11.2 µm) and a scale bar in µm.
    await page.click('[data-nav="viewer"]');
    await page.waitForURL(/#\/viewer/);
    await page.waitForSelector('[data-testid="volume-scale-bar"]', { timeout: 30_000 });
    await page.waitForTimeout(1500);
    expect(await page.textContent('[data-testid="volume-scale-bar"]')).toMatch(/^\s*(1|2|5)0* µm\s*$/);
    const ticks = await page.$$eval('.stage3d .tick.end', (ts) => ts.map((t) => t.textContent ?? ''));
    expect(ticks).toContain('x 10 µm');
    await shot('05-3d-units');
    expect(errors.filter((e) => !/^HTTP 409 \/api\/project\.get$/.test(e))).toEqual([]);
  }, 240_000);
});
