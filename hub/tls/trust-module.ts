// The hub CA in the forms phones install, served without a token over plain HTTP and HTTPS:
// /ca.crt (PEM) and /ca.der for Android's "Install a certificate → CA certificate", and
// /ca.mobileconfig, an iOS configuration profile holding the CA as a root payload.
import { X509Certificate } from 'node:crypto';
import { Hono } from 'hono';
import type { ApiEnv, ApiModule } from '../api/route-module.js';
import { fingerprintHex } from './ca.js';

export interface TrustSource {
  readonly caPem: string;
  readonly fingerprint: string;
}

const xml = (text: string) =>
  text.replace(/[<>&'"]/g, (ch) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' }[ch]};`);

/** A UUID made from the fingerprint, so installing the profile again replaces it instead of adding one. */
const uuidFrom = (hex: string, salt: number) => {
  const h = `${hex.slice(0, 11)}${salt}${hex.slice(12, 32)}`;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`.toUpperCase();
};

export function mobileConfig(caPem: string, fingerprint: string, hubName: string): string {
  const der = new X509Certificate(caPem).raw.toString('base64');
  const hex = fingerprintHex(fingerprint);
  const entry = (key: string, value: string) => `<key>${key}</key><string>${xml(value)}</string>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
<key>PayloadContent</key>
<array>
<dict>
${entry('PayloadCertificateFileName', 'hearth-hub-ca.cer')}
<key>PayloadContent</key><data>${der}</data>
${entry('PayloadDescription', `Lets this device open the Hearth hub "${hubName}" over HTTPS on the home network.`)}
${entry('PayloadDisplayName', `Hearth hub CA (${hubName})`)}
${entry('PayloadIdentifier', `local.hearth.hub.${hex.slice(0, 16)}.ca`)}
${entry('PayloadType', 'com.apple.security.root')}
${entry('PayloadUUID', uuidFrom(hex, 1))}
<key>PayloadVersion</key><integer>1</integer>
</dict>
</array>
${entry('PayloadDescription', `SHA-256 ${fingerprint}`)}
${entry('PayloadDisplayName', `Hearth hub ${hubName}`)}
${entry('PayloadIdentifier', `local.hearth.hub.${hex.slice(0, 16)}`)}
<key>PayloadRemovalDisallowed</key><false/>
${entry('PayloadType', 'Configuration')}
${entry('PayloadUUID', uuidFrom(hex, 2))}
<key>PayloadVersion</key><integer>1</integer>
</dict>
</plist>
`;
}

export function createTrustModule(tls: TrustSource, hubName: string): ApiModule {
  const app = new Hono<ApiEnv>();
  const headers = (type: string, file: string) => ({
    'content-type': type,
    'content-disposition': `attachment; filename="${file}"`,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  app.get('/ca.crt', (c) =>
    c.body(tls.caPem, 200, headers('application/x-x509-ca-cert', 'hearth-hub-ca.crt')),
  );
  app.get('/ca.der', (c) =>
    c.body(
      new Uint8Array(new X509Certificate(tls.caPem).raw),
      200,
      headers('application/x-x509-ca-cert', 'hearth-hub-ca.der'),
    ),
  );
  app.get('/ca.mobileconfig', (c) =>
    c.body(
      mobileConfig(tls.caPem, tls.fingerprint, hubName),
      200,
      headers('application/x-apple-aspen-config', 'hearth-hub.mobileconfig'),
    ),
  );
  return { basePath: '/', app, openapi: {}, public: true };
}
