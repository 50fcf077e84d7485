import type { Json } from '../../api/types';
import { percent } from '../../format';
import type { paths } from '../../generated/openapi';

type PageFunnelRow = Json<paths['/api/v1/reports/funnel']['get']['responses'][200]>['page'][number];

/**
 * The debtor page's funnel per strategy and champion/challenger arm: messages sent → links opened →
 * identity confirmed → paid / plan / promise / dispute, so a manager sees which message earns money.
 */
export function PageFunnelTable({ rows }: { rows: readonly PageFunnelRow[] }) {
  return (
    // The whole width of the report's grid: eleven columns.
    <table className="list compact" aria-label="Debtor page funnel" style={{ gridColumn: '1 / -1' }}>
      <caption>The debtor&apos;s page, per strategy and arm</caption>
      <thead>
        <tr>
          {['Strategy', 'Arm', 'Messages sent', 'Links opened', 'Identity confirmed', 'Paid', 'Plan', 'Promise', 'Dispute', 'Open rate', 'Conversion'].map((heading) => (
            <th key={heading} scope="col">
              {heading}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && (
          <tr>
            <td colSpan={11}>No messages with a page link in this period.</td>
          </tr>
        )}
        {rows.map((row) => (
          <tr key={`${row.strategy}:${row.arm ?? ''}`}>
            <td>{row.strategy}</td>
            <td>{row.arm ?? '—'}</td>
            <td>{row.messagesSent}</td>
            <td>{row.linksOpened}</td>
            <td>{row.identityConfirmed}</td>
            <td>{row.paid}</td>
            <td>{row.plan}</td>
            <td>{row.promise}</td>
            <td>{row.dispute}</td>
            <td>{percent(row.openRate)}</td>
            <td>{percent(row.conversionRate)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
