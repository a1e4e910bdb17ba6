// One timer for the whole scheduler: a min-heap of (instant, key) and a single setTimeout for the
// earliest. Thousands of schedules due in the same second cost one wake-up, not one timer each.
// Entries are replaced lazily (a stale heap node is skipped when it surfaces).

export interface DueItem {
  key: string;
  at: number;
}

export interface DueQueue {
  /** Schedules `key` at `at` (epoch ms), replacing any earlier entry; null removes it. */
  set(key: string, at: number | null): void;
  delete(key: string): void;
  get(key: string): number | undefined;
  readonly size: number;
  start(): void;
  stop(): void;
}

export interface DueQueueDeps {
  now(): number;
  /** Called with everything due, earliest first; re-`set` keys from here to keep them going. */
  onDue(items: DueItem[], now: number): void;
  /** Longest single sleep, so a wall-clock jump is noticed within this. */
  maxSleepMs?: number;
}

interface Node {
  at: number;
  key: string;
  gen: number;
}

export function createDueQueue({ now, onDue, maxSleepMs = 30_000 }: DueQueueDeps): DueQueue {
  const heap: Node[] = [];
  const live = new Map<string, { at: number; gen: number }>();
  let gen = 0;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let firing = false;

  const less = (a: Node, b: Node) => a.at < b.at || (a.at === b.at && a.gen < b.gen);
  // Plain swaps, not destructuring: the firing path runs cold (once per due instant), where an
  // array per swap is not optimised away.
  const swap = (i: number, j: number) => {
    const t = heap[i] as Node;
    heap[i] = heap[j] as Node;
    heap[j] = t;
  };
  const push = (node: Node) => {
    heap.push(node);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(heap[i] as Node, heap[parent] as Node)) break;
      swap(i, parent);
      i = parent;
    }
  };
  const pop = (): Node | undefined => {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && less(heap[l] as Node, heap[m] as Node)) m = l;
        if (r < heap.length && less(heap[r] as Node, heap[m] as Node)) m = r;
        if (m === i) break;
        swap(i, m);
        i = m;
      }
    }
    return top;
  };
  const isLive = (n: Node) => live.get(n.key)?.gen === n.gen;
  const peek = (): Node | undefined => {
    while (heap.length > 0 && !isLive(heap[0] as Node)) pop();
    return heap[0];
  };

  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!running || firing) return;
    const next = peek();
    if (!next) return;
    const delay = Math.min(Math.max(next.at - now(), 0), maxSleepMs);
    timer = setTimeout(fire, delay);
    timer.unref?.();
  };

  function fire() {
    timer = undefined;
    const t = now();
    const due: DueItem[] = [];
    for (let n = peek(); n && n.at <= t; n = peek()) {
      pop();
      live.delete(n.key);
      due.push({ key: n.key, at: n.at });
    }
    if (due.length > 0) {
      firing = true;
      try {
        onDue(due, t);
      } finally {
        firing = false;
      }
    }
    arm();
  }

  return {
    set(key, at) {
      if (at === null) {
        live.delete(key);
      } else {
        gen += 1;
        live.set(key, { at, gen });
        push({ at, key, gen });
      }
      if (!firing) arm();
    },
    delete(key) {
      live.delete(key);
    },
    get: (key) => live.get(key)?.at,
    get size() {
      return live.size;
    },
    start() {
      running = true;
      arm();
    },
    stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
