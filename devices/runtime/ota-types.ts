// The shapes the OTA parts share (agent, boot loader, installer, outcome), kept apart so that
// ota-agent.ts can compose the parts without them importing it back.
import type { Logger } from 'pino';
import type { DeviceInfo } from '../../shared/payloads.js';
import type { FirmwareBehaviour } from '../../shared/update-image.js';
import type { EventDraft } from '../models/model.js';
import type { FlashState } from './flash-state.js';
import type { RunningFirmware } from './ota-verify.js';

export const DEFAULT_OTA_HEALTH_MS = 60_000;

export type OtaPhase =
  | 'downloading'
  | 'resumed'
  | 'writing'
  | 'written'
  | 'updated'
  | 'rolled-back'
  | 'refused';

export interface OtaSwitches {
  /** Drop the next download response after this many bytes (a network fault), once. */
  dropDownloadAfter: number | null;
  /** Pause this long after each 16 KiB written to a slot (a slow flash chip). */
  slotWriteDelayMs: number;
}

export interface OtaHost {
  log(): Logger;
  state(): FlashState;
  save(): Promise<void>;
  running(): RunningFirmware;
  /** Where and as whom to download from: the host the broker was reached at. Null offline. */
  hub(): { host: string; deviceId: string; secret: string } | null;
  emit(event: EventDraft): void;
  republishInfo(): void;
  /** A graceful reboot into whatever the flash state says is active. */
  restart(why: string): void;
  dead(): boolean;
  flashBase: string;
  healthMs: number;
  switches: OtaSwitches;
  onProgress?: (phase: OtaPhase, version: string, detail?: string) => void;
}

export interface OtaAgent {
  /** The boot loader: 'restart' when it switched back to the old slot and the boot must start over. */
  atBoot(): Promise<'run' | 'restart'>;
  /** What the booted code does (a deliberately bad build misbehaves). */
  readonly behaviour: FirmwareBehaviour;
  offer(payload: Buffer): void;
  /** Connected, state re-reported: the trial's self-test and health confirmation. */
  announced(): void;
  infoUpdate(): DeviceInfo['update'];
  stop(): void;
}

export type OtaResult = 'updated' | 'rolled-back' | 'refused';
