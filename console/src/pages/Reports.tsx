import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api, unwrap } from '../api/client';
import { PageFunnelTable } from './reports/PageFunnelTable';
import { DownloadButtons, type DownloadFormat } from '../components/DownloadButtons';
import { Problem } from '../components/Problem';
import { money, percent } from '../format';
import { ChampionChallengerStats } from './ChampionChallengerStats';

const reports = [
  { id: 'recovery', label: 'Recovery' },
  { id: 'arms', label: 'Champion vs challenger' },
  { id: 'aging', label: 'Aging' },
  { id: 'roll-rates', label: 'Roll rates' },
  { id: 'liquidation', label: 'Liquidation' },
  { id: 'funnel', label: 'Funnel' },
  { id: 'officers', label: 'Officers' },
] as const;
type ReportId = (typeof reports)[number]['id'];

const today = () => new Date().toISOString().slice(0, 10);
const palette = ['#2f6fde', '#e08a00', '#27ae60', '#8e44ad', '#c0392b', '#16a085'];

/** Each report as a chart with its table beside it and the same figures as CSV or .xlsx. */
export function ReportsPage() {
  const [report, setReport] = useState<ReportId>('recovery');
  const [asOf, setAsOf] = useState(today());
  const path = (format: DownloadFormat) =>
    report === 'arms' ? `/api/v1/reports/recovery?groupBy=strategy,arm&asOf=${asOf}&format=${format}` : `/api/v1/reports/${report}?asOf=${asOf}&format=${format}`;
  const [downloadError, setDownloadError] = useState<unknown>(null);
  return (
    <div className="single reports">
      <div className="section-head">
        <h1>Reports</h1>
        <div className="field inline-field">
          <label htmlFor="as-of">As of</label>
          <input id="as-of" type="date" value={asOf} onChange={(event) => setAsOf(event.target.value || today())} />
        </div>
        <DownloadButtons label="Download" url={path} filename={(format) => `${report}-${asOf}.${format}`} onError={setDownloadError} />
      </div>
      <div role="tablist" aria-label="Reports" className="tabs">
        {reports.map(({ id, label }) => (
          <button key={id} role="tab" type="button" id={`tab-${id}`} aria-selected={report === id} aria-controls="report-panel" onClick={() => setReport(id)}>
            {label}
          </button>
        ))}
      </div>
      <Problem error={downloadError} />
      <section role="tabpanel" id="report-panel" aria-labelledby={`tab-${report}`} className="report-panel">
        {report === 'recovery' && <RecoveryReport asOf={asOf} groupBy="strategy" />}
        {report === 'arms' && <RecoveryReport asOf={asOf} groupBy="strategy,arm" />}
        {report === 'arms' && <ChampionChallengerStats asOf={asOf} />}
        {report === 'aging' && <AgingReport asOf={asOf} />}
        {report === 'roll-rates' && <RollRateReport asOf={asOf} />}
        {report === 'liquidation' && <LiquidationReport asOf={asOf} />}
        {report === 'funnel' && <FunnelReport asOf={asOf} />}
        {report === 'officers' && <OfficerReport asOf={asOf} />}
      </section>
    </div>
  );
}

function Chart({ children, label }: { children: React.ReactElement; label: string }) {
  return (
    <figure className="chart" role="img" aria-label={label} data-testid="chart">
      <ResponsiveContainer width="100%" height={280}>
        {children}
      </ResponsiveContainer>
    </figure>
  );
}

function RecoveryReport({ asOf, groupBy }: { asOf: string; groupBy: 'strategy' | 'strategy,arm' }) {
  const query = useQuery({
    queryKey: ['report', 'recovery', asOf, groupBy],
    queryFn: async () => unwrap(await api.GET('/api/v1/reports/recovery', { params: { query: { asOf, groupBy, format: 'json' } } })),
  });
  const data = query.data && typeof query.data === 'object' ? query.data : null;
  const rows = (data?.rows ?? []).map((row) => ({
    ...row,
    label: groupBy === 'strategy' ? `${row.strategy} (${row.currency})` : `${row.strategy} · ${row.arm ?? 'no split'}`,
    ratePercent: row.recoveryRate === null ? 0 : Math.round(row.recoveryRate * 1000) / 10,
  }));
  return (
    <div className="report">
      <Problem error={query.error} />
      {groupBy === 'strategy' ? (
        <Chart label="Recovery rate by strategy">
          <BarChart data={rows}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="label" />
            <YAxis unit="%" />
            <Tooltip />
            <Legend />
            <Bar dataKey="ratePercent" name="Recovery rate %" fill="#2f6fde" maxBarSize={80} isAnimationActive={false} />
          </BarChart>
        </Chart>
      ) : (
        <ArmsChart rows={rows} />
      )}
      <table className="list compact" aria-label="Recovery">
        <thead>
          <tr>
            <th scope="col">Strategy</th>
            {groupBy !== 'strategy' && <th scope="col">Arm</th>}
            <th scope="col">Cases</th>
            <th scope="col">Paying</th>
            <th scope="col">Placed</th>
            <th scope="col">Collected</th>
            <th scope="col">of it principal</th>
            <th scope="col">interest</th>
            <th scope="col">fees</th>
            <th scope="col">Recovery</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={index}>
              <td>{row.strategy}</td>
              {groupBy !== 'strategy' && <td>{row.arm ?? 'no split'}</td>}
              <td>{row.cases}</td>
              <td>{row.casesWithPayments}</td>
              <td>{money(row.placed, row.currency)}</td>
              <td>{money(row.collected, row.currency)}</td>
              <td>{money(row.collectedPrincipal, row.currency)}</td>
              <td>{money(row.collectedInterest, row.currency)}</td>
              <td>{money(row.collectedFees, row.currency)}</td>
              <td>{percent(row.recoveryRate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Each strategy's arms (champion, challenger, …) as bars side by side, one colour per arm. */
function ArmsChart({ rows }: { rows: { strategy?: string | undefined; arm?: string | null | undefined; currency: string; ratePercent: number }[] }) {
  const arms = [...new Set(rows.map((row) => row.arm ?? 'no split'))];
  const byStrategy = new Map<string, Record<string, string | number>>();
  for (const row of rows) {
    const label = `${row.strategy ?? '—'} (${row.currency})`;
    const entry = byStrategy.get(label) ?? { label };
    entry[row.arm ?? 'no split'] = row.ratePercent;
    byStrategy.set(label, entry);
  }
  return (
    <Chart label="Recovery rate, champion and challenger arms side by side">
      <BarChart data={[...byStrategy.values()]}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="label" />
        <YAxis unit="%" />
        <Tooltip />
        <Legend />
        {arms.map((arm, index) => (
          <Bar key={arm} dataKey={arm} name={`${arm} %`} fill={palette[index % palette.length]} maxBarSize={60} isAnimationActive={false} />
        ))}
      </BarChart>
    </Chart>
  );
}

function AgingReport({ asOf }: { asOf: string }) {
  const query = useQuery({ queryKey: ['report', 'aging', asOf], queryFn: async () => unwrap(await api.GET('/api/v1/reports/aging', { params: { query: { asOf, format: 'json' } } })) });
  const data = query.data && typeof query.data === 'object' ? query.data : null;
  const rows = (data?.rows ?? []).map((row) => ({ ...row, label: `${row.bucket} ${row.currency}`, amount: row.balance / 100 }));
  return (
    <div className="report">
      <Problem error={query.error} />
      <Chart label="Open balances by days past due">
        <BarChart data={rows}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="label" />
          <YAxis />
          <Tooltip />
          <Legend />
          <Bar dataKey="amount" name="Balance" fill="#2f6fde" isAnimationActive={false} />
          <Bar dataKey="cases" name="Cases" fill="#e08a00" isAnimationActive={false} />
        </BarChart>
      </Chart>
      <table className="list compact" aria-label="Aging">
        <thead>
          <tr>
            <th scope="col">Bucket</th>
            <th scope="col">Cases</th>
            <th scope="col">Balance</th>
            <th scope="col">Principal</th>
            <th scope="col">Interest</th>
            <th scope="col">Fees</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.label}>
              <td>{row.bucket}</td>
              <td>{row.cases}</td>
              <td>{money(row.balance, row.currency)}</td>
              <td>{money(row.principal, row.currency)}</td>
              <td>{money(row.interest, row.currency)}</td>
              <td>{money(row.fees, row.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RollRateReport({ asOf }: { asOf: string }) {
  const query = useQuery({ queryKey: ['report', 'roll-rates', asOf], queryFn: async () => unwrap(await api.GET('/api/v1/reports/roll-rates', { params: { query: { asOf, format: 'json' } } })) });
  const data = query.data && typeof query.data === 'object' ? query.data : null;
  const rows = (data?.buckets ?? []).map((row) => ({ ...row, ratePercent: row.rollRate === null ? 0 : Math.round(row.rollRate * 1000) / 10 }));
  return (
    <div className="report">
      <Problem error={query.error} />
      {data && (
        <p className="muted">
          From {data.from} to {data.to}
        </p>
      )}
      <Chart label="Roll rate by aging bucket">
        <BarChart data={rows}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="bucket" />
          <YAxis unit="%" />
          <Tooltip />
          <Bar dataKey="ratePercent" name="Rolled forward %" fill="#c0392b" isAnimationActive={false} />
        </BarChart>
      </Chart>
      <table className="list compact" aria-label="Roll rates">
        <thead>
          <tr>
            <th scope="col">Bucket</th>
            <th scope="col">Cases</th>
            <th scope="col">Rolled forward</th>
            <th scope="col">Stayed</th>
            <th scope="col">Improved</th>
            <th scope="col">Closed</th>
            <th scope="col">Roll rate</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.bucket}>
              <td>{row.bucket}</td>
              <td>{row.cases}</td>
              <td>{row.rolledForward}</td>
              <td>{row.stayed}</td>
              <td>{row.improved}</td>
              <td>{row.closed}</td>
              <td>{percent(row.rollRate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function LiquidationReport({ asOf }: { asOf: string }) {
  const query = useQuery({ queryKey: ['report', 'liquidation', asOf], queryFn: async () => unwrap(await api.GET('/api/v1/reports/liquidation', { params: { query: { asOf, format: 'json' } } })) });
  const data = query.data && typeof query.data === 'object' ? query.data : null;
  const cohorts = data?.cohorts ?? [];
  const months = Math.max(0, ...cohorts.flatMap((cohort) => cohort.points.map((point) => point.month)));
  // One row per month since placement, one column per cohort: the cumulative % collected.
  const series = Array.from({ length: months + 1 }, (_, month) => {
    const row: Record<string, number | null> = { month };
    for (const cohort of cohorts) {
      const rate = cohort.points.find((point) => point.month === month)?.cumulativeRate;
      row[`${cohort.cohort} ${cohort.currency}`] = rate === undefined || rate === null ? null : Math.round(rate * 1000) / 10;
    }
    return row;
  });
  return (
    <div className="report">
      <Problem error={query.error} />
      <Chart label="Cumulative percent collected by months since placement, per cohort">
        <LineChart data={series}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="month" />
          <YAxis unit="%" />
          <Tooltip />
          <Legend />
          {cohorts.map((cohort, index) => (
            <Line key={`${cohort.cohort}-${cohort.currency}`} dataKey={`${cohort.cohort} ${cohort.currency}`} stroke={palette[index % palette.length]} isAnimationActive={false} connectNulls />
          ))}
        </LineChart>
      </Chart>
      <table className="list compact" aria-label="Liquidation">
        <thead>
          <tr>
            <th scope="col">Cohort</th>
            <th scope="col">Cases</th>
            <th scope="col">Placed</th>
            <th scope="col">Collected so far</th>
            <th scope="col">Liquidation</th>
          </tr>
        </thead>
        <tbody>
          {cohorts.map((cohort) => {
            const last = cohort.points.at(-1);
            return (
              <tr key={`${cohort.cohort}-${cohort.currency}`}>
                <td>{cohort.cohort}</td>
                <td>{cohort.cases}</td>
                <td>{money(cohort.placed, cohort.currency)}</td>
                <td>{money(last?.cumulativeCollected ?? 0, cohort.currency)}</td>
                <td>{percent(last?.cumulativeRate)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function FunnelReport({ asOf }: { asOf: string }) {
  const query = useQuery({ queryKey: ['report', 'funnel', asOf], queryFn: async () => unwrap(await api.GET('/api/v1/reports/funnel', { params: { query: { asOf, format: 'json' } } })) });
  const data = query.data && typeof query.data === 'object' ? query.data : null;
  const steps = data
    ? [
        { stage: 'Attempts', count: data.channels.reduce((sum, channel) => sum + channel.attempts, 0) },
        { stage: 'Delivered', count: data.channels.reduce((sum, channel) => sum + channel.delivered, 0) },
        { stage: 'Calls worked', count: data.calls.tasksWorked },
        { stage: 'Right-party contacts', count: data.calls.rightPartyContacts },
        { stage: 'Promises', count: data.promises.made },
        { stage: 'Plans', count: data.plans.started },
        { stage: 'Settlements', count: data.settlements.made },
      ]
    : [];
  return (
    <div className="report">
      <Problem error={query.error} />
      <Chart label="Contact and outcome funnel">
        <BarChart data={steps} layout="vertical">
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis type="number" />
          <YAxis type="category" dataKey="stage" width={150} />
          <Tooltip />
          <Bar dataKey="count" name="Count" fill="#27ae60" isAnimationActive={false} />
        </BarChart>
      </Chart>
      <table className="list compact" aria-label="Funnel">
        <thead>
          <tr>
            <th scope="col">Stage</th>
            <th scope="col">Count</th>
          </tr>
        </thead>
        <tbody>
          {steps.map((step) => (
            <tr key={step.stage}>
              <td>{step.stage}</td>
              <td>{step.count}</td>
            </tr>
          ))}
          {data && (
            <>
              <tr>
                <td>Promises kept / broken</td>
                <td>
                  {data.promises.kept} / {data.promises.broken} ({percent(data.promises.keptRate)})
                </td>
              </tr>
              <tr>
                <td>Disputes</td>
                <td>{data.disputes}</td>
              </tr>
            </>
          )}
        </tbody>
      </table>
      {data && <PageFunnelTable rows={data.page} />}
    </div>
  );
}

function OfficerReport({ asOf }: { asOf: string }) {
  const query = useQuery({ queryKey: ['report', 'officers', asOf], queryFn: async () => unwrap(await api.GET('/api/v1/reports/officers', { params: { query: { asOf, format: 'json' } } })) });
  const data = query.data && typeof query.data === 'object' ? query.data : null;
  const rows = data?.rows ?? [];
  return (
    <div className="report">
      <Problem error={query.error} />
      <Chart label="Tasks worked and arrangements by officer">
        <BarChart data={rows}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="officer" />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Legend />
          <Bar dataKey="tasksWorked" name="Tasks worked" fill="#2f6fde" isAnimationActive={false} />
          <Bar dataKey="arrangementsMade" name="Arrangements" fill="#27ae60" isAnimationActive={false} />
          <Bar dataKey="arrangementsKept" name="Kept" fill="#e08a00" isAnimationActive={false} />
        </BarChart>
      </Chart>
      <table className="list compact" aria-label="Officers">
        <thead>
          <tr>
            <th scope="col">Officer</th>
            <th scope="col">Tasks</th>
            <th scope="col">Right-party</th>
            <th scope="col">Arrangements</th>
            <th scope="col">Kept rate</th>
            <th scope="col">Collected on them</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.officer}>
              <td>{row.officer}</td>
              <td>{row.tasksWorked}</td>
              <td>{row.rightPartyContacts}</td>
              <td>{row.arrangementsMade}</td>
              <td>{percent(row.keptRate)}</td>
              <td>
                {Object.entries(row.collectedOnArrangements)
                  .map(([currency, amount]) => money(amount, currency))
                  .join(', ') || '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
