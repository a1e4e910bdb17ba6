// What the phone app reads from the hub: the API's own shapes (shared/views.ts), plus the
// schedule shapes the app renders.
import type { CapabilityDescriptor } from '../../../shared/capabilities.js';
import type { CommandRecord as CommandView, DeviceView } from '../../../shared/views.js';

export type Descriptor = CapabilityDescriptor;
export type Device = DeviceView;
export type CommandRecord = CommandView;

export interface Schedule {
  id: string;
  deviceId: string;
  name: string | null;
  command: { capability: string; value?: unknown; params?: Record<string, number> | undefined };
  cron: string | null;
  at: number | null;
  sun: { event: 'sunrise' | 'sunset'; offsetMinutes: number } | null;
  tz: string;
  enabled: boolean;
  catchUp: { policy: 'skip' } | { policy: 'run-once-if-late'; withinMinutes: number };
  runsOn: 'hub' | 'device';
  nextRunAt: number | null;
}

export interface ScheduleRun {
  occurrence: string;
  scheduleId: string;
  status?: string;
  ranAt?: number | null;
  [key: string]: unknown;
}
