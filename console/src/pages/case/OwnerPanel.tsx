import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { Problem } from '../../components/Problem';
import { useSession } from '../../session';

/** Who owns the case (an officer's key id), and a manager's reassignment, audited by the API. */
export function OwnerPanel({ caseId, officer }: { caseId: string; officer: string | null }) {
  const { session } = useSession();
  const queryClient = useQueryClient();
  const [next, setNext] = useState('');
  const [reason, setReason] = useState('');
  const reassign = useMutation({
    mutationFn: async () =>
      unwrap(await api.PUT('/api/v1/cases/{caseId}/owner', { params: { path: { caseId } }, body: { officer: next.trim() === '' ? null : next.trim(), ...(reason.trim() ? { reason: reason.trim() } : {}) } })),
    onSuccess: () => {
      setNext('');
      setReason('');
      void queryClient.invalidateQueries({ queryKey: ['case', caseId] });
    },
  });
  const manages = session?.role === 'manager' || session?.role === 'admin';
  const yours = officer !== null && officer === session?.keyId;
  return (
    <section aria-labelledby="owner-title" className="panel">
      <h3 id="owner-title">Owner</h3>
      <p data-testid="owner">{officer === null ? 'Nobody owns this case.' : yours ? 'You own this case.' : `Officer key ${officer}`}</p>
      {manages && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            reassign.mutate();
          }}
        >
          <div className="row">
            <div className="field">
              <label htmlFor={`owner-${caseId}`}>New owner (key id; empty: nobody)</label>
              <input id={`owner-${caseId}`} type="text" value={next} maxLength={100} onChange={(event) => setNext(event.target.value)} />
            </div>
            <div className="field">
              <label htmlFor={`owner-reason-${caseId}`}>Reassignment note (optional)</label>
              <input id={`owner-reason-${caseId}`} type="text" value={reason} maxLength={500} onChange={(event) => setReason(event.target.value)} />
            </div>
            <button type="submit" disabled={reassign.isPending}>
              Reassign
            </button>
          </div>
          <Problem error={reassign.error} title="Not reassigned" />
        </form>
      )}
    </section>
  );
}
