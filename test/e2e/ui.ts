// Steps the browser tests share: the same clicks, so one change of the Deconvolve panel is fixed in one place.
import type { Browser, Page } from 'playwright-core';

/** The value of the first <option> under `selector` whose text contains `text` ('' when none). */
export async function optionWith(page: Page, selector: string, text: string): Promise<string> {
  const opts = await page.$$eval(`${selector} option`, (os) =>
    os.map((o) => ({ v: (o as HTMLOptionElement).value, t: o.textContent ?? '' })),
  );
  return opts.find((o) => o.t.includes(text))?.v ?? '';
}

/** Queues Richardson–Lucy of the dataset named `input` with the PSF dataset named `psf`, from the Deconvolve panel; returns the input's id. */
export async function queueRl(page: Page, input: string, psf: string, iterations: number): Promise<string> {
  const inputId = await optionWith(page, '[data-testid="deconv-input"]', input);
  await page.selectOption('[data-testid="deconv-input"]', inputId);
  await page.selectOption('[data-testid="deconv-method"]', 'rl');
  await page.selectOption('[data-testid="deconv-psf"]', await optionWith(page, '[data-testid="deconv-psf"]', psf));
  await page.fill('[data-testid="deconv-iterations"]', String(iterations));
  await page.click('[data-testid="deconv-queue"]');
  await page.waitForSelector('text=Queued job_');
  return inputId;
}

export const CHROMIUM = '/usr/bin/chromium';

/** Debian's chromium, headless with software WebGL, on a 1440×900 page that records page errors, console errors and HTTP failures in `errors`. */
export async function openBrowser(errors: string[]): Promise<{ browser: Browser; page: Page }> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--use-gl=angle',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on(
    'console',
    (m) =>
      m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(`console: ${m.text()}`),
  );
  page.on('response', (r) => r.status() >= 400 && errors.push(`HTTP ${r.status()} ${new URL(r.url()).pathname}`));
  return { browser, page };
}

/**
 * The 3D canvas read back through a 2D canvas: how many pixels are lit (r+g+b above 120, brighter than the
 * background), of how many, and their mean colour (an overlay of cyan and magenta channels has red, green and blue).
 */
export function canvasLight(page: Page): Promise<{ lit: number; total: number; r: number; g: number; b: number }> {
  return page.evaluate(() => {
    const c = document.querySelector('[data-testid="volume-canvas"]') as HTMLCanvasElement;
    const probe = document.createElement('canvas');
    probe.width = c.width;
    probe.height = c.height;
    const ctx = probe.getContext('2d') as CanvasRenderingContext2D;
    ctx.drawImage(c, 0, 0);
    const px = ctx.getImageData(0, 0, c.width, c.height).data;
    let lit = 0,
      r = 0,
      g = 0,
      b = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i]! + px[i + 1]! + px[i + 2]! <= 120) continue;
      lit++;
      r += px[i]!;
      g += px[i + 1]!;
      b += px[i + 2]!;
    }
    return { lit, total: px.length / 4, r: r / (lit || 1), g: g / (lit || 1), b: b / (lit || 1) };
  });
}
