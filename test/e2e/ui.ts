// Steps the browser tests share: the same clicks, so one change of the Deconvolve panel is fixed in one place.
import type { Page } from 'playwright-core';

/** The value of the first <option> under `selector` whose text contains `text` ('' when none). */
export async function optionWith(page: Page, selector: string, text: string): Promise<string> {
  const opts = await page.$$eval(`${selector} option`, (os) => os.map((o) => ({ v: (o as HTMLOptionElement).value, t: o.textContent ?? '' })));
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
