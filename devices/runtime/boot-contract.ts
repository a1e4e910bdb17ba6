// What one power cycle of a device offers its owner (device-runtime.ts), and the topics it speaks
// on: kept apart from boot.ts so that closure holds only behaviour.
import { deviceTopic } from '../../shared/topics.js';
import type { Values } from '../models/model.js';

export interface Boot {
  readonly deviceId: string;
  readonly online: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  kill(): void;
  drop(): void;
  setFault(name: string, on: boolean): Promise<void>;
  sense(readings: Values): Promise<void>;
  tick(elapsedMs: number): void;
  snapshot(): {
    bootCount: number;
    seq: number;
    values: Values;
    faults: string[];
    schedulesVersion: number | null;
  };
}

export const topicsFor = (deviceId: string) => ({
  info: deviceTopic(deviceId, 'info'),
  status: deviceTopic(deviceId, 'status'),
  state: deviceTopic(deviceId, 'state'),
  cmd: deviceTopic(deviceId, 'cmd'),
  ack: deviceTopic(deviceId, 'ack'),
  event: deviceTopic(deviceId, 'event'),
  schedules: deviceTopic(deviceId, 'schedules'),
  ota: deviceTopic(deviceId, 'ota'),
});

export type DeviceTopics = ReturnType<typeof topicsFor>;
