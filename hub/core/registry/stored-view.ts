// How a device read from the store becomes the view the hub serves, and back: capabilities are
// stored as the device declared them and described again on load (so a newer catalog applies).
import {
  type CapabilityDeclaration,
  type CapabilityDescriptor,
  capabilityDescriptor,
  describeCapability,
  isCapabilityName,
} from '../../../shared/capabilities.js';
import { DeviceInfoSchema } from '../../../shared/payloads.js';
import type { DeviceView } from '../../../shared/views.js';
import type { StoredDevice } from '../../store/device-repository.js';
import { emptyTwinView } from '../shadow/twin-view.js';

/** A stored device as the hub serves it: offline until it connects, nothing pending yet. */
export function viewOf(d: Omit<StoredDevice, 'secretHash'>): DeviceView {
  return {
    id: d.id,
    name: d.name,
    room: d.room,
    model: d.model,
    firmware: d.firmware,
    online: false,
    lastSeenAt: d.lastSeenAt,
    createdAt: d.createdAt,
    capabilities: descriptorsOf(d.capabilities),
    reported: d.reported,
    reportedSeq: d.reportedSeq,
    reportedAt: d.reportedAt,
    desired: d.desired,
    twin: emptyTwinView(),
    schedulesVersion: d.schedulesVersion,
    fault: null,
  };
}

/** Capability declarations as stored; entries that no longer validate are dropped. */
export function descriptorsOf(stored: unknown[]): CapabilityDescriptor[] {
  const parsed = DeviceInfoSchema.shape.capabilities.safeParse(stored);
  const decls: CapabilityDeclaration[] = parsed.success ? parsed.data : [];
  return decls.map(describeCapability);
}

/** What is stored of a descriptor: what the device declared, not what the catalog adds. */
export function declarationOf(
  d: Pick<CapabilityDescriptor, 'name' | 'min' | 'max' | 'options' | 'twin' | 'label' | 'unit' | 'step'>,
) {
  const base = isCapabilityName(d.name) ? capabilityDescriptor(d.name) : undefined;
  return {
    name: d.name,
    ...(d.label !== undefined && d.label !== base?.label ? { label: d.label } : {}),
    ...(d.unit !== undefined && d.unit !== base?.unit ? { unit: d.unit } : {}),
    ...(d.step !== undefined && d.step !== base?.step ? { step: d.step } : {}),
    ...(d.twin !== undefined ? { twin: d.twin } : {}),
    ...(d.min !== undefined ? { min: d.min } : {}),
    ...(d.max !== undefined ? { max: d.max } : {}),
    ...(d.options !== undefined ? { options: [...d.options] } : {}),
  };
}
