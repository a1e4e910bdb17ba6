// Control lines for drills and tests: one JSON object per line (stdin of `hearth device run` and
// `hearth fleet`), addressed to one device or all (`"device": "*"`, the default). Examples:
//   {"device":"tv-1","fault":"drop"}            {"fault":"freeze","on":true}
//   {"device":"feeder-1","fault":"jam"}         {"fault":"slow-acks","ms":2000}
//   {"device":"door-1","sense":{"contact":false}} {"do":"status"}   {"do":"reboot"}
import { z } from 'zod';
import { decodeJson } from '../../shared/decode.js';
import { HearthError } from '../../shared/errors.js';
import { type FaultSwitch, FaultSwitchSchema } from '../runtime/faults.js';

const Target = z.string().min(1).max(80).default('*');
const Scalar = z.union([z.boolean(), z.number(), z.string()]);

export type ControlAction =
  | { kind: 'fault'; fault: FaultSwitch }
  | { kind: 'sense'; readings: Record<string, boolean | number | string> }
  | { kind: 'do'; op: 'status' | 'stop' | 'start' | 'kill' | 'reboot' };

export interface ControlLine {
  device: string;
  id?: string | number;
  action: ControlAction;
}

const SenseSchema = z.strictObject({
  device: Target,
  id: z.union([z.string().max(64), z.number()]).optional(),
  sense: z.record(z.string().max(32), Scalar),
});
const DoSchema = z.strictObject({
  device: Target,
  id: z.union([z.string().max(64), z.number()]).optional(),
  do: z.enum(['status', 'stop', 'start', 'kill', 'reboot']),
});

/** Parses a line with `schema`, or refuses it naming every problem. */
function parseOrRefuse<T extends { device: string; id?: string | number | undefined }>(
  schema: z.ZodType<T>,
  obj: unknown,
): Omit<ControlLine, 'action'> & { data: T } {
  const s = schema.safeParse(obj);
  if (!s.success) throw new HearthError('invalid_payload', s.error.issues.map((i) => i.message).join('; '));
  return { device: s.data.device, ...(s.data.id !== undefined ? { id: s.data.id } : {}), data: s.data };
}

/** Parses one control line; throws HearthError with a message that names the problem. */
export function parseControlLine(line: string): ControlLine {
  const raw = decodeJson(z.record(z.string(), z.unknown()), line, 4096);
  if (!raw.ok) throw new HearthError(raw.error.code, raw.error.message);
  const obj = raw.value;
  if ('sense' in obj) {
    const { data, ...target } = parseOrRefuse(SenseSchema, obj);
    return { ...target, action: { kind: 'sense', readings: data.sense } };
  }
  if ('do' in obj) {
    const { data, ...target } = parseOrRefuse(DoSchema, obj);
    return { ...target, action: { kind: 'do', op: data.do } };
  }
  const { device = '*', id, ...rest } = obj;
  const fault = FaultSwitchSchema.safeParse(rest);
  if (!fault.success || typeof device !== 'string')
    throw new HearthError(
      'invalid_payload',
      `not a control line: expected "fault" (drop, freeze, slow-acks, reboot, jam, device, drop-download, slow-slot-write), "sense" or "do"`,
    );
  return {
    device,
    ...(typeof id === 'string' || typeof id === 'number' ? { id } : {}),
    action: { kind: 'fault', fault: fault.data },
  };
}
