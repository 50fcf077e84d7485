import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { Problem } from '../../components/Problem';
import { money, when } from '../../format';

/** The officer's own zone: "today" is the officer's day. */
const officerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** "My cases" (the open cases the signed-in key owns) and "my callbacks today" (on the officer's clock). */
export function MyCaseloadPage() {
  const timeZone = officerZone();
  const cases = useQuery({
    queryKey: ['my', 'cases'],
    queryFn: async () => unwrap(await api.GET('/api/v1/my/cases', { params: { query: { status: 'open', limit: 200 } } })),
  });
  const callbacks = useQuery({
    queryKey: ['my', 'callbacks', timeZone],
    queryFn: async () => unwrap(await api.GET('/api/v1/my/callbacks', { params: { query: { day: 'today', timeZone } } })),
    refetchInterval: 60_000,
  });
  const caseItems = cases.data?.items ?? [];
  const callbackItems = callbacks.data?.items ?? [];
  return (
    <div className="caseload">
      <section aria-labelledby="my-callbacks-title" className="panel">
        <h1 id="my-callbacks-title">My callbacks today</h1>
        <p className="muted">
          {callbacks.data ? `${callbacks.data.day}, your time (${callbacks.data.timeZone})` : 'Today, your time'}
        </p>
        <Problem error={callbacks.error} />
        <table className="list" aria-label="My callbacks today">
          <thead>
            <tr>
              <th scope="col">Your time</th>
              <th scope="col">Their time</th>
              <th scope="col">Case</th>
              <th scope="col">Note</th>
            </tr>
          </thead>
          <tbody>
            {callbackItems.map((callback) => (
              <tr key={callback.id}>
                <td>{when(callback.at)}</td>
                <td>{callback.debtorLocal}</td>
                <td>
                  <Link to={`/cases/${encodeURIComponent(callback.caseId)}`}>Open case</Link> <span className="muted">{callback.taskStatus}</span>
                </td>
                <td>{callback.note ?? ''}</td>
              </tr>
            ))}
            {callbackItems.length === 0 && !callbacks.isPending && (
              <tr>
                <td colSpan={4} className="muted">
                  No callbacks today.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="my-cases-title" className="panel">
        <h1 id="my-cases-title">My cases</h1>
        <Problem error={cases.error} />
        <table className="list" aria-label="My cases">
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">Balance</th>
              <th scope="col">Next</th>
            </tr>
          </thead>
          <tbody>
            {caseItems.map((item) => (
              <tr key={item.caseId}>
                <td>
                  <Link to={`/cases/${encodeURIComponent(item.caseId)}`}>{item.externalId}</Link>
                  {item.team ? <div className="muted">team {item.team}</div> : null}
                </td>
                <td>{money(item.balance, item.currency)}</td>
                <td>
                  {item.nextActionAt ? when(item.nextActionAt) : 'nothing scheduled'}
                  {item.currentStep ? <div className="muted">step {item.currentStep}</div> : null}
                </td>
              </tr>
            ))}
            {caseItems.length === 0 && !cases.isPending && (
              <tr>
                <td colSpan={3} className="muted">
                  No cases are yours yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </section>
    </div>
  );
}

/** The queue's way to the officer's own caseload. */
export function MyCaseloadLink() {
  return (
    <Link to="/my" className="button secondary">
      My caseload
    </Link>
  );
}
