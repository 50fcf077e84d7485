import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { consoleIsStale } from '../../console/build.js';
import { startEngine, type Engine, type EngineOptions } from '../../testing/engine.js';

/**
 * What every browser test of the console shares: Debian's Chromium (skipped with a warning when
 * absent), the console built when a source is newer than the last build, the real engine beside
 * the browser, signing in with a key, and screenshots for a reviewer.
 */

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(chromiumPath);
if (!hasChromium) {
  console.warn(`test/console: SKIPPED — no Chromium at ${chromiumPath}. Install it (apt-get install chromium) or set CHROMIUM_PATH to run the browser tests.`);
}

const screenshots = path.resolve('test-results/screenshots');

/**
 * The engine (serving the built console; `options` as startEngine takes them) and a browser, started side by side. `console: false`
 * skips the console build (a test of a page the API renders itself, such as the debtor's page).
 */
export async function startEngineAndBrowser(options: EngineOptions = {}, { console: withConsole = true }: { console?: boolean } = {}): Promise<[Engine, Browser]> {
  // The API serves console/dist: build it first when a source is newer than the last build.
  if (withConsole && consoleIsStale()) await promisify(execFile)(process.execPath, ['--import', 'tsx', 'console/build.ts'], { timeout: 120_000 });
  await mkdir(screenshots, { recursive: true });
  return Promise.all([startEngine(options), chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-dev-shm-usage'] })]);
}

export async function signIn(engine: Engine, page: Page, key: string, role: string): Promise<void> {
  await page.goto(`${engine.baseUrl}/console/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => page.getByTestId('role').textContent()).toBe(role);
}

export const shot = (page: Page, name: string) => page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });

/** Types a card into localstripe's fake card Element (its inputs are named by their placeholders). */
export async function enterCard(page: Page, number: string) {
  const element = page.getByTestId('card-element');
  await element.getByPlaceholder('number').fill(number);
  await element.getByPlaceholder('exp_month').fill('12');
  await element.getByPlaceholder('exp_year').fill('30');
  await element.getByPlaceholder('cvc').fill('123');
  await element.getByPlaceholder('postal_code').fill('60601');
}
