// The hub's own gauges in /metrics: devices, commands in flight, and the process's memory (to watch
// the footprint on a Pi). Registered once the core is up.
import type { CommandService, DeviceRegistry } from './core/context.js';
import type { Metrics } from './infra/metrics.js';

export function registerHubGauges(
  metrics: Metrics,
  core: { registry: DeviceRegistry & { onlineCount(): number }; commands: CommandService },
): void {
  const { registry, commands } = core;
  metrics.gauge('hearth_devices', 'Registered devices', () => registry.list().length);
  metrics.gauge('hearth_devices_online', 'Devices online now', () => registry.onlineCount());
  metrics.gauge('hearth_commands_active', 'Commands waiting for an ack', () => commands.activeCount());
  metrics.gauge('process_resident_memory_bytes', 'Resident memory of the hub process', () =>
    process.memoryUsage.rss(),
  );
  metrics.gauge('nodejs_heap_size_used_bytes', 'V8 heap in use', () => process.memoryUsage().heapUsed);
  metrics.gauge('nodejs_heap_size_total_bytes', 'V8 heap reserved', () => process.memoryUsage().heapTotal);
  metrics.gauge(
    'nodejs_external_memory_bytes',
    'Memory of buffers and native objects held by JavaScript',
    () => {
      const m = process.memoryUsage();
      return m.external + m.arrayBuffers;
    },
  );
}
