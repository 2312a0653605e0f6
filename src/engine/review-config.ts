import type { Severity } from '../model/diagnostic.js';
import { ConfigError } from '../model/errors.js';
import { matchesAny } from './glob.js';

export type RuleSetting = 'off' | Severity;

/** ESLint-like: top-level settings per rule, then overrides for paths, later ones winning. */
export interface ReviewConfig {
  rules?: Record<string, RuleSetting>;
  overrides?: { files: string[]; rules: Record<string, RuleSetting> }[];
}

const SETTINGS: ReadonlySet<string> = new Set(['off', 'error', 'warning', 'info']);

/** Validates a config object read from YAML/JSON; unknown rule ids are an error so typos don't silently disable nothing. */
export function validateReviewConfig(raw: unknown, knownRuleIds: ReadonlySet<string>, where = 'config'): ReviewConfig {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${where}: expected a mapping with 'rules' and 'overrides'`);
  const obj = raw as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (k !== 'rules' && k !== 'overrides') throw new ConfigError(`${where}: unknown key '${k}' (expected 'rules' or 'overrides')`);
  }
  const checkRules = (r: unknown, at: string): Record<string, RuleSetting> => {
    if (r === undefined) return {};
    if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new ConfigError(`${at}: expected a mapping of rule id to off|error|warning|info`);
    const out: Record<string, RuleSetting> = {};
    for (const [id, v] of Object.entries(r)) {
      if (!knownRuleIds.has(id)) throw new ConfigError(`${at}: unknown rule '${id}'`);
      if (typeof v !== 'string' || !SETTINGS.has(v)) throw new ConfigError(`${at}.${id}: '${String(v)}' is not one of off, error, warning, info`);
      out[id] = v as RuleSetting;
    }
    return out;
  };
  const config: ReviewConfig = { rules: checkRules(obj.rules, `${where}.rules`) };
  if (obj.overrides !== undefined) {
    if (!Array.isArray(obj.overrides)) throw new ConfigError(`${where}.overrides: expected a list`);
    config.overrides = obj.overrides.map((o: unknown, i: number) => {
      const at = `${where}.overrides[${i}]`;
      if (typeof o !== 'object' || o === null) throw new ConfigError(`${at}: expected a mapping with 'files' and 'rules'`);
      const files = (o as Record<string, unknown>).files;
      if (!Array.isArray(files) || files.some((f) => typeof f !== 'string')) throw new ConfigError(`${at}.files: expected a list of path globs`);
      return { files: files as string[], rules: checkRules((o as Record<string, unknown>).rules, `${at}.rules`) };
    });
  }
  return config;
}

/** The effective setting of a rule for a finding at `file` (null for findings not tied to a file). */
export function settingFor(config: ReviewConfig, ruleId: string, defaultSeverity: Severity, file: string | null): RuleSetting {
  let setting: RuleSetting = config.rules?.[ruleId] ?? defaultSeverity;
  for (const o of config.overrides ?? []) {
    if (file !== null && matchesAny(file, o.files) && o.rules[ruleId] !== undefined) setting = o.rules[ruleId] as RuleSetting;
  }
  return setting;
}
