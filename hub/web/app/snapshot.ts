// The last look of the device list and of each device screen, kept on the phone: the page's inline
// script paints it before the app has loaded (boot.js), so a phone that opened a screen before
// sees it in the first frame, with the last known state, exactly as the app then draws it from the
// device list it keeps too. Outcomes, alerts and open dialogs are left out (they are about a
// moment), and so is anything over a size that would slow that first frame down.
/** One key per screen (the page's script reads only the one it opens), and their order. */
const KEY = 'hearth.screens';
const screenKey = (route: string) => `hearth.screen ${route}`;
const KEEP = 8;
const MAX_CHARS = 24_000;
const remembered = (route: string) => route === '#/' || /^#\/device\/[^/]+$/.test(route);

let timer: ReturnType<typeof setTimeout> | undefined;
let pending: string | undefined;

function save(route: string): void {
  const main = document.querySelector('main.page');
  if (!main || main.querySelector('[aria-busy="true"]')) return;
  const copy = main.cloneNode(true) as Element;
  for (const el of copy.querySelectorAll('[role="status"], [role="alert"]')) el.textContent = '';
  for (const el of copy.querySelectorAll('dialog[open]')) el.removeAttribute('open');
  const html = copy.outerHTML;
  try {
    const routes = (JSON.parse(localStorage.getItem(KEY) ?? '[]') as string[]).filter((r) => r !== route);
    if (html.length <= MAX_CHARS) {
      localStorage.setItem(screenKey(route), html);
      routes.push(route);
    } else localStorage.removeItem(screenKey(route));
    for (const old of routes.splice(0, Math.max(0, routes.length - KEEP)))
      localStorage.removeItem(screenKey(old));
    localStorage.setItem(KEY, JSON.stringify(routes));
  } catch {
    // storage full or disabled: the first frame is the plain one, nothing else changes
  }
}

const flush = () => {
  clearTimeout(timer);
  if (pending !== undefined) save(pending);
  pending = undefined;
};
// Leaving the page (another site, the app closed, the phone locked) keeps the look at once.
addEventListener('pagehide', flush);
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') flush();
});

/** After a render: keep this screen's look, half a second after the last change. */
export function rememberScreen(route: string): void {
  clearTimeout(timer);
  pending = remembered(route) ? route : undefined;
  if (pending !== undefined) timer = setTimeout(flush, 500);
}
