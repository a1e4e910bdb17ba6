// Words for what the hub names in code: enum options (hdmi1 → HDMI 1), parameter names
// (portions → Portions), and ids safe to use in aria-labelledby (Living room → living-room).
const ACRONYMS = new Set(['tv', 'hdmi', 'av', 'usb', 'dvd', 'hdr']);

export function optionLabel(option: string): string {
  return option
    .replace(/([a-z])(\d)/gi, '$1 $2')
    .split(/[\s_-]+/)
    .map((w, i) =>
      ACRONYMS.has(w.toLowerCase()) ? w.toUpperCase() : i === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : w,
    )
    .join(' ');
}

export const paramLabel = optionLabel;

export function slug(text: string): string {
  const s = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s || 'x';
}
