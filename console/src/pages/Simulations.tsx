import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { Simulation, SimulationRequest, SimulationSummary } from '../api/types';
import { Problem } from '../components/Problem';
import { RecoveryCurves } from '../components/RecoveryCurves';
import { money, percent, toMinor, when } from '../format';

const finished = ['completed', 'cancelled', 'failed'];

/** `key@3` to an arm naming version 3; `key` to the key's active version. */
function armOf(text: string): { strategy: string; version?: number } {
  const [strategy = '', version] = text.trim().split('@');
  return version ? { strategy, version: Number(version) } : { strategy };
}

/** Strategy simulations: ask for one, follow its progress, compare its arms' curves and figures. */
export function SimulationsPage() {
  const { id } = useParams();
  const list = useQuery({
    queryKey: ['simulations'],
    queryFn: async () => unwrap(await api.GET('/api/v1/simulations', { params: { query: { limit: 20 } } })),
    refetchInterval: (query) => (query.state.data?.items.some((item) => !finished.includes(item.status)) ? 2000 : false),
  });
  return (
    <div className="split simulations">
      <section aria-labelledby="simulations-title" className="queue">
        <h1 id="simulations-title">Simulations</h1>
        <SimulationForm />
        <Problem error={list.error} />
        <ul className="cards" aria-label="Recent simulations">
          {list.data?.items.map((simulation) => (
            <li key={simulation.id} className={simulation.id === id ? 'selected' : ''}>
              <Link to={`/simulations/${simulation.id}`} aria-current={simulation.id === id ? 'page' : undefined}>
                <strong>{simulation.arms.map((arm) => arm.label).join(' vs ')}</strong>
              </Link>
              <div className="muted">
                {simulation.cases} cases · {simulation.runs} runs · {when(simulation.createdAt)} <span className={`badge status-${simulation.status}`}>{simulation.status}</span>
              </div>
            </li>
          ))}
        </ul>
      </section>
      <section className="case-pane" aria-label="Simulation">
        {id ? <SimulationResult key={id} id={id} /> : <p className="muted centered">Ask for a simulation, or choose one.</p>}
      </section>
    </div>
  );
}

function SimulationForm() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const models = useQuery({ queryKey: ['response-models'], queryFn: async () => unwrap(await api.GET('/api/v1/response-models')) });
  const [model, setModel] = useState('');
  const [first, setFirst] = useState('');
  const [second, setSecond] = useState('');
  const [split, setSplit] = useState('');
  const [portfolio, setPortfolio] = useState('');
  const [segment, setSegment] = useState('');
  const [runs, setRuns] = useState('20');
  const [horizonDays, setHorizonDays] = useState('180');
  const [seed, setSeed] = useState('1');
  const [costs, setCosts] = useState({ email: '0.01', sms: '0.05', letter: '0.90', call: '4.00' });
  const chosenModel = model || models.data?.items[0]?.name || '';

  const start = useMutation({
    mutationFn: async () => {
      const body: SimulationRequest = {
        ...(split ? { split } : { arms: [first, second].filter((text) => text.trim() !== '').map(armOf) }),
        ...(portfolio ? { portfolio } : {}),
        ...(segment ? { segment } : {}),
        runs: Number(runs),
        horizonDays: Number(horizonDays),
        seed: Number(seed),
        costs: Object.fromEntries(Object.entries(costs).map(([channel, value]) => [channel, toMinor(value || '0')])),
        model: { name: chosenModel },
      };
      return unwrap(await api.POST('/api/v1/simulations', { body }));
    },
    onSuccess: (simulation) => {
      void queryClient.invalidateQueries({ queryKey: ['simulations'] });
      void navigate(`/simulations/${simulation.id}`);
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    start.mutate();
  }
  return (
    <form onSubmit={submit} className="panel" aria-label="New simulation">
      <div className="row">
        <div className="field">
          <label htmlFor="sim-model">Response model</label>
          <select id="sim-model" value={chosenModel} onChange={(event) => setModel(event.target.value)}>
            {models.data?.items.map((item) => (
              <option key={item.name} value={item.name}>
                {item.name} v{item.version}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="sim-first">Strategy (key or key@version)</label>
          <input id="sim-first" value={first} onChange={(event) => setFirst(event.target.value)} disabled={split !== ''} />
        </div>
        <div className="field">
          <label htmlFor="sim-second">Compare with (optional)</label>
          <input id="sim-second" value={second} onChange={(event) => setSecond(event.target.value)} disabled={split !== ''} />
        </div>
        <div className="field">
          <label htmlFor="sim-split">Or a segment's champion/challenger</label>
          <input id="sim-split" value={split} onChange={(event) => setSplit(event.target.value)} />
        </div>
      </div>
      <div className="row">
        <div className="field">
          <label htmlFor="sim-portfolio">Portfolio</label>
          <input id="sim-portfolio" value={portfolio} onChange={(event) => setPortfolio(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="sim-segment">Segment</label>
          <input id="sim-segment" value={segment} onChange={(event) => setSegment(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="sim-runs">Runs</label>
          <input id="sim-runs" inputMode="numeric" value={runs} onChange={(event) => setRuns(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="sim-horizon">Days</label>
          <input id="sim-horizon" inputMode="numeric" value={horizonDays} onChange={(event) => setHorizonDays(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="sim-seed">Seed</label>
          <input id="sim-seed" inputMode="numeric" value={seed} onChange={(event) => setSeed(event.target.value)} />
        </div>
      </div>
      <fieldset className="row">
        <legend>Cost per contact (USD)</legend>
        {(['email', 'sms', 'letter', 'call'] as const).map((channel) => (
          <div className="field" key={channel}>
            <label htmlFor={`sim-cost-${channel}`}>{channel}</label>
            <input id={`sim-cost-${channel}`} inputMode="decimal" value={costs[channel]} onChange={(event) => setCosts({ ...costs, [channel]: event.target.value })} />
          </div>
        ))}
      </fieldset>
      <Problem error={models.error} />
      <Problem error={start.error} title="Not started" />
      <button type="submit" disabled={start.isPending}>
        {start.isPending ? 'Starting…' : 'Simulate'}
      </button>
    </form>
  );
}

export function SimulationResult({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const simulation = useQuery({
    queryKey: ['simulation', id],
    queryFn: async () => unwrap(await api.GET('/api/v1/simulations/{id}', { params: { path: { id } } })),
    refetchInterval: (query) => (query.state.data && finished.includes(query.state.data.status) ? false : 1000),
  });
  const cancel = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/simulations/{id}/cancel', { params: { path: { id } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['simulation', id] }),
  });
  const s = simulation.data;
  if (!s) return <>{simulation.isPending ? <p role="status">Loading…</p> : <Problem error={simulation.error} />}</>;
  return (
    <article aria-labelledby="simulation-title">
      <h2 id="simulation-title">{s.arms.map((arm) => arm.label).join(' vs ')}</h2>
      <p className="muted">
        {s.cases} open cases{describeScope(s)} · {s.runs} runs of {s.horizonDays} days · seed {s.seed} · model {s.model.name} v{s.model.version} · asked by {s.createdBy}
      </p>
      <section className="panel" aria-labelledby="progress-title">
        <h3 id="progress-title">
          <span data-testid="simulation-status">{s.status}</span>
        </h3>
        <progress max={s.progress.chunksTotal} value={s.progress.chunksDone} aria-label="Chunks done">
          {s.progress.chunksDone}
        </progress>
        <p aria-live="polite" data-testid="simulation-progress">
          {s.progress.chunksDone} of {s.progress.chunksTotal} chunks
        </p>
        {s.error && <p className="error">{s.error}</p>}
        {!finished.includes(s.status) && (
          <button type="button" className="danger" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
            Cancel
          </button>
        )}
        <Problem error={cancel.error} title="Not cancelled" />
      </section>
      {s.summary && (
        <div className="simulation-result" style={{ display: 'flex', flexWrap: 'wrap', gap: '1rem', alignItems: 'flex-start' }}>
          <div style={{ flex: '1 1 24rem', minWidth: 0 }}>
            <RecoveryCurves summary={s.summary} />
          </div>
          <div style={{ flex: '1 1 20rem', minWidth: 0 }}>
            <SummaryTable summary={s.summary} />
          </div>
        </div>
      )}
    </article>
  );
}

function describeScope(s: Simulation): string {
  const parts = [s.scope.portfolio && `portfolio ${s.scope.portfolio}`, s.scope.segment && `segment ${s.scope.segment}`, s.scope.strategy && `strategy ${s.scope.strategy}`].filter(Boolean);
  return parts.length > 0 ? ` of ${parts.join(', ')}` : '';
}

type Figure = SimulationSummary['arms'][number]['recoveryRate'];

function Cell({ figure, format }: { figure: Figure | undefined; format: (value: number | null) => string }) {
  if (!figure) return <td>—</td>;
  return (
    <td>
      {format(figure.mean)} <span className="muted">({format(figure.low)}–{format(figure.high)})</span>
    </td>
  );
}

function SummaryTable({ summary }: { summary: SimulationSummary }) {
  const decimal = (value: number | null) => (value === null ? '—' : value.toFixed(2));
  const cents = (value: number | null) => money(value);
  const keys = (pick: (arm: SimulationSummary['arms'][number]) => Record<string, Figure>) => [...new Set(summary.arms.flatMap((arm) => Object.keys(pick(arm))))].sort();
  const rows: Array<{ label: string; figure: (arm: SimulationSummary['arms'][number]) => Figure | undefined; format: (value: number | null) => string }> = [
    { label: 'Recovery rate', figure: (arm) => arm.recoveryRate, format: percent },
    { label: 'Recovered', figure: (arm) => arm.recovered, format: cents },
    { label: 'Recovery by day 30', figure: (arm) => arm.recoveredBy.d30, format: percent },
    { label: 'Recovery by day 60', figure: (arm) => arm.recoveredBy.d60, format: percent },
    { label: 'Recovery by day 90', figure: (arm) => arm.recoveredBy.d90, format: percent },
    { label: 'Contacts per case', figure: (arm) => arm.contactsPerCase, format: decimal },
    { label: 'Cost per dollar collected', figure: (arm) => arm.costPerDollarCollected, format: decimal },
    ...keys((arm) => arm.holds).map((rule) => ({ label: `Held: ${rule}`, figure: (arm: SimulationSummary['arms'][number]) => arm.holds[rule], format: decimal })),
    ...keys((arm) => arm.endings).map((ending) => ({ label: `Ended ${ending}`, figure: (arm: SimulationSummary['arms'][number]) => arm.endings[ending], format: decimal })),
  ];
  return (
    <>
      <table className="list compact" aria-label="Simulation figures: mean (95% interval over the runs)" data-testid="simulation-table">
        <thead>
          <tr>
            <th scope="col">Figure</th>
            {summary.arms.map((arm) => (
              <th key={arm.label} scope="col">
                {arm.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.label}>
              <th scope="row">{row.label}</th>
              {summary.arms.map((arm) => (
                <Cell key={arm.label} figure={row.figure(arm)} format={row.format} />
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {summary.difference && summary.arms.length === 2 && (
        <p data-testid="simulation-difference">
          {summary.arms[1]!.label} − {summary.arms[0]!.label}, recovery rate on the same draws: {percent(summary.difference.mean)} ({percent(summary.difference.low)}–{percent(summary.difference.high)})
          {summary.difference.low !== null && summary.difference.high !== null && (summary.difference.low > 0 || summary.difference.high < 0) ? ' — the interval excludes zero: a difference beyond the noise of the draws' : ' — the interval includes zero: no difference to tell from the draws'}
        </p>
      )}
    </>
  );
}
