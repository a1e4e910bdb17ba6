// What a fuzz run tallies: inputs per channel (an MQTT topic or an HTTP operation), how many the hub
// refused, and findings — each kind of problem once, with the smallest input that showed it.

export interface Finding {
  channel: string;
  problem: string;
  /** The input, printable: text as is (cut at 300 characters), other bytes as base64. */
  input: string;
  inputBytes: number;
  /** How many inputs showed this problem. */
  count: number;
}

export interface ChannelTally {
  inputs: number;
  refused: number;
  accepted: number;
}

export class FuzzTally {
  readonly channels: Record<string, ChannelTally> = {};
  private readonly found = new Map<string, Finding>();
  private total = 0;

  /** `onProgress` hears the running total every `every` inputs. */
  constructor(
    private readonly onProgress?: (inputs: number) => void,
    private readonly every = 5000,
  ) {}

  /** Lists a channel before any input reaches it, so one that none reaches shows up as 0. */
  declare(channel: string): void {
    this.channels[channel] ??= { inputs: 0, refused: 0, accepted: 0 };
  }

  count(channel: string, refused: boolean): void {
    this.declare(channel);
    const t = this.channels[channel] as ChannelTally;
    t.inputs++;
    this.total++;
    if (this.total % this.every === 0) this.onProgress?.(this.total);
    if (refused) t.refused++;
    else t.accepted++;
  }

  report(channel: string, problem: string, input: Buffer | string): void {
    const bytes = typeof input === 'string' ? Buffer.from(input) : input;
    // Problems differ by kind, not by the numbers inside them (sizes, ids).
    const key = `${channel}: ${problem.replace(/\d+/g, 'N')}`;
    const seen = this.found.get(key);
    if (seen && seen.inputBytes <= bytes.length) {
      seen.count++;
      return;
    }
    this.found.set(key, {
      channel,
      problem,
      input: printable(bytes),
      inputBytes: bytes.length,
      count: (seen?.count ?? 0) + 1,
    });
  }

  get inputs(): number {
    return this.total;
  }

  findings(): Finding[] {
    return [...this.found.values()];
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function printable(bytes: Buffer): string {
  try {
    const text = utf8.decode(bytes);
    return text.length > 300 ? `${text.slice(0, 300)}… (${bytes.length} bytes)` : text;
  } catch {
    return `base64:${bytes.subarray(0, 300).toString('base64')}`;
  }
}
