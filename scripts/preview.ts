// `npm run preview -- <strategy.json|yaml> [account.json|yaml] [--start 2026-01-05T09:00:00Z]`
// Validates a strategy file and prints, for a sample account, the dated list of what its case
// would do and why: the same timeline code the case workflow runs (domain/preview.ts).
// The account file holds an account in the enrollment shape, or a whole preview request
// ({ account, startedAt?, events?, failures? }, see domain/preview-input.ts).
import { DateTime } from 'luxon';
import { previewStrategy } from '../domain/preview.js';
import { previewAccountOf, previewEventsOf, ZPreviewRequest, type TPreviewRequest } from '../domain/preview-input.js';
import { formatProblems, loadDataFile, loadStrategyFile } from '../domain/strategy-file.js';

/** Used when no account file is given: reachable on every channel, in Chicago. */
const sampleAccount = {
  currency: 'USD',
  balance: 125_000,
  daysPastDue: 30,
  debtor: {
    name: 'Ana Ruiz',
    email: 'ana@example.com',
    phone: '+15555550100',
    timeZone: 'America/Chicago',
    smsConsent: true,
    address: { line1: '1 Main St', city: 'Chicago', region: 'IL', postalCode: '60601', country: 'US' },
  },
};

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
const startFlag = args.indexOf('--start');
const startArg = startFlag >= 0 ? args[startFlag + 1] : undefined;
const [strategyFile, accountFile] = startFlag < 0 ? args : args.filter((_, index) => index !== startFlag && index !== startFlag + 1);
if (!strategyFile || args.includes('--help')) {
  fail('usage: npm run preview -- <strategy.json|yaml> [account.json|yaml] [--start 2026-01-05T09:00:00Z]');
}

const strategy = await loadStrategyFile(strategyFile);
if (!strategy.ok) fail(`${strategyFile} has ${strategy.problems.length} problem(s):\n${formatProblems(strategy.problems)}`);

let request: TPreviewRequest;
{
  let raw: unknown = { account: sampleAccount };
  if (accountFile) {
    const data = await loadDataFile(accountFile);
    if (!data.ok) fail(`${accountFile}: ${formatProblems(data.problems)}`);
    raw = typeof data.value === 'object' && data.value !== null && 'account' in data.value ? data.value : { account: data.value };
  }
  const parsed = ZPreviewRequest.safeParse(raw);
  if (!parsed.success) fail(`${accountFile}:\n${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('\n')}`);
  request = parsed.data;
}

const startText = startArg ?? request.startedAt;
const startedAt = startText ? Date.parse(startText) : Date.now();
if (Number.isNaN(startedAt)) fail(`--start ${startText}: not an ISO-8601 instant`);

const { entries, end } = previewStrategy({
  definition: strategy.value,
  account: previewAccountOf(request.account),
  startedAt,
  events: previewEventsOf(request.events),
  failures: request.failures,
});

const zone = request.account.debtor.timeZone;
const local = (iso: string) => DateTime.fromISO(iso, { zone }).toFormat('yyyy-MM-dd HH:mm');
const day = (iso: string) => `+${Math.floor((Date.parse(iso) - startedAt) / 86_400_000)}d`;
const rows = [
  ['day', `local time (${zone})`, 'step', 'action', 'outcome', 'why'],
  ...entries.map((entry) => [
    day(entry.at),
    local(entry.at),
    entry.stepId,
    entry.action,
    entry.outcome + (entry.result && entry.result !== 'sent' ? ` (${entry.result})` : ''),
    entry.reason + (entry.until ? ` → ${local(entry.until)}` : ''),
  ]),
];
const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (column === 5 ? 0 : (row[column] ?? '').length)))) ?? [];
process.stdout.write(`${strategy.value.key} (${strategy.value.name}) for a ${request.account.currency} ${request.account.balance} account, ${request.account.daysPastDue} days past due\n\n`);
for (const row of rows) process.stdout.write(`${row.map((cell, column) => (column === 5 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ')}\n`);
process.stdout.write(`\nends ${day(end.at)} ${local(end.at)}: ${end.reason.replace('_', ' ')}\n`);
