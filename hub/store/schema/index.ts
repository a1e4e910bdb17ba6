// Every table of the hub, for drizzle-kit and for typed queries. Each feature owns one schema file.

export * from './cloud-outbox.js';
export * from './core.js';
export * from './firmware.js';
export * from './idempotency.js';
export * from './schedules.js';
