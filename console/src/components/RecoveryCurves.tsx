import type { SimulationSummary } from '../api/types';

/**
 * Each arm's recovery rate by day since the start, its mean as a line and its 95% interval over
 * the runs as a band: plain SVG, so the chart is the data and reads without a chart library.
 */

const palette = ['#1f6feb', '#d1242f'];
const width = 640;
const height = 280;
const margin = { top: 12, right: 16, bottom: 34, left: 48 };

export function RecoveryCurves({ summary }: { summary: SimulationSummary }) {
  const days = Math.max(1, ...summary.arms.flatMap((arm) => arm.curve.map((point) => point.day)));
  const top = Math.max(0.01, ...summary.arms.flatMap((arm) => arm.curve.map((point) => point.high ?? point.mean ?? 0)));
  const x = (day: number) => margin.left + (day / days) * (width - margin.left - margin.right);
  const y = (rate: number) => height - margin.bottom - (rate / top) * (height - margin.top - margin.bottom);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((share) => share * top);
  const dayTicks = [0, 30, 60, 90, 120, 150, 180, 270, 365, 730].filter((day) => day <= days);
  return (
    <figure className="recovery-curves">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby="curves-title" data-testid="recovery-curves">
        <title id="curves-title">Recovery rate by day, each arm with its 95% interval</title>
        {ticks.map((tick) => (
          <g key={`y-${tick}`}>
            <line x1={margin.left} x2={width - margin.right} y1={y(tick)} y2={y(tick)} stroke="#d0d7de" strokeWidth={0.5} />
            <text x={margin.left - 6} y={y(tick) + 4} textAnchor="end" fontSize={11}>
              {(tick * 100).toFixed(1)}%
            </text>
          </g>
        ))}
        {dayTicks.map((day) => (
          <text key={`x-${day}`} x={x(day)} y={height - margin.bottom + 16} textAnchor="middle" fontSize={11}>
            {day}
          </text>
        ))}
        <text x={(margin.left + width - margin.right) / 2} y={height - 4} textAnchor="middle" fontSize={11}>
          days since the start
        </text>
        {summary.arms.map((arm, index) => {
          const color = palette[index % palette.length];
          const points = arm.curve.filter((point) => point.mean !== null);
          const upper = points.map((point) => `${x(point.day)},${y(point.high ?? point.mean ?? 0)}`);
          const lower = [...points].reverse().map((point) => `${x(point.day)},${y(point.low ?? point.mean ?? 0)}`);
          return (
            <g key={arm.label} data-arm={arm.label}>
              <polygon points={[...upper, ...lower].join(' ')} fill={color} fillOpacity={0.15} stroke="none" data-testid={`band-${arm.label}`} />
              <polyline points={points.map((point) => `${x(point.day)},${y(point.mean ?? 0)}`).join(' ')} fill="none" stroke={color} strokeWidth={2} data-testid={`curve-${arm.label}`} />
            </g>
          );
        })}
      </svg>
      <figcaption>
        {summary.arms.map((arm, index) => (
          <span key={arm.label} className="legend-item">
            <span aria-hidden="true" style={{ display: 'inline-block', width: 12, height: 12, background: palette[index % palette.length], marginRight: 4 }} />
            {arm.label}
          </span>
        ))}
        <span className="muted"> · shaded: 95% interval over {summary.runs} runs</span>
      </figcaption>
    </figure>
  );
}
