// The phone app: a hash router over a few screens, live state from SSE, and a clear banner when
// the hub cannot be reached (the service worker still opens the app shell).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { DeviceList } from './components/device-list.js';
import { DeviceView } from './components/device-view.js';
import { PairScreen } from './components/pair-screen.js';
import { TrustScreen } from './components/trust-screen.js';
import { lazy } from './lazy.js';
import { skipPairing, startLink } from './link.js';
import { rememberScreen } from './snapshot.js';
import { useStore } from './store.js';

// Each in its own chunk, fetched when first opened.
const History = lazy(() => import('./components/history.js').then((m) => m.History));
const Schedules = lazy(() => import('./components/schedules.js').then((m) => m.Schedules));
const HubStatus = lazy(() => import('./components/hub-status.js').then((m) => m.HubStatus));
const People = lazy(() => import('./components/people.js').then((m) => m.People));
const Firmware = lazy(() => import('./components/firmware.js').then((m) => m.Firmware));

function useRoute(): string {
  const [route, setRoute] = useState(location.hash || '#/');
  useEffect(() => {
    const on = () => setRoute(location.hash || '#/');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

function App() {
  const s = useStore();
  const route = useRoute();
  useEffect(() => rememberScreen(route));
  const devices = Object.values(s.devices ?? {});
  const banner =
    s.connection === 'lost' ? (
      <div class="banner" role="alert">
        Can’t reach the hub right now.{' '}
        {s.devices ? 'Showing the last known state; retrying…' : 'Is the phone on the home Wi-Fi? Retrying…'}
      </div>
    ) : null;
  // A phone that has never paired sees the pairing screen at once, not after the hub's answer.
  if (s.paired === null && banner) return <main aria-busy="true">{banner}</main>;
  // Plain HTTP on the LAN: once paired, the next step is trusting the hub CA and moving to HTTPS.
  if (s.trust && s.paired) return <TrustScreen hubName={s.hubName} {...s.trust} />;
  if (!s.paired || route.startsWith('#pair='))
    return <PairScreen hubName={s.hubName} onSkip={s.trust ? skipPairing : undefined} />;
  const [, deviceId, sub] = /^#\/device\/([^/]+)(\/history)?$/.exec(route) ?? [];
  const device = deviceId ? s.devices?.[deviceId] : undefined;
  let page = <DeviceList devices={s.devices === null ? null : devices} />;
  if (device && sub) page = <History device={device} />;
  else if (device) page = <DeviceView device={device} note={s.notes[device.id]} />;
  else if (deviceId && s.devices === null) page = <p class="muted">Loading…</p>;
  else if (route === '#/schedules') page = <Schedules devices={s.devices ?? {}} />;
  else if (route === '#/people') page = <People />;
  else if (route === '#/firmware') page = <Firmware />;
  else if (route === '#/hub')
    page = <HubStatus online={devices.filter((d) => d.online).length} total={devices.length} />;
  const tab = (href: string, label: string) => (
    <a href={href} aria-current={route === href ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <>
      <header>
        <span class="brand">{s.hubName}</span>
        <span class={`live ${s.connection}`}>
          {s.connection === 'live' ? 'Live' : s.connection === 'lost' ? 'Offline' : '…'}
        </span>
      </header>
      {banner}
      <main class="page">{page}</main>
      <nav aria-label="Sections">
        {tab('#/', 'Devices')}
        {tab('#/schedules', 'Schedules')}
        {tab('#/hub', 'Hub')}
      </nav>
    </>
  );
}

// The page already shows this screen: start in steps, each its own short task, so a tap is never
// kept waiting behind one long one (asking the hub, drawing the screen, the service worker).
const steps = [
  startLink,
  () => render(<App />, document.getElementById('app') as HTMLElement),
  () => 'serviceWorker' in navigator && navigator.serviceWorker.register('/sw.js').catch(() => undefined),
];
const next = () => {
  steps.shift()?.();
  if (steps.length > 0) setTimeout(next, 0);
};
next();
