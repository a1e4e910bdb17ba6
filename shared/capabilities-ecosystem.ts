// Capabilities that devices of other ecosystems bring (Home Assistant MQTT discovery components
// that Hearth's own firmware does not speak): an RGB colour, a cover, a lock, a fan's speed, and
// generic readings, levels and options whose range, unit and choices the device declares itself.
// `open` marks those generic ones: a declaration may set any bounds or options, not only narrow.

export const ecosystemCatalog = {
  rgb: { kind: 'setting', type: 'color', label: 'Colour', ha: 'light' },
  humidity: { kind: 'sensor', type: 'number', label: 'Humidity', min: 0, max: 100, unit: '%', ha: 'sensor' },
  illuminance: {
    kind: 'sensor',
    type: 'number',
    label: 'Illuminance',
    min: 0,
    max: 200000,
    unit: 'lx',
    ha: 'sensor',
  },
  wattage: { kind: 'sensor', type: 'number', label: 'Power draw', min: 0, max: 1e6, unit: 'W', ha: 'sensor' },
  motion: { kind: 'sensor', type: 'boolean', label: 'Motion', ha: 'binary_sensor' },
  detected: { kind: 'sensor', type: 'boolean', label: 'Detected', ha: 'binary_sensor' },
  reading: {
    kind: 'sensor',
    type: 'number',
    label: 'Reading',
    min: -1e9,
    max: 1e9,
    ha: 'sensor',
    open: true,
  },
  level: {
    kind: 'setting',
    type: 'number',
    label: 'Level',
    min: -1e9,
    max: 1e9,
    ha: 'number',
    open: true,
  },
  option: { kind: 'setting', type: 'enum', label: 'Option', options: [], ha: 'select', open: true },
  press: { kind: 'action', type: 'none', label: 'Press', params: {}, ha: 'button' },
  cover: {
    kind: 'setting',
    type: 'enum',
    label: 'Cover',
    options: ['open', 'closed', 'stopped', 'opening', 'closing'],
    ha: 'cover',
  },
  position: {
    kind: 'setting',
    type: 'integer',
    label: 'Position',
    min: 0,
    max: 100,
    step: 1,
    unit: '%',
    ha: 'cover',
  },
  locked: { kind: 'setting', type: 'boolean', label: 'Locked', ha: 'lock' },
  fan_speed: {
    kind: 'setting',
    type: 'integer',
    label: 'Fan speed',
    min: 0,
    max: 100,
    step: 1,
    unit: '%',
    ha: 'fan',
  },
} as const;
