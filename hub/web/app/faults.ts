// A device's fault code in words, with what a person can do about it.
const KNOWN: Record<string, { title: string; hint: string }> = {
  jam: { title: 'Jammed', hint: 'Clear the food chute; the feeder feeds again once it is free.' },
  empty: { title: 'Empty', hint: 'Refill the hopper.' },
  unsupported_template: {
    title: 'Some readings cannot be read',
    hint: 'The device announced a value template Hearth does not support; the hub log names it.',
  },
};

export function describeFault(code: string): { title: string; hint: string } {
  return KNOWN[code] ?? { title: `Fault: ${code}`, hint: 'Check the device; it reports a problem.' };
}
