// The twin's view of a device that has nothing pending: what the registry shows for a device the
// twin has not looked at yet (kept apart from twin.ts, which imports the registry).
import type { DeviceTwinView } from '../../../shared/views.js';

export const emptyTwinView = (): DeviceTwinView => ({
  converged: true,
  delta: {},
  pending: [],
  changedOnDevice: [],
});
