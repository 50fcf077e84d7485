/** Previous / next for offset- or cursor-paged lists, announced to screen readers. */
export function Pager({ label, from, to, total, onPrevious, onNext }: { label: string; from: number; to: number; total?: number; onPrevious?: () => void; onNext?: () => void }) {
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button type="button" className="secondary" onClick={onPrevious} disabled={!onPrevious}>
        Previous
      </button>
      <span aria-live="polite">
        {to === 0 ? 'none' : `${from}–${to}`}
        {total !== undefined ? ` of ${total}` : ''}
      </span>
      <button type="button" className="secondary" onClick={onNext} disabled={!onNext}>
        Next
      </button>
    </nav>
  );
}
