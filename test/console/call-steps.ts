import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Engine } from '../../testing/engine.js';
import { officerLine } from '../calls/support.js';

/** On a case screen at 21:xx the debtor's time: "may I call" says not before 08:00, and the officer's call is refused with the next permitted time, nothing dialed. */
export async function expectCallRefused(page: Page, engine: Engine): Promise<void> {
  await expect.poll(() => page.getByTestId('may-i-call').textContent()).toMatch(/^Not now, from .*\(08:00 debtor's time\)/);
  await page.getByLabel(/Your phone/).fill(officerLine);
  await page.getByRole('button', { name: 'Call debtor' }).click();
  const refused = page.getByRole('alert').filter({ hasText: 'Not dialed' });
  await refused.waitFor();
  expect(await refused.textContent()).toMatch(/next permitted at \d{4}-\d{2}-\d{2}T/);
  expect(engine.twilio.calls).toHaveLength(0);
}
