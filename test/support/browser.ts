// A real Chromium (Debian's) driven by playwright-core, as a phone: 390×844, touch, and the flags
// that keep Chromium from calling out to the internet.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../bench/lib/chromium.js';

export { CHROMIUM_ARGS };

export interface Phone {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * A fresh phone by default. A phone on the test LAN passes its own launcher (Chromium inside its
 * namespace), its HOME (its NSS database) and a profile it keeps between launches (its cookies).
 */
export async function launchPhone(
  opts: { executablePath?: string; profile?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Phone> {
  const profile = opts.profile ?? mkdtempSync(join(tmpdir(), 'hearth-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: opts.executablePath ?? CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
    ...(opts.env ? { env: opts.env } : {}),
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  return {
    context,
    async close() {
      await context.close();
      if (!opts.profile) rmSync(profile, { recursive: true, force: true });
    },
  };
}
