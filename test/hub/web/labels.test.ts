// The words the app shows for code names, and ids that are safe in aria-labelledby.
import { describe, expect, it } from 'vitest';
import { optionLabel, slug } from '../../../hub/web/app/labels.js';

describe('phone app labels', () => {
  it('turns option codes into words', () => {
    expect(optionLabel('hdmi1')).toBe('HDMI 1');
    expect(optionLabel('tv')).toBe('TV');
    expect(optionLabel('portions')).toBe('Portions');
    expect(optionLabel('heat')).toBe('Heat');
  });

  it('makes ids from any room name', () => {
    expect(slug('Living room')).toBe('living-room');
    expect(slug('Küche / Bad')).toBe('kuche-bad');
    expect(slug('   ')).toBe('x');
    expect(slug('Living room')).toMatch(/^[a-z0-9-]+$/);
  });
});
