// A door/window contact sensor on a battery: reports contact (true = closed) and emits a `contact`
// event each time it opens or closes.
import type { DeviceModel } from './model.js';

export const contactSensor: DeviceModel = {
  model: 'contact-sensor',
  firmware: '1.0.0',
  capabilities: [{ name: 'contact' }, { name: 'battery' }],
  initial: { contact: true, battery: 100 },
  sense(ctx, readings) {
    if (typeof readings.battery === 'number')
      ctx.values.battery = Math.max(0, Math.min(100, Math.round(readings.battery)));
    if (typeof readings.contact === 'boolean' && readings.contact !== ctx.values.contact) {
      ctx.values.contact = readings.contact;
      ctx.emit({ type: 'contact', open: !readings.contact });
    }
  },
};
