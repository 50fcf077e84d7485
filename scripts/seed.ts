import { readFile } from 'node:fs/promises';
import type { Client } from '@temporalio/client';
import { createStrategyVersion } from '../api/services/strategies.js';
import { enrollAccount } from '../api/services/enrollment.js';
import { seedTemplates } from '../api/services/templates.js';
import { ZAccountEnrollment } from '../domain/account.js';
import type { Db } from '../lib/db.js';

/**
 * The demo a newcomer sees: two strategies and a few accounts. Safe to run on every start. With the
 * link secret, DEMO-1001's page (the link in its SMS and email) opens with last name Ruiz and ZIP
 * 60601, date of birth 1980-04-23, or last four 1001.
 */
export async function seedDemo({ db, temporal, identitySecret }: { db: Db; temporal: Client; identitySecret?: string }): Promise<{ cases: string[] }> {
  for (const file of ['consumer-early.json', 'demo-fast.json']) {
    const definition = JSON.parse(await readFile(new URL(`../examples/${file}`, import.meta.url), 'utf8')) as { key: string };
    const exists = await db.strategy.count({ where: { key: definition.key } });
    if (!exists) await createStrategyVersion({ db, definition, actor: 'seed' });
  }
  await seedTemplates(db);
  const accounts = JSON.parse(await readFile(new URL('./demo-accounts.json', import.meta.url), 'utf8')) as unknown[];
  const cases: string[] = [];
  for (const account of accounts) {
    const { caseId } = await enrollAccount({ db, temporal, input: ZAccountEnrollment.parse(account), actor: 'seed', identitySecret });
    cases.push(caseId);
  }
  return { cases };
}
