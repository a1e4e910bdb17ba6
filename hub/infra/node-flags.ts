// The V8 flags the hub runs with, wherever it is launched (systemd unit, `npm start`, the `hearth`
// command, drills and benches). V8 reads them only when the process starts, so they cannot be set
// from inside the hub.
//
// With 1000 devices connected the hub's live heap is ~38 MB, yet V8's defaults let it reserve far
// more: a young generation that grows to 16 MB per semi-space in a reconnect surge and stays, and
// an old generation allowed to double before the next full collection. Measured with 1000 devices
// and 3000 commands (bench/RESULTS.md): RSS ~150-160 MB with the defaults (and it stayed there at
// rest), ~132 MB with a 1 MB semi-space, ~116-120 MB with the old generation also growing by 20% at
// a time; command round trip unchanged within the run-to-run noise. The price is burst work, which
// now collects more often: broker fan-in ~44k → ~29k msg/s, a tick of 1000 due schedules p99
// ~45 → ~50 ms. Memory was chosen: on a Pi it is the page cache's.
export const HUB_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--heap-growing-percent=20'];
