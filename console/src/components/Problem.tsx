import { ApiProblem } from '../api/client';

/** An API refusal in the API's own words, with the fields it names. */
export function Problem({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const problem = error instanceof ApiProblem ? error : null;
  return (
    <div role="alert" className="error">
      {title ? <strong>{title}: </strong> : null}
      {problem ? problem.message : error instanceof Error ? error.message : 'something went wrong'}
      {problem && problem.fields.length > 0 && (
        <ul>
          {problem.fields.map((field) => (
            <li key={`${field.path}:${field.message}`}>
              <code>{field.path}</code>: {field.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
