// The V8 flags and the allocator setting the hub runs with, wherever it is launched (systemd unit,
// `npm start`, the `hearth` command, drills and benches). V8 and glibc read them only when the
// process starts, so they cannot be set from inside the hub.
//
// With 1000 devices connected the hub's live heap is ~38 MB, yet V8's defaults let it reserve far
// more: a young generation that grows to 16 MB per semi-space in a reconnect surge and stays, and
// an old generation allowed to double before the next full collection. Measured with 1000 devices
// and 3000 commands, before the allocator setting below: RSS ~150-160 MB with the defaults (and it
// stayed there at rest), ~132 MB with a 1 MB semi-space, ~116-120 MB with the old generation also
// growing by 20% at a time; command round trip unchanged within the run-to-run noise. The price is burst work, which
// now collects more often: broker fan-in ~44k → ~29k msg/s, a tick of 1000 due schedules p99
// ~45 → ~50 ms. Memory was chosen: on a Pi it is the page cache's.
export const HUB_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--heap-growing-percent=20'];

/**
 * glibc's malloc: blocks of 16 KiB and more get their own mapping, returned to the system when
 * freed, instead of coming from the shared heap. Every TLS connection allocates such blocks
 * (node's 64 KiB socket read buffer, of which only the pages written count, and OpenSSL's 16 KiB
 * record buffers during the handshake); from the shared heap they were pages already touched
 * and, once freed, holes between live objects that stay resident. Measured with 1000 devices
 * (bench/RESULTS.md): RSS 122 → 109-110 MB plain and 150 → 135-138 MB over TLS; a TLS ping-pong's p50 the
 * same (13.4 vs 13.5 µs), one mmap per ~36 records. Other allocators (musl) ignore it.
 */
export const HUB_MALLOC_TUNABLES = 'glibc.malloc.mmap_threshold=16384';

/**
 * The environment drills and benches start the hub with: the caller's, with the allocator setting
 * added to theirs (a threshold they chose is kept). The `hearth` shebang, `npm start` and the
 * systemd unit set GLIBC_TUNABLES outright, so there a value of one's own goes in their command
 * line or unit (README: troubleshooting).
 */
export function hubEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const own = env.GLIBC_TUNABLES;
  const tunables = own?.includes('glibc.malloc.mmap_threshold')
    ? own
    : [own, HUB_MALLOC_TUNABLES].filter(Boolean).join(':');
  return { ...env, GLIBC_TUNABLES: tunables };
}
