// The "Show a pairing code" button with the code it got and any error, as both the hub page and
// the people page offer it.
export function PairingCodeOutput({
  code,
  error,
  onNew,
}: {
  code: string;
  error: string;
  onNew: () => void;
}) {
  return (
    <>
      <button type="button" onClick={onNew}>
        Show a pairing code
      </button>
      {code ? (
        <p class="code" aria-live="polite">
          Code: <strong>{code}</strong> (valid 15 minutes)
        </p>
      ) : null}
      <p role="alert" class="error">
        {error}
      </p>
    </>
  );
}
