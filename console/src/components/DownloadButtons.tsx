import { download } from '../api/client';

/** The formats every table downloads in (the API writes both from the same rows). */
export const downloadFormats = [
  { format: 'csv', label: 'CSV' },
  { format: 'xlsx', label: '.xlsx' },
] as const;
export type DownloadFormat = (typeof downloadFormats)[number]['format'];

/** One button per format, named `<label> CSV` and `<label> .xlsx`; a failed download goes to `onError`. */
export function DownloadButtons({
  label,
  url,
  filename,
  onError,
}: {
  label: string;
  url: (format: DownloadFormat) => string;
  filename: (format: DownloadFormat) => string;
  onError: (error: unknown) => void;
}) {
  return (
    <span className="download-buttons">
      {downloadFormats.map(({ format, label: formatLabel }) => (
        <button
          key={format}
          type="button"
          className="secondary"
          onClick={() => {
            onError(null);
            download(url(format), filename(format)).catch(onError);
          }}
        >
          {label} {formatLabel}
        </button>
      ))}
    </span>
  );
}
