// Optional and feature units, started after the core (store, broker, registry, commands) and
// before the HTTP server. Each entry builds one or more units from the core context; a feature
// owns its own files and adds exactly one line here.

import type { ApiUnit } from './api/route-module.js';
import type { CoreContext } from './core/context.js';
import { createEcosystem } from './ecosystem/index.js';
import { createFirmware } from './firmware/index.js';
import { createMatter } from './matter/index.js';
import { createNightlyBackup } from './ops/nightly-backup.js';
import { loadPlugins } from './plugins/load-plugins.js';
import { createProvisioning } from './provisioning/provisioning.js';
import { createScheduler } from './scheduler/index.js';
import { createRetentionUnit } from './store/retention.js';

export type FeatureFactory = (ctx: CoreContext) => ApiUnit | ApiUnit[] | Promise<ApiUnit | ApiUnit[]>;

export const featureFactories: FeatureFactory[] = [
  createRetentionUnit,
  createScheduler,
  createNightlyBackup,
  createProvisioning,
  createFirmware,
  createEcosystem,
  loadPlugins,
  createMatter,
];
