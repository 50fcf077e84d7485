import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { CallPermission } from '../../api/types';
import { when } from '../../format';

/** The permission as the API answers it (GET /api/v1/cases/{caseId}/call-permission). */
export type CallPermissionShape = CallPermission;

/** The case's "may I call now?", refreshed every minute (the answer changes with the debtor's clock). */
export function useCallPermission(caseId: string) {
  return useQuery({
    queryKey: ['call-permission', caseId],
    queryFn: async () => unwrap(await api.GET('/api/v1/cases/{caseId}/call-permission', { params: { path: { caseId } } })),
    refetchInterval: 60_000,
  });
}

/** One line: "Call now until 21:00 (debtor's time), 3 calls left", or why not and from when. */
export function callPermissionText(permission: CallPermissionShape): string {
  if (permission.permitted) {
    return `May call now, until ${permission.windowEndLocal ?? '—'} debtor's time (${permission.timeZone}); ${permission.callsAllowed} call${permission.callsAllowed === 1 ? '' : 's'} left`;
  }
  if (permission.barred || !permission.windowStart) return `No calls: ${permission.reason ?? 'not permitted'}`;
  return `Not now, from ${when(permission.windowStart)} (${permission.windowStartLocal ?? ''} debtor's time): ${permission.reason ?? ''}`;
}

/** The queue's and the case's badge: may the officer call this debtor now, and until when. */
export function CallPermissionBadge({ caseId }: { caseId: string }) {
  const permission = useCallPermission(caseId);
  if (!permission.data) return null;
  const data = permission.data;
  return (
    <div className={`badge call-permission ${data.permitted ? 'permitted' : 'held'}`} data-testid="call-permission" data-permitted={data.permitted} title={data.reason ?? undefined}>
      {data.permitted ? `☎ call now, until ${data.windowEndLocal ?? '—'} (${data.callsAllowed} left)` : data.barred || !data.windowStart ? '☎ no calls' : `☎ not before ${data.windowStartLocal ?? ''} debtor's time (${when(data.windowStart)})`}
    </div>
  );
}
