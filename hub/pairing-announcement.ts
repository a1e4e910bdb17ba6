// On a hub with no paired phone, show the owner how to pair: the code, the URL and a QR code of
// it in a terminal; a log line otherwise (journald), so `journalctl -u hearth` shows it too.
import type { CoreContext } from './core/context.js';
import type { PairingService } from './security/pairing.js';
import { type FirstContact, pairingUrl } from './security/pairing-url.js';

export async function announcePairing(
  ctx: CoreContext,
  pairing: PairingService,
  entry: FirstContact & { fingerprint: string },
  out: NodeJS.WritableStream,
): Promise<void> {
  const { code, expiresAt } = await pairing.newCode();
  const url = pairingUrl(ctx.config.bind, entry, code);
  ctx.log.info(
    { url, expiresAt: new Date(expiresAt).toISOString(), caFingerprint: entry.fingerprint },
    `no phone paired yet; pairing code ${code}; hub CA SHA-256 ${entry.fingerprint}`,
  );
  if (!(out as NodeJS.WriteStream).isTTY) return;
  // Loaded only here: a hub in the cupboard never prints a QR code.
  const { default: qrcode } = await import('qrcode-terminal');
  const qr = await new Promise<string>((resolve) => qrcode.generate(url, { small: true }, resolve));
  out.write(
    `\n  Pair your phone: open ${url}\n  or enter the code ${code} in the Hearth app.\n  The phone will be asked to trust the hub's CA; its SHA-256 must read\n  ${entry.fingerprint}\n\n${qr}\n`,
  );
}
