/// <reference lib="dom" />
// The demo's report read as a user reads it, in Debian's chromium: the same CLI steps as `npm run demo` (the bundled
// model on the bundled calibrated mixture sample, RL with its learned PSF, the report), written to a temp folder. The page must open with
// its verdict (and say so there when the output check flags the result), title every image panel, draw images at a
// useful size with a click to enlarge, and plot inline SVG with labelled axes and round ticks.
// Screenshots: test-output/screenshots/demo-report-*.png.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { repoRoot, tempDir } from '../helpers';
import { CHROMIUM, openBrowser } from './ui';

const hasChromium = existsSync(CHROMIUM);
const shots = join(repoRoot, 'test-output', 'screenshots');
const sample = join(repoRoot, 'assets', 'sample');
const model = join(repoRoot, 'assets', 'model');

function cli(args: string[]): void {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'cycledecon.js'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, CYCLEDECON_FROM_SOURCE: '1', CYCLEDECON_BACKEND: 'cpu' },
  });
  if (r.status !== 0) throw new Error(`cycledecon ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
}

/** Whether consecutive ticks step by one 1-2-5 × 10^k amount (linear) or by one factor of 10 (log decades). */
function roundTicks(values: number[]): boolean {
  if (values.length < 2) return true;
  const steps = values.slice(1).map((v, i) => v - values[i]!);
  const same = (xs: number[]) => xs.every((x) => Math.abs(x - xs[0]!) <= 1e-9 * Math.max(1, Math.abs(xs[0]!)));
  if (same(steps)) {
    const m = steps[0]! / 10 ** Math.floor(Math.log10(steps[0]!));
    return [1, 2, 5].some((n) => Math.abs(m - n) < 1e-6);
  }
  const mant = (v: number) => v / 10 ** Math.floor(Math.log10(v));
  return values.every((v) => v > 0 && [1, 2, 3, 5].some((n) => Math.abs(mant(v) - n) < 1e-6));
}

describe.skipIf(!hasChromium || !existsSync(join(model, 'config.json')))('the demo report in the browser', () => {
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const out = tempDir('cycledecon-e2e-demo-');
  const html = join(out, 'report', 'report.html');

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    const input = join(sample, 'mixture', 'blurred.tif');
    cli(['deconvolve', '--model', model, input, join(out, 'mixture_model.tif'), '--json']);
    cli([
      'deconvolve',
      '--method',
      'rl',
      '--psf',
      'learned',
      '--model',
      model,
      '--iters',
      '20',
      input,
      join(out, 'mixture_rl.tif'),
    ]);
    cli([
      'report',
      '--input',
      input,
      '--gt',
      join(sample, 'mixture', 'gt.tif'),
      '--theoretical-psf',
      join(sample, 'mixture', 'psf.tif'),
      '--clahe',
      '--run',
      model,
      '--result',
      join(out, 'mixture_model.tif'),
      '--rl',
      join(out, 'mixture_rl.tif'),
      join(out, 'report'),
    ]);
    ({ browser, page } = await openBrowser(errors));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('opens with its verdict, titles its panels, enlarges on click and plots round ticks with labelled axes', async () => {
    const json = JSON.parse(readFileSync(join(out, 'report', 'report.json'), 'utf8')) as {
      verdict: string;
      outputCheck: { passed: boolean };
    };
    await page.goto(pathToFileURL(html).href);
    await page.screenshot({ path: join(shots, 'demo-report-01-top.png') });
    // The verdict is the first thing under the title, and it carries the output check's outcome and the model's origin.
    expect(await page.evaluate(() => document.querySelector('h1')?.nextElementSibling?.className)).toBe('verdict');
    const verdict = (await page.textContent('.verdict')) ?? '';
    expect(verdict).toContain(json.verdict);
    expect(verdict).toMatch(json.outputCheck.passed ? /output check passed/ : /output check flagged it/);
    expect(verdict).toMatch(/Re-blurred with the PSF, the result explains the input (better|worse)/);
    expect(verdict).toMatch(/The model comes from run .*assets\/model/);
    // Issue #25: the learned PSF's width against the sample's true PSF, said at the top either way.
    expect(verdict).toMatch(/The learned PSF's width is (within|more than) 20 % (of|off) the theoretical PSF's/);

    // Every image panel has a title over it and is drawn at least 320 px wide.
    const panels = await page.$$eval('.panel', (ps) =>
      ps.map((p) => ({
        title: p.querySelector('h3')?.textContent ?? '',
        width: (p.querySelector('img') as HTMLImageElement).getBoundingClientRect().width,
      })),
    );
    expect(panels.length).toBeGreaterThanOrEqual(6); // input, result, RL, truth (+ CLAHE), learned and true PSF
    for (const p of panels) {
      expect(p.title.trim()).not.toBe('');
      expect(p.width).toBeGreaterThanOrEqual(320);
    }
    expect(panels.map((p) => p.title)).toEqual(
      expect.arrayContaining(['input', 'result', 'Richardson–Lucy', 'ground truth', 'learned PSF', 'theoretical PSF']),
    );

    // Plots: inline SVG, both axes labelled, ticks at round values, text at least 12 px.
    const plots = await page.$$eval('figure.plot svg', (svgs) =>
      svgs.map((svg) => {
        const texts = Array.from(svg.querySelectorAll('text'));
        const num = (t: Element) => Number((t.textContent ?? '').replace(/\u2212/g, '-'));
        return {
          labels: texts.filter((t) => t.getAttribute('font-weight') === '600').map((t) => t.textContent ?? ''),
          y: texts.filter((t) => t.getAttribute('text-anchor') === 'end').map(num),
          x: texts
            .filter((t) => t.getAttribute('text-anchor') === 'middle' && t.getAttribute('font-weight') !== '600')
            .map(num),
          smallestFont: Math.min(...texts.map((t) => parseFloat(getComputedStyle(t).fontSize))),
        };
      }),
    );
    expect(plots.length).toBeGreaterThanOrEqual(4); // two profiles, losses, re-blur
    for (const p of plots) {
      expect(p.labels.length, JSON.stringify(p)).toBe(2);
      expect(p.labels.every((l) => l.trim().length > 0)).toBe(true);
      expect(p.y.every(Number.isFinite) && roundTicks(p.y), `y ticks ${p.y}`).toBe(true);
      expect(p.x.every(Number.isFinite) && roundTicks(p.x), `x ticks ${p.x}`).toBe(true);
      expect(p.smallestFont).toBeGreaterThanOrEqual(12);
    }

    // Click to enlarge: the panel's image fills the window, a second click puts it back.
    const first = page.locator('.panel img').first();
    await first.click();
    expect(await first.evaluate((img) => getComputedStyle(img).position)).toBe('fixed');
    await page.screenshot({ path: join(shots, 'demo-report-02-enlarged.png') });
    await first.click();
    expect(await first.evaluate((img) => getComputedStyle(img).position)).not.toBe('fixed');
    await page.locator('figure.plot').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'demo-report-03-plots.png') });
    expect(errors).toEqual([]);
  }, 120_000);
});
