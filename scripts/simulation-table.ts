import type { ArmSummary, Estimate, SimulationSummary } from '../domain/simulation/contract.js';

/**
 * A simulation's summary as a plain-text table, one column per arm, each figure its mean with the
 * 95% interval over the runs: what `npm run simulate` prints. Pure, so the CLI stays light.
 */

type Nullable<T> = { [K in keyof T]: T[K] | null };
type Figure = Nullable<Estimate>;

const percent = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)}%`);
const money = (value: number | null) => (value === null ? '—' : (value / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
const decimal = (value: number | null) => (value === null ? '—' : value.toFixed(2));

const cell = (figure: Figure | undefined, format: (value: number | null) => string) =>
  figure ? `${format(figure.mean)} (${format(figure.low)}–${format(figure.high)})` : '—';

interface Line {
  label: string;
  figure: (arm: ArmSummary) => Figure | undefined;
  format: (value: number | null) => string;
}

export function simulationTable(summary: SimulationSummary): string {
  const arms = summary.arms;
  const keysOf = (pick: (arm: ArmSummary) => Record<string, Estimate>) => [...new Set(arms.flatMap((arm) => Object.keys(pick(arm))))].sort();
  const lines: Line[] = [
    { label: 'recovery rate', figure: (arm) => arm.recoveryRate, format: percent },
    { label: 'recovered', figure: (arm) => arm.recovered, format: money },
    { label: 'recovery by day 30', figure: (arm) => arm.recoveredBy.d30, format: percent },
    { label: 'recovery by day 60', figure: (arm) => arm.recoveredBy.d60, format: percent },
    { label: 'recovery by day 90', figure: (arm) => arm.recoveredBy.d90, format: percent },
    { label: 'contacts per case', figure: (arm) => arm.contactsPerCase, format: decimal },
    { label: 'cost per dollar collected', figure: (arm) => arm.costPerDollarCollected, format: decimal },
    ...keysOf((arm) => arm.holds).map((rule): Line => ({ label: `held: ${rule}`, figure: (arm) => arm.holds[rule], format: decimal })),
    ...keysOf((arm) => arm.endings).map((ending): Line => ({ label: `ended ${ending}`, figure: (arm) => arm.endings[ending], format: decimal })),
  ];
  const rows = [['', ...arms.map((arm) => arm.label)], ...lines.map((line) => [line.label, ...arms.map((arm) => cell(line.figure(arm), line.format))])];
  if (summary.difference && arms.length === 2) {
    const points = (value: number | null) => (value === null ? '—' : `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)} pts`);
    rows.push([`${arms[1]!.label} − ${arms[0]!.label}`, '', cell(summary.difference, points)]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  const text = rows.map((row) => row.map((value, column) => value.padEnd(widths[column]!)).join('  ').trimEnd());
  return [`${summary.cases.toLocaleString('en-US')} cases · ${summary.runs} runs · mean (95% interval over the runs)`, ...text].join('\n');
}
