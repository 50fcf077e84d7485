import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { paths } from '../generated/openapi';
import { Problem } from '../components/Problem';
import { useSession } from '../session';
import { money, percent } from '../format';

type Report = paths['/api/v1/reports/champion-challenger']['get']['responses'][200]['content']['application/json'];
type Comparison = Report['comparisons'][number];
type Verdict = NonNullable<Comparison['recovery']>;

const testNames: Record<Verdict['test'], string> = {
  welch_z_ratio: "Welch's z-test (unequal variances) on the recovery rate",
  two_proportion_z: 'two-proportion z-test on the share of cases paying',
};

const interval = (low: number | null, high: number | null) => (low === null || high === null ? '' : ` (${percent(low)}–${percent(high)})`);
const signed = (rate: number | null) => (rate === null ? '—' : `${rate > 0 ? '+' : ''}${(rate * 100).toFixed(1)} pts`);

/** One line a manager can act on: the difference, its interval, the test and what it says. */
function verdictText(name: string, comparison: Verdict, minCases: number): string {
  const said =
    comparison.verdict === 'significant'
      ? 'significant'
      : comparison.verdict === 'not_significant'
        ? 'not significant'
        : `no verdict: fewer than ${minCases} cases in an arm`;
  const p = comparison.pValue === null ? '' : `, p = ${comparison.pValue.toFixed(4)}`;
  const range = comparison.low === null || comparison.high === null ? '' : ` (${signed(comparison.low)} to ${signed(comparison.high)})`;
  return `${name}: challenger − champion ${signed(comparison.difference)}${range} — ${said} (${testNames[comparison.test]}${p})`;
}

/**
 * The champion/challenger statistics under the arms' chart: per segment split, each arm's
 * recovery rate with its 95% interval, whether the difference is significant and by which test,
 * and (for a manager) promoting the challenger after a confirmation with a reason.
 */
export function ChampionChallengerStats({ asOf }: { asOf: string }) {
  const query = useQuery({
    queryKey: ['report', 'champion-challenger', asOf],
    queryFn: async () => unwrap(await api.GET('/api/v1/reports/champion-challenger', { params: { query: { asOf, format: 'json' } } })),
  });
  const report = query.data && typeof query.data === 'object' ? query.data : null;
  return (
    <section aria-labelledby="cc-stats-title" data-testid="champion-challenger-stats">
      <h2 id="cc-stats-title">Is the challenger better?</h2>
      <Problem error={query.error} />
      {report && <p className="muted">{report.method}</p>}
      {report && report.comparisons.length === 0 && <p className="muted">No cases were enrolled into a champion or challenger arm.</p>}
      {report?.comparisons.map((comparison) => (
        <SplitStats key={`${comparison.segment ?? ''}-${comparison.currency}`} comparison={comparison} minCases={report.minCasesPerArm} />
      ))}
    </section>
  );
}

function SplitStats({ comparison, minCases }: { comparison: Comparison; minCases: number }) {
  const title = `${comparison.segment ? `Segment ${comparison.segment}` : 'No segment'} (${comparison.currency})`;
  return (
    <article aria-label={title} className="panel">
      <h3>{title}</h3>
      <table className="list compact" aria-label={`Arms of ${title}`}>
        <thead>
          <tr>
            <th scope="col">Arm</th>
            <th scope="col">Strategies</th>
            <th scope="col">Cases</th>
            <th scope="col">Paying</th>
            <th scope="col">Collected / placed</th>
            <th scope="col">Recovery (95% interval)</th>
          </tr>
        </thead>
        <tbody>
          {comparison.arms.map((arm) => (
            <tr key={arm.arm}>
              <th scope="row">{arm.arm}</th>
              <td>{arm.strategies.join(', ')}</td>
              <td>{arm.cases}</td>
              <td>{arm.casesWithPayments}</td>
              <td>
                {money(arm.collected, comparison.currency)} / {money(arm.placed, comparison.currency)}
              </td>
              <td>{`${percent(arm.recoveryRate)}${interval(arm.low, arm.high)}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {comparison.recovery ? (
        <p data-testid="recovery-verdict" data-verdict={comparison.recovery.verdict}>
          {verdictText('Recovery rate', comparison.recovery, minCases)}
        </p>
      ) : (
        <p className="muted">Both a champion and a challenger arm are needed for a comparison.</p>
      )}
      {comparison.payingShare && <p className="muted">{verdictText('Share of cases paying', comparison.payingShare, minCases)}</p>}
      {comparison.segment && comparison.recovery && <PromoteChallenger segment={comparison.segment} challenger={comparison.arms.find((arm) => arm.arm === 'challenger')?.strategies.join(', ') ?? 'challenger'} />}
    </article>
  );
}

function PromoteChallenger({ segment, challenger }: { segment: string; challenger: string }) {
  const role = useSession().session?.role;
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const promote = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/segments/{segmentId}/promote', { params: { path: { segmentId: segment } }, body: { reason: reason.trim() } })),
    onSuccess: async () => {
      setConfirming(false);
      await Promise.all([queryClient.invalidateQueries({ queryKey: ['report'] }), queryClient.invalidateQueries({ queryKey: ['segments'] })]);
    },
  });
  // The report keeps its arms after a promotion (the cases keep theirs): offer it only while the segment still has a challenger.
  const rules = useQuery({ queryKey: ['segments'], queryFn: async () => unwrap(await api.GET('/api/v1/segments')) });
  const split = rules.data?.segments.find((candidate) => candidate.id === segment)?.challenger;
  if (role !== 'manager' && role !== 'admin') return null;
  if (promote.data) {
    return (
      <p role="status">
        Promoted: segment {segment} now starts new accounts on {challenger} (segment rules v{promote.data.version}); the split has ended.
      </p>
    );
  }
  if (!split) return null;
  function submit(event: FormEvent) {
    event.preventDefault();
    promote.mutate();
  }
  return !confirming ? (
    <button type="button" onClick={() => setConfirming(true)} aria-label={`Promote challenger of segment ${segment}…`}>
      Promote challenger…
    </button>
  ) : (
    <form className="row" onSubmit={submit} aria-label={`Confirm promoting the challenger of segment ${segment}`}>
      <p>
        New accounts of segment {segment} will start on {challenger} and the split ends; running cases keep their strategy.
      </p>
      <div className="field">
        <label htmlFor={`promote-${segment}-reason`}>Why</label>
        <input id={`promote-${segment}-reason`} value={reason} onChange={(event) => setReason(event.target.value)} required maxLength={500} />
      </div>
      <button type="submit" className="danger" disabled={promote.isPending}>
        Confirm promotion
      </button>
      <button type="button" className="secondary" onClick={() => setConfirming(false)}>
        Cancel
      </button>
      <Problem error={promote.error} title="Not promoted" />
    </form>
  );
}
