import type { StrategyPreview } from '../api/types';
import { when } from '../format';

const dayMs = 86_400_000;

/** The dry-run drawn as a timeline: each step placed by when it happens, then the same as a table. */
export function PreviewTimeline({ preview }: { preview: StrategyPreview }) {
  const start = Date.parse(preview.startedAt);
  const end = Math.max(Date.parse(preview.end.at), start + 1);
  const span = end - start;
  const offset = (at: string) => `${(((Date.parse(at) - start) / span) * 100).toFixed(2)}%`;
  const days = (at: string) => {
    const value = (Date.parse(at) - start) / dayMs;
    return value < 1 ? `+${Math.round(value * 24)}h` : `day ${Math.round(value)}`;
  };
  return (
    <figure className="preview-timeline" data-testid="preview-timeline">
      <div className="track" aria-hidden="true">
        {preview.entries.map((entry, index) => (
          <span key={index} className={`mark outcome-${entry.outcome}`} style={{ left: offset(entry.at) }} title={`${entry.stepId}: ${entry.reason}`}>
            <span className="mark-label">{entry.stepId}</span>
          </span>
        ))}
        <span className="mark end" style={{ left: '100%' }} title={`end: ${preview.end.reason}`} />
      </div>
      <figcaption className="muted">
        Starts {when(preview.startedAt)}; ends {when(preview.end.at)} ({preview.end.reason.replaceAll('_', ' ')}).
      </figcaption>
      <table className="list compact" aria-label="Preview timeline">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Step</th>
            <th scope="col">Action</th>
            <th scope="col">Outcome</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {preview.entries.map((entry, index) => (
            <tr key={index} className={`outcome-${entry.outcome}`}>
              <td>
                {days(entry.at)} <span className="muted">{when(entry.at)}</span>
              </td>
              <td>{entry.stepId}</td>
              <td>{entry.action}</td>
              <td>
                {entry.outcome}
                {entry.result ? ` (${entry.result})` : ''}
                {entry.until ? <div className="muted">until {when(entry.until)}</div> : null}
              </td>
              <td>{entry.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
