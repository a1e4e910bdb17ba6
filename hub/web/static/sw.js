// Keeps the app so Hearth opens even while the hub is briefly unreachable; the app then says so
// itself. API calls and the event stream always go to the network. The hub fills in ASSETS (the
// app's modules, named by their content): a new build is a new worker with a new cache.
const ASSETS = [];
const SHELL = ['/', '/manifest.webmanifest', '/icon-192.png', '/icon-512.png'];
const CACHE = `hearth-${ASSETS.find((a) => a.includes('/main-')) ?? 'shell'}`;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll([...SHELL, ...ASSETS]))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== location.origin || url.pathname.startsWith('/api/'))
    return;
  // A module's name changes with its content: the kept copy is always right.
  if (url.pathname.startsWith('/assets/')) {
    event.respondWith(caches.match(event.request).then((hit) => hit || fetch(event.request)));
    return;
  }
  // Network first, so a hub upgrade shows at once; the cache when the hub is away.
  event.respondWith(
    fetch(event.request)
      .then((res) => {
        if (res.ok && SHELL.includes(url.pathname)) {
          const copy = res.clone();
          caches.open(CACHE).then((c) => c.put(event.request, copy));
        }
        return res;
      })
      .catch(() => caches.match(event.request).then((hit) => hit || caches.match('/'))),
  );
});
