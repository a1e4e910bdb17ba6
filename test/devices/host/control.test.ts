import { describe, expect, it } from 'vitest';
import { parseControlLine } from '../../../devices/host/control.js';

describe('control lines', () => {
  it('parses faults, sensor readings and operations, defaulting to every device', () => {
    expect(parseControlLine('{"device":"tv-1","fault":"drop"}')).toEqual({
      device: 'tv-1',
      action: { kind: 'fault', fault: { fault: 'drop' } },
    });
    expect(parseControlLine('{"fault":"freeze"}')).toEqual({
      device: '*',
      action: { kind: 'fault', fault: { fault: 'freeze', on: true } },
    });
    expect(parseControlLine('{"fault":"slow-acks","ms":2000,"id":7}')).toMatchObject({
      id: 7,
      action: { fault: { ms: 2000 } },
    });
    expect(parseControlLine('{"fault":"jam","on":false}').action).toEqual({
      kind: 'fault',
      fault: { fault: 'jam', on: false },
    });
    expect(parseControlLine('{"device":"door","sense":{"contact":false}}').action).toEqual({
      kind: 'sense',
      readings: { contact: false },
    });
    expect(parseControlLine('{"do":"reboot"}').action).toEqual({ kind: 'do', op: 'reboot' });
  });

  it.each([
    ['not json', /not JSON/],
    ['[1,2]', /expected record|invalid/i],
    ['{"fault":"explode"}', /not a control line/],
    ['{"fault":"slow-acks","ms":-1}', /not a control line/],
    ['{"do":"format-disk"}', /Invalid option|expected one of/i],
    ['{"sense":{"contact":{"deep":1}}}', /Invalid input|expected/i],
  ])('refuses %s with a clear message', (line, message) => {
    expect(() => parseControlLine(line)).toThrow(message);
  });
});
