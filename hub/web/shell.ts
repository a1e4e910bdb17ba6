// The page the hub sends for the phone app: its styles inline, the first screen already in the
// markup (the hub knows whether the request carries a valid session: the pairing screen for a
// phone that has none, the app's frame with the device list's title for one that has), and a
// small inline script that names the screen a device link opens and then loads the app's modules.
// So the first frame is painted from this one response, before any script is fetched, and says
// what is coming instead of "loading" in general. One variant per kind of visitor, built once.
import { createHash } from 'node:crypto';
import { PAIR_INTRO, PAIR_TITLE } from './pair-text.js';

/** Who asks: a phone with a session, one without (pairing), or a plain-HTTP LAN visit (trust step). */
export type ShellVariant = 'app' | 'pair' | 'plain';

export interface ShellParts {
  template: string;
  css: string;
  boot: string;
  hubName: string;
  /** The entry module and the chunks it imports statically, as paths. */
  entry: string;
  preload: string[];
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

function firstScreen(variant: ShellVariant, hubName: string): string {
  const name = escapeHtml(hubName);
  if (variant === 'pair')
    return `<main class="pair"><h1>${escapeHtml(PAIR_TITLE(hubName))}</h1><p>${escapeHtml(PAIR_INTRO)}</p></main>`;
  if (variant === 'plain') return '<main aria-busy="true"><p class="muted">Loading…</p></main>';
  const tab = (href: string, label: string) => `<a href="${href}">${label}</a>`;
  return [
    `<header><span class="brand">${name}</span><span class="live connecting">…</span></header>`,
    '<main class="page" aria-busy="true"><h1>Devices</h1><p class="muted">Loading devices…</p></main>',
    `<nav aria-label="Sections">${tab('#/', 'Devices')}${tab('#/schedules', 'Schedules')}${tab('#/hub', 'Hub')}</nav>`,
  ].join('');
}

/** The page for one variant and the CSP that allows exactly its inline style and script. */
export function buildShell(parts: ShellParts, variant: ShellVariant): { html: string; csp: string } {
  const attrs = `lang="en" data-session="${variant}" data-entry="${parts.entry}" data-preload="${parts.preload.join(' ')}"`;
  const html = parts.template
    .replace('<html lang="en">', () => `<html ${attrs}>`)
    .replace(/<link rel="stylesheet" href="\/app\.css" \/>/, () => `<style>${parts.css}</style>`)
    .replace('<!--first screen-->', () => firstScreen(variant, parts.hubName))
    .replace(/<script src="\/boot\.js"><\/script>/, () => `<script>${parts.boot}</script>`);
  const csp = [
    "default-src 'self'",
    "img-src 'self' data:",
    `style-src 'self' ${sha256(parts.css)}`,
    `script-src 'self' ${sha256(parts.boot)}`,
    "connect-src 'self'",
  ].join('; ');
  return { html, csp };
}
