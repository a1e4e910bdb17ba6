// What the phone app reads from the hub (a subset of the API's shapes).
export interface Descriptor {
  name: string;
  kind: 'setting' | 'action' | 'sensor' | 'feature';
  type: 'boolean' | 'integer' | 'number' | 'enum' | 'color' | 'none';
  label: string;
  min?: number;
  max?: number;
  step?: number;
  unit?: string;
  options?: string[];
  params?: Record<string, { min: number; max: number; default: number }>;
}

export interface Device {
  id: string;
  name: string;
  room: string | null;
  model: string;
  online: boolean;
  lastSeenAt: number | null;
  capabilities: Descriptor[];
  reported: Record<string, unknown>;
  desired: Record<string, unknown>;
  /** What has not converged: settings waiting for the device, settings changed on the device. */
  twin?: { converged: boolean; pending: string[]; changedOnDevice: string[] };
  fault: string | null;
}

export interface CommandRecord {
  id: string;
  deviceId: string;
  capability: string;
  status: 'pending' | 'sent' | 'done' | 'failed' | 'expired';
  expiresAt: number;
  error?: { code: string; message: string };
}

export interface Schedule {
  id: string;
  deviceId: string;
  name: string | null;
  command: { capability: string; value?: unknown; params?: Record<string, number> };
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
