// A small Prometheus registry: counters with labels and gauges read at scrape time. Enough for
// /metrics without a dependency; names follow Prometheus conventions (hearth_*_total).

type Labels = Record<string, string>;

export interface Counter {
  inc(labels?: Labels, by?: number): void;
  get(labels?: Labels): number;
}

export interface Metrics {
  counter(name: string, help: string): Counter;
  /** A gauge whose value(s) are read when scraped. */
  gauge(name: string, help: string, read: () => number | Array<[Labels, number]>): void;
  render(): string;
}

const key = (labels: Labels = {}) =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}="${String(labels[k]).replace(/["\\\n]/g, '_')}"`)
    .join(',');

export function createMetrics(): Metrics {
  const counters = new Map<string, { help: string; values: Map<string, number> }>();
  const gauges = new Map<string, { help: string; read: () => number | Array<[Labels, number]> }>();
  return {
    counter(name, help) {
      let entry = counters.get(name);
      if (!entry) {
        entry = { help, values: new Map() };
        counters.set(name, entry);
      }
      const values = entry.values;
      return {
        inc(labels, by = 1) {
          const k = key(labels);
          values.set(k, (values.get(k) ?? 0) + by);
        },
        get(labels) {
          return values.get(key(labels)) ?? 0;
        },
      };
    },
    gauge(name, help, read) {
      gauges.set(name, { help, read });
    },
    render() {
      const out: string[] = [];
      for (const [name, { help, values }] of counters) {
        out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
        if (values.size === 0) out.push(`${name} 0`);
        for (const [k, v] of values) out.push(`${name}${k ? `{${k}}` : ''} ${v}`);
      }
      for (const [name, { help, read }] of gauges) {
        out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
        let value: number | Array<[Labels, number]>;
        try {
          value = read();
        } catch {
          continue;
        }
        if (typeof value === 'number') out.push(`${name} ${value}`);
        else for (const [labels, v] of value) out.push(`${name}{${key(labels)}} ${v}`);
      }
      return `${out.join('\n')}\n`;
    },
  };
}
