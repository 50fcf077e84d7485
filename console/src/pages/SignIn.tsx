import { useState, type FormEvent } from 'react';
import { ApiProblem } from '../api/client';
import { useSession } from '../session';

export function SignInPage() {
  const { signIn } = useSession();
  const [key, setKey] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await signIn(key);
    } catch (error) {
      setProblem(error instanceof ApiProblem ? error.message : 'The API could not be reached.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="signin">
      <h1>Dunning console</h1>
      <form onSubmit={(event) => void submit(event)} aria-describedby="signin-help">
        <label htmlFor="api-key">API key</label>
        <input id="api-key" type="password" autoComplete="off" value={key} onChange={(event) => setKey(event.target.value)} required autoFocus />
        <p id="signin-help" className="muted">
          Paste your API key. <code>npm start</code> prints a development key for each role. The key is kept for this tab only.
        </p>
        {problem && (
          <p role="alert" className="error">
            {problem}
          </p>
        )}
        <button type="submit" disabled={busy || key.trim().length === 0}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
