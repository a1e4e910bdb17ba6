// Inline at the end of the page the hub sends, before the first paint. The hub knows whether this
// phone is paired, not which screen the link opens: here the frame becomes that screen, as the
// phone last saw it (the look the app keeps, app/snapshot.ts), or with the device's name as its
// title. Then, once that frame is painted, it loads the app: the entry and the chunks it imports
// (the page names them: their names carry a content hash), each request started in its own task.
(() => {
  const root = document.documentElement;
  const main = document.querySelector('main.page');
  const route = location.hash || '#/';
  const stored = (key) => {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  };
  if (main && root.dataset.session === 'app') {
    // Only what this screen needs is read: its kept look, else the device list for a name.
    const look = stored('hearth.devices') !== null && stored(`hearth.screen ${route}`);
    const device = /^#\/device\/([^/]+)$/.exec(route);
    if (look) main.outerHTML = look;
    else if (device) {
      main.innerHTML = '<a href="#/" class="back">← All devices</a><h1></h1><p class="muted">Loading…</p>';
      let name = '';
      try {
        name = JSON.parse(stored('hearth.devices') || '{}')[decodeURIComponent(device[1])]?.name || '';
      } catch {}
      main.querySelector('h1').textContent = name;
    } else if (route !== '#/') main.innerHTML = '<p class="muted">Loading…</p>';
    for (const tab of document.querySelectorAll('nav a'))
      if (tab.getAttribute('href') === route) tab.setAttribute('aria-current', 'page');
  }
  // Starting a fetch has a cost of its own: three in one task would make one long task.
  const load = () => {
    const add = (attrs) =>
      document.head.append(Object.assign(document.createElement(attrs.tag), attrs.props));
    const todo = (root.dataset.preload || '')
      .split(' ')
      .filter(Boolean)
      .map((href) => ({ tag: 'link', props: { rel: 'modulepreload', href } }));
    todo.unshift({ tag: 'script', props: { type: 'module', src: root.dataset.entry } });
    const step = () => {
      add(todo.shift());
      if (todo.length > 0) setTimeout(step, 0);
    };
    step();
  };
  // A page opened in the background paints nothing until shown: nothing to wait for there.
  if (document.visibilityState === 'hidden') load();
  else requestAnimationFrame(() => setTimeout(load, 0));
})();
