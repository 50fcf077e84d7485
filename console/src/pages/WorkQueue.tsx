import { useState } from 'react';
import { useMutation, useQuery, useQueryClient, keepPreviousData } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { Task } from '../api/types';
import { Pager } from '../components/Pager';
import { Problem } from '../components/Problem';
import { money, when } from '../format';
import { useSession } from '../session';
import { CaseScreen } from './CaseScreen';
import { MyCaseloadLink } from './caseload/MyCaseloadPage';


const pageSize = 25;

async function fetchTasks(status: 'open' | 'claimed', offset: number) {
  return unwrap(await api.GET('/api/v1/tasks', { params: { query: { status, limit: pageSize, offset } } }));
}

/** The officer's queue, highest priority first with the reasons, and the case of the chosen task beside it. */
export function WorkQueuePage() {
  const { session } = useSession();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<'open' | 'claimed'>('open');
  const [offset, setOffset] = useState(0);
  const [selected, setSelected] = useState<Task | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const tasks = useQuery({ queryKey: ['tasks', status, offset], queryFn: () => fetchTasks(status, offset), placeholderData: keepPreviousData, refetchInterval: 15_000 });
  const claim = useMutation({
    mutationFn: async (task: Task) => unwrap(await api.POST('/api/v1/tasks/{id}/claim', { params: { path: { id: task.id } } })),
    onSuccess: (claimed, task) => {
      setSelected({ ...task, status: claimed.status, assignee: claimed.assignee });
      setNotice(null);
      void queryClient.invalidateQueries({ queryKey: ['tasks'] });
    },
  });

  const items = tasks.data?.items ?? [];
  const total = tasks.data?.total ?? 0;
  return (
    <div className="split">
      <section aria-labelledby="queue-title" className="queue">
        <div className="section-head">
          <h1 id="queue-title">Work queue</h1>
          <MyCaseloadLink />
          <div role="group" aria-label="Task status" className="segmented">
            {(['open', 'claimed'] as const).map((value) => (
              <button
                key={value}
                type="button"
                aria-pressed={status === value}
                onClick={() => {
                  setStatus(value);
                  setOffset(0);
                }}
              >
                {value === 'open' ? 'Open' : 'Claimed'}
              </button>
            ))}
          </div>
        </div>
        <Problem error={tasks.error} />
        <Problem error={claim.error} title="Could not claim" />
        <table className="list" aria-label="Tasks, highest priority first" aria-busy={tasks.isFetching}>
          <thead>
            <tr>
              <th scope="col">Score</th>
              <th scope="col">Account</th>
              <th scope="col">Task</th>
              <th scope="col">Balance</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((task) => {
              const mine = task.assignee === session?.actor;
              return (
                <tr key={task.id} aria-selected={selected?.id === task.id} className={selected?.id === task.id ? 'selected' : ''} data-task-id={task.id}>
                  <td>
                    <strong>{task.priority}</strong>
                    <ul className="reasons" aria-label="Why this score">
                      {task.priorityReasons.map((reason) => (
                        <li key={reason}>{reason}</li>
                      ))}
                    </ul>
                  </td>
                  <td>
                    <button
                      type="button"
                      className="link"
                      onClick={() => {
                        setSelected(task);
                        setNotice(null);
                      }} aria-label={`Open case of ${task.case.externalId}`}>
                      {task.case.externalId}
                    </button>
                    <div className="muted">{task.case.status}</div>
                  </td>
                  <td>
                    {task.kind}
                    {task.reason ? <div className="muted">{task.reason}</div> : null}
                    <div className="muted">{when(task.createdAt)}</div>
                  </td>
                  <td>{money(task.case.balance, task.case.currency)}</td>
                  <td>
                    {task.status === 'open' ? (
                      <button type="button" onClick={() => claim.mutate(task)} disabled={claim.isPending} aria-label={`Claim task for ${task.case.externalId}`}>
                        Claim
                      </button>
                    ) : (
                      <span className="muted">{mine ? 'yours' : (task.assignee ?? '')}</span>
                    )}
                  </td>
                </tr>
              );
            })}
            {items.length === 0 && !tasks.isPending && (
              <tr>
                <td colSpan={5} className="muted">
                  No {status} tasks.
                </td>
              </tr>
            )}
          </tbody>
        </table>
        <Pager
          label="Tasks"
          from={offset + 1}
          to={offset + items.length}
          total={total}
          {...(offset > 0 ? { onPrevious: () => setOffset(Math.max(0, offset - pageSize)) } : {})}
          {...(offset + pageSize < total ? { onNext: () => setOffset(offset + pageSize) } : {})}
        />
      </section>
      <section aria-label="Case" className="case-pane">
        {notice && (
          <p role="status" className="ok">
            {notice}
          </p>
        )}
        {selected ? (
          <CaseScreen
            caseId={selected.caseId}
            task={selected.status === 'claimed' && selected.assignee === session?.actor ? selected : null}
            onTaskDone={() => {
              setSelected((task) => (task ? { ...task, status: 'done' } : task));
              setNotice(`Task for ${selected.case.externalId} completed.`);
              void queryClient.invalidateQueries({ queryKey: ['tasks'] });
            }}
          />
        ) : (
          <p className="muted centered">Choose a task to see its case.</p>
        )}
      </section>
    </div>
  );
}
