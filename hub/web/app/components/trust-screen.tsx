// The step between pairing over plain HTTP and the secure app: install the hub's own CA on the
// phone (Android and iOS wording), compare its fingerprint with the one the hub printed, then open
// the HTTPS address, where the app works offline and installs.
export function TrustScreen({
  hubName,
  https,
  fingerprint,
}: {
  hubName: string;
  https: string;
  fingerprint: string;
}) {
  // The QR code and link the hub printed carry the fingerprint: that one is trustworthy, the page's
  // own (fetched over plain HTTP) is only a convenience.
  const fromLink = /[#&]ca=([0-9a-f]{64})/.exec(location.hash)?.[1];
  const shown = fromLink ? (fromLink.toUpperCase().match(/../g) ?? []).join(':') : fingerprint;
  return (
    <main class="pair trust">
      <h1>Trust {hubName}</h1>
      <p>
        The hub has its own certificate authority, valid only for addresses on your home network. Install it
        once on this phone so the app opens securely, works while the hub is away, and can be installed.
      </p>
      <p>
        Its SHA-256 fingerprint{fromLink ? ' (from the hub’s pairing code)' : ''}:
        <code class="fingerprint" data-testid="ca-fingerprint">
          {shown}
        </code>
        Check that the phone shows the same when it installs the certificate.
      </p>
      <h2>Android</h2>
      <ol>
        <li>
          <a href="/ca.crt" download="hearth-hub-ca.crt">
            Download the hub certificate
          </a>
          .
        </li>
        <li>Settings → Security &amp; privacy → More security settings → Encryption &amp; credentials.</li>
        <li>Install a certificate → CA certificate → Install anyway, and pick hearth-hub-ca.crt.</li>
      </ol>
      <h2>iPhone and iPad</h2>
      <ol>
        <li>
          <a href="/ca.mobileconfig">Download the hub profile</a> and allow it.
        </li>
        <li>Settings → Profile Downloaded → Install.</li>
        <li>Settings → General → About → Certificate Trust Settings: turn on “Hearth hub CA”.</li>
      </ol>
      <p>
        <a class="button primary" href={https}>
          Open Hearth securely
        </a>
      </p>
    </main>
  );
}
