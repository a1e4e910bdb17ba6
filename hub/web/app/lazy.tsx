// Screens the first paint does not need live in their own chunks, loaded when first opened (the
// entry stays small, so the list, a device and pairing start fast). While a chunk loads the
// screen says so; if it cannot be fetched (the hub went away) it says that and offers a retry.
import type { ComponentType, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export function lazy<P extends object>(load: () => Promise<ComponentType<P>>): (props: P) => JSX.Element {
  let loaded: ComponentType<P> | undefined;
  let pending: Promise<ComponentType<P>> | undefined;
  const fetchOnce = () => {
    pending ??= load().then(
      (c) => {
        loaded = c;
        return c;
      },
      (err: unknown) => {
        pending = undefined; // the next try fetches again
        throw err;
      },
    );
    return pending;
  };
  return function Lazy(props: P) {
    const [, setLoads] = useState(0);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (loaded || failed) return;
      let live = true;
      fetchOnce().then(
        () => live && setLoads((n) => n + 1),
        () => live && setFailed(true),
      );
      return () => {
        live = false;
      };
    }, [failed]);
    const Screen = loaded;
    if (Screen) return <Screen {...props} />;
    if (!failed)
      return (
        <p class="muted" aria-busy="true">
          Loading…
        </p>
      );
    return (
      <p role="alert" class="error">
        This screen could not be loaded: the hub may be out of reach.{' '}
        <button type="button" class="link" onClick={() => setFailed(false)}>
          Try again
        </button>
      </p>
    );
  };
}
