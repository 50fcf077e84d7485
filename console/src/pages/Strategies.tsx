import { useCallback, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { parse, YAMLParseError } from 'yaml';
import type { Diagnostic } from '@codemirror/lint';
import { api, ApiProblem, unwrap } from '../api/client';
import type { StrategyPreview, StrategyVersion } from '../api/types';
import { Problem } from '../components/Problem';
import { definitionYaml } from '../editor/definition-yaml';
import { StrategyEditor } from '../editor/StrategyEditor';
import { lineOf, rangeOfPath } from '../editor/yaml-paths';
import { when } from '../format';
import { PreviewTimeline } from './PreviewTimeline';
import { SimulateDraft } from './SimulateDraft';

const newStrategyYaml = `key: my-strategy
name: My strategy
templates:
  reminder:
    channel: email
    subject: Your balance of {{balance}} is overdue
    body: |-
      Hello {{debtor.name}}, a balance of {{balance}} is overdue.
      This is a communication from a debt collector.
steps:
  - id: reminder
    at: P0D
    action: email
    template: reminder
  - id: call
    at: P7D
    action: call
`;

/** Strategy list, versions, the YAML editor with lint at each problem's line, preview, activate and retire. */
export function StrategiesPage() {
  const { key } = useParams();
  const navigate = useNavigate();
  const list = useQuery({ queryKey: ['strategies'], queryFn: async () => unwrap(await api.GET('/api/v1/strategies')) });
  return (
    <div className="split strategies">
      <section aria-labelledby="strategies-title" className="queue">
        <div className="section-head">
          <h1 id="strategies-title">Strategies</h1>
          <button type="button" className="secondary" onClick={() => void navigate('/strategies/new')}>
            New strategy
          </button>
        </div>
        <Problem error={list.error} />
        <ul className="cards" aria-label="Strategies">
          {list.data?.items.map((strategy) => (
            <li key={strategy.key} className={strategy.key === key ? 'selected' : ''}>
              <Link to={`/strategies/${strategy.key}`} aria-current={strategy.key === key ? 'page' : undefined}>
                <strong>{strategy.name}</strong>
              </Link>
              <div className="muted">
                {strategy.key} · v{strategy.version} <span className={`badge status-${strategy.status}`}>{strategy.status}</span>
              </div>
            </li>
          ))}
        </ul>
      </section>
      <section className="case-pane" aria-label="Strategy">
        {key === 'new' ? <StrategyWorkbench key="new" strategyKey={null} /> : key ? <StrategyWorkbench key={key} strategyKey={key} /> : <p className="muted centered">Choose a strategy.</p>}
      </section>
    </div>
  );
}

function StrategyWorkbench({ strategyKey }: { strategyKey: string | null }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const versions = useQuery({
    queryKey: ['strategy', strategyKey],
    queryFn: async () => unwrap(await api.GET('/api/v1/strategies/{key}', { params: { path: { key: strategyKey ?? '' } } })),
    enabled: strategyKey !== null,
  });
  const [editing, setEditing] = useState<StrategyVersion | null>(null);
  const all = versions.data?.versions ?? [];
  // Edit the draft when there is one, else the active version, else the newest.
  const base = editing ?? all.find((v) => v.status === 'draft') ?? all.find((v) => v.status === 'active') ?? all[0] ?? null;
  const draft = all.find((v) => v.status === 'draft') ?? null;
  const active = all.find((v) => v.status === 'active') ?? null;

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['strategy', strategyKey] });
    void queryClient.invalidateQueries({ queryKey: ['strategies'] });
  };
  const activate = useMutation({
    mutationFn: async (version: number) => unwrap(await api.POST('/api/v1/strategies/{key}/activate', { params: { path: { key: strategyKey ?? '' } }, body: { version } })),
    onSuccess: refresh,
  });
  const retire = useMutation({
    mutationFn: async (version: number) => unwrap(await api.POST('/api/v1/strategies/{key}/retire', { params: { path: { key: strategyKey ?? '' } }, body: { version } })),
    onSuccess: refresh,
  });

  if (strategyKey && versions.isPending) return <p role="status">Loading…</p>;
  return (
    <article aria-labelledby="workbench-title">
      <h2 id="workbench-title">{strategyKey ? (base?.name ?? strategyKey) : 'New strategy'}</h2>
      <Problem error={versions.error} />
      {strategyKey && (
        <section aria-labelledby="versions-title" className="panel">
          <h3 id="versions-title">Versions</h3>
          <table className="list compact" aria-label="Versions, newest first">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Activated</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {all.map((version) => (
                <tr key={version.version} className={base?.version === version.version ? 'selected' : ''}>
                  <td>v{version.version}</td>
                  <td>
                    <span className={`badge status-${version.status}`} data-testid={`version-${version.version}-status`}>
                      {version.status}
                    </span>
                  </td>
                  <td>{when(version.createdAt)}</td>
                  <td>{when(version.activatedAt)}</td>
                  <td className="actions">
                    <button type="button" className="secondary" onClick={() => setEditing(version)} aria-label={`Edit v${version.version}`}>
                      Edit
                    </button>
                    {version.status === 'draft' && (
                      <button type="button" onClick={() => activate.mutate(version.version)} disabled={activate.isPending} aria-label={`Activate v${version.version}`}>
                        Activate
                      </button>
                    )}
                    {version.status === 'active' && (
                      <button type="button" className="danger" onClick={() => retire.mutate(version.version)} disabled={retire.isPending} aria-label={`Retire v${version.version}`}>
                        Retire
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Problem error={activate.error} title="Could not activate" />
          <Problem error={retire.error} title="Could not retire" />
          {activate.isSuccess && (
            <p role="status" className="ok">
              v{activate.data.version} is active: new accounts start on it.
            </p>
          )}
        </section>
      )}
      <DefinitionEditor
        key={base ? `${base.version}-${base.status}` : 'new'}
        strategyKey={strategyKey}
        initialText={base ? definitionYaml(base.definition) : newStrategyYaml}
        sourceLabel={base ? `v${base.version} (${base.status})` : 'a new strategy'}
        previewVersion={draft?.version ?? active?.version ?? null}
        activeVersion={active?.version ?? null}
        onSaved={(saved) => {
          setEditing(null);
          refresh();
          if (!strategyKey) void navigate(`/strategies/${saved.key}`);
        }}
      />
    </article>
  );
}

interface LintProblem {
  path: string;
  message: string;
  line: number | null;
}

/** YAML text to a definition; a syntax error is a problem at its own line. */
function parseText(text: string): { definition: Record<string, unknown> | null; syntax: LintProblem | null; at?: number } {
  try {
    const value = parse(text) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) return { definition: null, syntax: { path: '', message: 'the definition must be a map of fields', line: 1 }, at: 0 };
    return { definition: value as Record<string, unknown>, syntax: null };
  } catch (error) {
    if (error instanceof YAMLParseError) {
      return { definition: null, syntax: { path: '', message: error.message.split('\n')[0] ?? 'YAML syntax error', line: error.linePos?.[0].line ?? null }, at: error.pos[0] };
    }
    throw error;
  }
}

function DefinitionEditor({
  strategyKey,
  initialText,
  sourceLabel,
  previewVersion,
  activeVersion,
  onSaved,
}: {
  strategyKey: string | null;
  initialText: string;
  sourceLabel: string;
  previewVersion: number | null;
  /** The version new cases start on: a draft is simulated against it. */
  activeVersion: number | null;
  onSaved: (saved: StrategyVersion) => void;
}) {
  const textRef = useRef(initialText);
  const [problems, setProblems] = useState<LintProblem[] | null>(null);
  const [dirty, setDirty] = useState(false);

  const lint = useCallback(async (text: string): Promise<Diagnostic[]> => {
    const { definition, syntax, at } = parseText(text);
    if (!definition) {
      setProblems(syntax ? [syntax] : []);
      const from = Math.min(at ?? 0, text.length);
      return syntax ? [{ from, to: Math.min(from + 1, text.length), severity: 'error', message: syntax.message }] : [];
    }
    let answer: { ok: boolean; problems: { path: string; message: string }[] };
    try {
      answer = unwrap(await api.POST('/api/v1/strategies/lint', { body: definition }));
    } catch (error) {
      setProblems([{ path: '', message: error instanceof ApiProblem ? error.message : 'the API could not lint the definition', line: null }]);
      return [];
    }
    const located = answer.problems.map((problem) => ({ ...problem, range: rangeOfPath(text, problem.path) }));
    setProblems(located.map(({ path, message, range }) => ({ path, message, line: range ? lineOf(text, range.from) : null })));
    return located.map(({ path, message, range }) => ({
      from: range?.from ?? 0,
      to: Math.max(range?.to ?? 0, (range?.from ?? 0) + 1),
      severity: 'error' as const,
      message: `${path}: ${message}`,
      source: 'strategy lint',
    }));
  }, []);

  const save = useMutation({
    mutationFn: async () => {
      const { definition, syntax } = parseText(textRef.current);
      if (!definition) throw new ApiProblem(400, 'yaml', syntax?.message ?? 'not YAML');
      const key = typeof definition.key === 'string' ? definition.key : strategyKey;
      if (!key) throw new ApiProblem(400, 'key', 'the definition needs a key');
      return unwrap(await api.PUT('/api/v1/strategies/{key}/draft', { params: { path: { key } }, body: definition }));
    },
    onSuccess: (saved) => {
      setDirty(false);
      onSaved(saved);
    },
  });

  const count = problems?.length ?? 0;
  return (
    <>
      <section aria-labelledby="editor-title" className="panel">
        <h3 id="editor-title">Definition</h3>
        <p className="muted">
          Editing {sourceLabel} as YAML. Problems are checked as you type; saving stores it as the strategy's draft (active versions never change).
        </p>
        <StrategyEditor
          initialText={initialText}
          label="Strategy definition (YAML)"
          lint={lint}
          onChange={(text) => {
            textRef.current = text;
            setDirty(true);
          }}
        />
        <div aria-live="polite" className="lint-summary" data-testid="lint-summary">
          {problems === null ? <span className="muted">Checking…</span> : count === 0 ? <span className="ok">No problems.</span> : <span className="error">{count} problem(s)</span>}
        </div>
        {count > 0 && (
          <ul className="problems" aria-label="Problems">
            {problems?.map((problem) => (
              <li key={`${problem.path}:${problem.message}`} data-line={problem.line ?? undefined}>
                {problem.line !== null ? <strong>line {problem.line}</strong> : null} <code>{problem.path || '(file)'}</code> {problem.message}
              </li>
            ))}
          </ul>
        )}
        <Problem error={save.error} title="Not saved" />
        <button type="button" onClick={() => save.mutate()} disabled={save.isPending || count > 0}>
          {save.isPending ? 'Saving…' : 'Save as draft'}
        </button>
        {dirty && !save.isPending && <span className="muted"> unsaved changes</span>}
        {strategyKey && activeVersion !== null && <SimulateDraft strategyKey={strategyKey} activeVersion={activeVersion} definition={() => parseText(textRef.current).definition} />}
        {save.isSuccess && (
          <span role="status" className="ok">
            {' '}
            Saved as draft v{save.data.version}.
          </span>
        )}
      </section>
      {strategyKey && previewVersion !== null && <PreviewPanel strategyKey={strategyKey} version={previewVersion} />}
    </>
  );
}

function PreviewPanel({ strategyKey, version }: { strategyKey: string; version: number }) {
  const [balance, setBalance] = useState('1250.00');
  const [daysPastDue, setDaysPastDue] = useState('30');
  const [timeZone, setTimeZone] = useState('America/Chicago');
  const [smsConsent, setSmsConsent] = useState(true);
  const preview = useMutation({
    mutationFn: async (): Promise<StrategyPreview> =>
      unwrap(
        await api.POST('/api/v1/strategies/{key}/preview', {
          params: { path: { key: strategyKey } },
          body: {
            version,
            account: {
              currency: 'USD',
              balance: Math.round(Number.parseFloat(balance) * 100),
              daysPastDue: Number(daysPastDue),
              debtor: { name: 'Sample Debtor', email: 'sample@example.com', phone: '+15555550100', timeZone, smsConsent },
            },
          } as never,
        }),
      ),
  });
  const sample = useMemo(() => ({ balance, daysPastDue, timeZone }), [balance, daysPastDue, timeZone]);
  return (
    <section aria-labelledby="preview-title" className="panel">
      <h3 id="preview-title">Preview v{version} for a sample account</h3>
      <form
        className="row"
        onSubmit={(event) => {
          event.preventDefault();
          preview.mutate();
        }}
      >
        <div className="field">
          <label htmlFor="sample-balance">Balance (USD)</label>
          <input id="sample-balance" inputMode="decimal" value={sample.balance} onChange={(event) => setBalance(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="sample-dpd">Days past due</label>
          <input id="sample-dpd" inputMode="numeric" value={sample.daysPastDue} onChange={(event) => setDaysPastDue(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="sample-zone">Time zone</label>
          <input id="sample-zone" value={sample.timeZone} onChange={(event) => setTimeZone(event.target.value)} />
        </div>
        <div className="field checkbox">
          <input id="sample-sms" type="checkbox" checked={smsConsent} onChange={(event) => setSmsConsent(event.target.checked)} />
          <label htmlFor="sample-sms">SMS consent</label>
        </div>
        <button type="submit" disabled={preview.isPending}>
          {preview.isPending ? 'Previewing…' : 'Preview'}
        </button>
      </form>
      <Problem error={preview.error} />
      {preview.data && <PreviewTimeline preview={preview.data} />}
    </section>
  );
}
