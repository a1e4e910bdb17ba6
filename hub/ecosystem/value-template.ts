// Home Assistant `value_template`s (Jinja) rendered with @huggingface/jinja, a small Jinja
// interpreter that runs in its own value model (no access to JavaScript objects or prototypes), so
// a template from a device cannot reach into the hub. Home Assistant adds two filters the library
// lacks and that Zigbee2MQTT, Tasmota and OpenMQTTGateway configs use: `is_defined` (drop the
// message when the key is missing) and a trailing `round(n)`; both are handled here. Anything else
// the library cannot parse or render is an "unsupported template", never a guess.
import { Template } from '@huggingface/jinja';

export type TemplateResult =
  | { ok: true; value: string }
  /** The template rendered nothing usable for this message (a key it reads is missing). */
  | { ok: false; reason: 'undefined' }
  | { ok: false; reason: 'unsupported'; message: string };

export interface ValueTemplate {
  readonly source: string;
  render(payload: string): TemplateResult;
  /** With other variables (a command template's `value`). */
  renderWith(variables: Record<string, unknown>): TemplateResult;
}

const IS_DEFINED = /\|\s*is_defined\b/g;
const TRAILING_ROUND = /\|\s*round(?:\(\s*(\d+)\s*\))?\s*\}\}\s*$/;

/** Compiles once; throws nothing: a template that does not parse renders as unsupported. */
export function compileValueTemplate(source: string): ValueTemplate {
  let text = source.replace(IS_DEFINED, '');
  let digits: number | undefined;
  const round = TRAILING_ROUND.exec(text);
  if (round) {
    digits = round[1] === undefined ? 0 : Number(round[1]);
    text = `${text.slice(0, round.index)}}}`;
  }
  let template: Template | undefined;
  let parseError = '';
  try {
    template = new Template(text);
  } catch (err) {
    parseError = (err as Error).message;
  }
  const renderWith = (variables: Record<string, unknown>): TemplateResult => {
    if (!template) return { ok: false, reason: 'unsupported', message: parseError };
    let out: string;
    try {
      out = template.render(variables).trim();
    } catch (err) {
      return { ok: false, reason: 'unsupported', message: (err as Error).message };
    }
    if (out === '' || out === 'undefined' || out === 'None') return { ok: false, reason: 'undefined' };
    if (digits !== undefined) {
      const n = Number(out);
      if (!Number.isFinite(n)) return { ok: false, reason: 'undefined' };
      out = String(Number(n.toFixed(digits)));
    }
    return { ok: true, value: out };
  };
  return {
    source,
    renderWith,
    render(payload) {
      let valueJson: unknown;
      try {
        valueJson = JSON.parse(payload);
      } catch {
        valueJson = undefined;
      }
      return renderWith({ value: payload, value_json: valueJson ?? {} });
    },
  };
}
