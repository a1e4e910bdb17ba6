// Argument parsing and help for every `hearth` subcommand, on node:util's parseArgs. Each side
// declares its options as data; unknown options and missing values become plain-words errors.
import { parseArgs } from 'node:util';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  description: string;
  multiple?: boolean;
  /** Shown in help, e.g. "PORT". */
  value?: string;
}

export interface CommandSpec {
  /** e.g. "hearth tokens create --name NAME". */
  usage: string;
  summary: string;
  options: Record<string, OptionSpec>;
  /** Extra lines (examples) after the options. */
  notes?: string[];
}

export class UsageError extends Error {}

export type ParsedValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

export function commandHelp(spec: CommandSpec): string {
  const all: Record<string, OptionSpec> = {
    ...spec.options,
    help: { type: 'boolean', short: 'h', description: 'show this help' },
  };
  const rows = Object.entries(all).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    return [flag, o.description] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length));
  return [
    `Usage: ${spec.usage}`,
    '',
    spec.summary,
    '',
    'Options:',
    ...rows.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`),
    ...(spec.notes ? ['', ...spec.notes] : []),
    '',
  ].join('\n');
}

/** Parses `args`; returns null when help was asked for (and printed). Throws UsageError. */
export function parseCommand(
  spec: CommandSpec,
  args: string[],
  out: NodeJS.WritableStream = process.stdout,
): { values: ParsedValues; positionals: string[] } | null {
  const options = Object.fromEntries(
    Object.entries(spec.options).map(([name, o]) => [
      name,
      { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
    ]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError(
      `${(err as Error).message.replace(/\. To specify.*$/s, '')}\n\n${commandHelp(spec)}`,
    );
  }
  if (parsed.values.help) {
    out.write(commandHelp(spec));
    return null;
  }
  return { values: parsed.values as ParsedValues, positionals: parsed.positionals };
}

/** Runs a subcommand body, turning UsageError into exit code 2 and other errors into 1. */
export async function runCommand(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
