import { lazy, Suspense } from 'react';
import { Navigate, NavLink, Route, Routes } from 'react-router';
import { SignInPage } from './pages/SignIn';
import { WorkQueuePage } from './pages/WorkQueue';
import { pagesByRole, useSession, type PageId } from './session';

// The work queue loads with the app; the heavier pages (editor, charts) load when first opened.
const CasesPage = lazy(() => import('./pages/Cases').then((module) => ({ default: module.CasesPage })));
const CaseRoute = lazy(() => import('./pages/CaseRoute').then((module) => ({ default: module.CaseRoute })));
const DebtorsPage = lazy(() => import('./pages/Debtors').then((module) => ({ default: module.DebtorsPage })));
const DebtorRoute = lazy(() => import('./pages/DebtorRoute').then((module) => ({ default: module.DebtorRoute })));
const StrategiesPage = lazy(() => import('./pages/Strategies').then((module) => ({ default: module.StrategiesPage })));
const ReportsPage = lazy(() => import('./pages/Reports').then((module) => ({ default: module.ReportsPage })));
const MyCaseloadPage = lazy(() => import('./pages/caseload/MyCaseloadPage').then((module) => ({ default: module.MyCaseloadPage })));
const WebhooksPage = lazy(() => import('./pages/Webhooks').then((module) => ({ default: module.WebhooksPage })));
const SimulationsPage = lazy(() => import('./pages/Simulations').then((module) => ({ default: module.SimulationsPage })));
const ImportPage = lazy(() => import('./pages/Import').then((module) => ({ default: module.ImportPage })));

const pages: Record<PageId, { label: string; path: string }> = {
  queue: { label: 'Work queue', path: '/queue' },
  cases: { label: 'Cases', path: '/cases' },
  debtors: { label: 'Debtors', path: '/debtors' },
  strategies: { label: 'Strategies', path: '/strategies' },
  reports: { label: 'Reports', path: '/reports' },
  simulations: { label: 'Simulations', path: '/simulations' },
  import: { label: 'Import', path: '/import' },
  webhooks: { label: 'Webhooks', path: '/webhooks' },
};

export function App() {
  const { session, loading, signOut } = useSession();
  if (loading) return <p className="centered" role="status">Checking your key…</p>;
  if (!session) return <SignInPage />;

  const allowed = pagesByRole[session.role];
  const first = allowed[0] ? pages[allowed[0]].path : '/cases';
  return (
    <div className="shell">
      <a className="skip" href="#main">Skip to content</a>
      <header className="topbar">
        <strong className="brand">Dunning console</strong>
        <nav aria-label="Pages">
          {allowed.map((id) => (
            <NavLink key={id} to={pages[id].path} className={({ isActive }) => (isActive ? 'active' : '')}>
              {pages[id].label}
            </NavLink>
          ))}
        </nav>
        <span className="who">
          <span className="visually-hidden">Signed in as </span>
          <span className="role-badge" data-testid="role">{session.role}</span>
          {session.team ? <span className="muted"> team {session.team}</span> : null}
        </span>
        <button type="button" className="secondary" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p role="status">Loading…</p>}>
          <Routes>
            {allowed.includes('queue') && <Route path="/queue" element={<WorkQueuePage />} />}
            {allowed.includes('queue') && <Route path="/my" element={<MyCaseloadPage />} />}
            {allowed.includes('cases') && <Route path="/cases" element={<CasesPage />} />}
            {allowed.includes('cases') && <Route path="/cases/:caseId" element={<CaseRoute />} />}
            {allowed.includes('debtors') && <Route path="/debtors" element={<DebtorsPage />} />}
            {allowed.includes('debtors') && <Route path="/debtors/:debtorId" element={<DebtorRoute />} />}
            {allowed.includes('strategies') && <Route path="/strategies" element={<StrategiesPage />} />}
            {allowed.includes('strategies') && <Route path="/strategies/:key" element={<StrategiesPage />} />}
            {allowed.includes('reports') && <Route path="/reports" element={<ReportsPage />} />}
            {allowed.includes('simulations') && <Route path="/simulations" element={<SimulationsPage />} />}
            {allowed.includes('simulations') && <Route path="/simulations/:id" element={<SimulationsPage />} />}
            {allowed.includes('import') && <Route path="/import" element={<ImportPage />} />}
            {allowed.includes('webhooks') && <Route path="/webhooks" element={<WebhooksPage />} />}
            <Route path="*" element={<Navigate to={first} replace />} />
          </Routes>
        </Suspense>
      </main>
    </div>
  );
}
