import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { Problem } from '../components/Problem';
import { when } from '../format';

/**
 * Outbound webhooks: the caller's subscriptions (every one for managers), a form to add one (its
 * signing secret shown once), enable / disable, the delivery log, and replay of a time range.
 */
export function WebhooksPage() {
  const client = useQueryClient();
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState<string[]>([]);
  const [secret, setSecret] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const eventTypes = useQuery({ queryKey: ['webhook-event-types'], queryFn: async () => unwrap(await api.GET('/api/v1/webhook-event-types')).items });
  const subscriptions = useQuery({ queryKey: ['webhook-subscriptions'], queryFn: async () => unwrap(await api.GET('/api/v1/webhook-subscriptions')).items });
  const refresh = () => client.invalidateQueries({ queryKey: ['webhook-subscriptions'] });

  const create = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/webhook-subscriptions', { body: { url, eventTypes: types as never[] } })),
    onSuccess: (made) => {
      setSecret(made.secret);
      setUrl('');
      setTypes([]);
      void refresh();
    },
  });
  const setStatus = useMutation({
    mutationFn: async ({ id, status }: { id: string; status: 'active' | 'disabled' }) => unwrap(await api.PATCH('/api/v1/webhook-subscriptions/{id}', { params: { path: { id } }, body: { status } })),
    onSuccess: () => void refresh(),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }
  return (
    <div className="single">
      <h1>Webhooks</h1>
      <form onSubmit={submit} aria-label="Add a subscription">
        <div className="field">
          <label htmlFor="webhook-url">Receiver URL</label>
          <input id="webhook-url" type="url" value={url} onChange={(event) => setUrl(event.target.value)} required />
        </div>
        <fieldset>
          <legend>Events (none chosen: every event)</legend>
          {(eventTypes.data ?? []).map((type) => (
            <label key={type} className="inline">
              <input type="checkbox" checked={types.includes(type)} onChange={(event) => setTypes(event.target.checked ? [...types, type] : types.filter((item) => item !== type))} /> {type}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={create.isPending}>
          Subscribe
        </button>
      </form>
      <Problem error={create.error} title="Not subscribed" />
      {secret && (
        <p role="status">
          Signing secret (shown once; the receiver verifies each request with it): <code>{secret}</code>
        </p>
      )}
      <Problem error={subscriptions.error ?? setStatus.error} />
      <table aria-label="Subscriptions">
        <thead>
          <tr>
            <th scope="col">URL</th>
            <th scope="col">Events</th>
            <th scope="col">Status</th>
            <th scope="col">Pending</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {(subscriptions.data ?? []).map((subscription) => (
            <tr key={subscription.id}>
              <td>
                <button type="button" className="link" onClick={() => setSelected(subscription.id)}>
                  {subscription.url}
                </button>
              </td>
              <td>{subscription.eventTypes.length === 0 ? 'all' : subscription.eventTypes.join(', ')}</td>
              <td>
                {subscription.status}
                {subscription.disabledReason ? <div className="muted">{subscription.disabledReason}</div> : null}
                {subscription.failingSince ? <div className="muted">failing since {when(subscription.failingSince)}</div> : null}
              </td>
              <td>{subscription.pending}</td>
              <td>
                <button type="button" className="secondary" onClick={() => setStatus.mutate({ id: subscription.id, status: subscription.status === 'active' ? 'disabled' : 'active' })}>
                  {subscription.status === 'active' ? 'Disable' : 'Enable'}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {selected && <DeliveryLog id={selected} />}
    </div>
  );
}

/** A subscription's delivery log, newest first, and a replay of a time range. */
function DeliveryLog({ id }: { id: string }) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const log = useQuery({
    queryKey: ['webhook-deliveries', id],
    queryFn: async () => unwrap(await api.GET('/api/v1/webhook-subscriptions/{id}/deliveries', { params: { path: { id }, query: { limit: 100 } } })),
    refetchInterval: 5000,
  });
  const replay = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST('/api/v1/webhook-subscriptions/{id}/replay', { params: { path: { id } }, body: { from: new Date(from).toISOString(), to: new Date(to).toISOString() } })),
  });
  return (
    <section aria-label="Delivery log">
      <h2>Delivery log</h2>
      <form
        className="row"
        aria-label="Replay"
        onSubmit={(event) => {
          event.preventDefault();
          replay.mutate();
        }}
      >
        <div className="field">
          <label htmlFor="replay-from">From</label>
          <input id="replay-from" type="datetime-local" value={from} onChange={(event) => setFrom(event.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="replay-to">To</label>
          <input id="replay-to" type="datetime-local" value={to} onChange={(event) => setTo(event.target.value)} required />
        </div>
        <button type="submit" disabled={replay.isPending}>
          Replay
        </button>
      </form>
      <Problem error={replay.error ?? log.error} />
      {replay.data && <p role="status">{replay.data.queued} event(s) queued again.</p>}
      <table aria-label="Deliveries">
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Case</th>
            <th scope="col">Occurred</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last answer</th>
          </tr>
        </thead>
        <tbody>
          {(log.data?.items ?? []).map((item) => (
            <tr key={item.eventId}>
              <td>{item.type}</td>
              <td>{item.caseId}</td>
              <td>{when(item.occurredAt)}</td>
              <td>{item.status}</td>
              <td>{item.attempts}</td>
              <td>{item.lastError ?? item.lastStatus ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
