/**
 * A labelled select, as every form of the console lays one out: options are values shown as they
 * are, or [value, label] pairs; `empty` adds a first option with the value '' ("none", "unknown").
 */
export function SelectField({
  id,
  label,
  value,
  options,
  onChange,
  empty,
}: {
  id: string;
  label: string;
  value: string;
  options: readonly string[] | readonly (readonly [string, string])[];
  onChange: (value: string) => void;
  empty?: string;
}) {
  const pairs = options.map((option) => (typeof option === 'string' ? ([option, option] as const) : option));
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        {empty !== undefined && <option value="">{empty}</option>}
        {pairs.map(([optionValue, optionLabel]) => (
          <option key={optionValue} value={optionValue}>
            {optionLabel}
          </option>
        ))}
      </select>
    </div>
  );
}
