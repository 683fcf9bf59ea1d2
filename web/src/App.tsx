// Owns the application shell: who is logged in, the navigation (CUCM's menus), the theme, and which page
// a path shows.

import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { api, onUnauthenticated } from './api.ts';
import { Link, match, navigate, useLocation } from './router.tsx';
import type { Me } from './types.ts';
import { LoginPage } from './pages/Login.tsx';
import { DashboardPage } from './pages/Dashboard.tsx';
import { PhonesPage } from './pages/Phones.tsx';
import { PhonePage } from './pages/Phone.tsx';
import { ProfilesPage, ProfilePage } from './pages/Profiles.tsx';
import { BulkPage } from './pages/Bulk.tsx';
import { BulkJobPage } from './pages/BulkJob.tsx';
import { CertificatesPage, CertificatePage } from './pages/Certificates.tsx';
import { TrustListsPage } from './pages/TrustLists.tsx';
import { MigrationPage } from './pages/Migration.tsx';
import { TvsTrustPage } from './pages/TvsTrust.tsx';
import { ManufacturingCasPage } from './pages/ManufacturingCas.tsx';
import { MonitorPage } from './pages/Monitor.tsx';
import { ReportsPage } from './pages/Reports.tsx';
import { AuditPage } from './pages/Audit.tsx';
import { TroubleshootPage } from './pages/Troubleshoot.tsx';
import { ImportPage } from './pages/Import.tsx';
import { UsersPage } from './pages/Users.tsx';
import { RenewalPage } from './pages/Renewal.tsx';
import { Loading } from './components/ui.tsx';

const NAV: { to: string; label: string; group: string }[] = [
  { to: '/', label: 'Dashboard', group: 'Overview' },
  { to: '/phones', label: 'Phones', group: 'Device' },
  { to: '/import', label: 'Import phones', group: 'Device' },
  { to: '/profiles', label: 'Phone Security Profiles', group: 'Device' },
  { to: '/bulk', label: 'Bulk Administration', group: 'Device' },
  { to: '/certificates', label: 'Certificates', group: 'Security' },
  { to: '/trust', label: 'Trust lists (ITL/CTL)', group: 'Security' },
  { to: '/migration', label: 'Move phones here', group: 'Security' },
  { to: '/tvs-trust', label: 'TVS trust (other clusters)', group: 'Security' },
  { to: '/manufacturing-cas', label: 'Manufacturing CAs (MICs)', group: 'Security' },
  { to: '/renewal', label: 'LSC renewal', group: 'Security' },
  { to: '/monitor', label: 'Certificate monitor', group: 'Security' },
  { to: '/users', label: 'Users and API tokens', group: 'System' },
  { to: '/reports', label: 'Reports', group: 'Reports' },
  { to: '/audit', label: 'Audit log', group: 'Reports' },
  { to: '/troubleshoot', label: 'Troubleshoot', group: 'Reports' },
];

type Theme = 'system' | 'light' | 'dark';

function useTheme(): [Theme, (t: Theme) => void] {
  const [theme, setTheme] = useState<Theme>(() => (localStorage.getItem('opencapf-theme') as Theme | null) ?? 'system');
  useEffect(() => {
    if (theme === 'system') document.documentElement.removeAttribute('data-theme');
    else document.documentElement.setAttribute('data-theme', theme);
    localStorage.setItem('opencapf-theme', theme);
  }, [theme]);
  return [theme, setTheme];
}

function routeFor(path: string, me: Me): ReactNode {
  if (path === '/' || path === '/dashboard') return <DashboardPage />;
  if (path === '/phones') return <PhonesPage me={me} />;
  let m = match('/phones/:deviceName', path);
  if (m) return <PhonePage key={m.deviceName} deviceName={m.deviceName!} me={me} />;
  if (path === '/import') return <ImportPage me={me} />;
  if (path === '/profiles') return <ProfilesPage me={me} />;
  m = match('/profiles/:name', path);
  if (m) return <ProfilePage key={m.name} name={m.name!} me={me} />;
  if (path === '/bulk') return <BulkPage me={me} />;
  m = match('/bulk/jobs/:id', path);
  if (m && /^\d{1,9}$/.test(m.id!)) return <BulkJobPage key={m.id} id={Number(m.id)} me={me} />;
  if (path === '/certificates') return <CertificatesPage />;
  m = match('/certificates/:name', path);
  if (m) return <CertificatePage key={m.name} name={m.name!} me={me} />;
  if (path === '/trust') return <TrustListsPage me={me} />;
  if (path === '/migration') return <MigrationPage me={me} />;
  if (path === '/tvs-trust') return <TvsTrustPage me={me} />;
  if (path === '/manufacturing-cas') return <ManufacturingCasPage me={me} />;
  if (path === '/monitor') return <MonitorPage me={me} />;
  if (path === '/reports') return <ReportsPage />;
  if (path === '/audit') return <AuditPage />;
  if (path === '/troubleshoot') return <TroubleshootPage />;
  if (path === '/renewal') return <RenewalPage me={me} />;
  if (path === '/users') return <UsersPage me={me} />;
  return (
    <div>
      <h1>Page not found</h1>
      <p>
        There is no page at <code>{path}</code>. <Link to="/">Go to the dashboard</Link>.
      </p>
    </div>
  );
}

export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [theme, setTheme] = useTheme();
  const [navOpen, setNavOpen] = useState(false);
  const { path } = useLocation();

  const refreshMe = useCallback(async () => {
    try {
      setMe(await api<Me>('GET', '/auth/me'));
    } catch {
      setMe(null);
    }
  }, []);
  useEffect(() => {
    void refreshMe();
    return onUnauthenticated(() => setMe(null));
  }, [refreshMe]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: path is the trigger: the menu closes on each navigation
  useEffect(() => setNavOpen(false), [path]);
  useEffect(() => {
    const page = NAV.find((n) => (n.to === '/' ? path === '/' : path.startsWith(n.to)));
    document.title = `${page?.label ?? 'OpenCAPF'} · OpenCAPF`;
  }, [path]);

  if (me === undefined)
    return (
      <main className="center">
        <Loading what="your session" />
      </main>
    );
  if (me === null || me.mustChangePassword) return <LoginPage me={me} onLoggedIn={refreshMe} />;

  const logout = async () => {
    try {
      await api('POST', '/auth/logout');
    } finally {
      setMe(null);
      navigate('/', { replace: true });
    }
  };
  const groups = [...new Set(NAV.map((n) => n.group))];
  return (
    <div className="shell">
      <a href="#main" className="skip">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="nav-toggle"
          aria-expanded={navOpen}
          aria-controls="sidenav"
          onClick={() => setNavOpen(!navOpen)}
        >
          Menu
        </button>
        <Link to="/" className="brand">
          OpenCAPF <span className="brand-sub">Certificate Authority Proxy Function</span>
        </Link>
        <div className="topbar-right">
          <label className="theme-picker">
            <span>Theme</span>
            <select value={theme} onChange={(e) => setTheme(e.target.value as Theme)}>
              <option value="system">System</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          </label>
          <span className="user" title={`role: ${me.role}`}>
            {me.username} <span className="muted">({me.role})</span>
          </span>
          <button type="button" onClick={logout} title={`Log out ${me.username}`}>
            Log out
          </button>
        </div>
      </header>
      <nav id="sidenav" className={`sidenav${navOpen ? ' open' : ''}`} aria-label="Main">
        {groups.map((g) => (
          <div key={g} className="nav-group">
            <h2 className="nav-group-title">{g}</h2>
            <ul>
              {NAV.filter((n) => n.group === g).map((n) => {
                const active = n.to === '/' ? path === '/' : path === n.to || path.startsWith(`${n.to}/`);
                return (
                  <li key={n.to}>
                    <Link to={n.to} aria-current={active ? 'page' : undefined}>
                      {n.label}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </div>
        ))}
      </nav>
      <main id="main" tabIndex={-1}>
        {routeFor(path, me)}
      </main>
    </div>
  );
}
