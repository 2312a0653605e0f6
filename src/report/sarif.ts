import type { Finding, Severity, SeriesReview } from '../model/index.js';

/** What the engine exports for each rule (rules/index.ts `allRules[].meta`). */
export interface RuleMetadata {
  id: string;
  description: string;
  severity: Severity;
  scope?: string;
  source?: string;
  messages?: Record<string, string>;
}

export interface SarifOptions {
  /** The tool's home page, when it has one. */
  informationUri?: string;
  /** Base URI of the rules folder; a rule's helpUri becomes `${base}/${id}/README.md`. */
  rulesBaseUri?: string;
}

type SarifLevel = 'error' | 'warning' | 'note';
const LEVEL: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', info: 'note' };
const INTERNAL = 'internal-error';

interface SarifRule {
  id: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  helpUri?: string;
  defaultConfiguration: { level: SarifLevel };
  properties?: Record<string, unknown>;
}

function firstSentence(s: string): string {
  const m = /^(.+?[.!?])(\s|$)/s.exec(s.trim());
  return (m ? m[1]! : s.trim()).replace(/\s+/g, ' ');
}

function ruleOf(meta: RuleMetadata, opts: SarifOptions): SarifRule {
  const rule: SarifRule = {
    id: meta.id,
    shortDescription: { text: firstSentence(meta.description) },
    fullDescription: { text: meta.source ? `${meta.description.trim()} (${meta.source})` : meta.description.trim() },
    defaultConfiguration: { level: LEVEL[meta.severity] },
  };
  if (opts.rulesBaseUri) rule.helpUri = `${opts.rulesBaseUri.replace(/\/$/, '')}/${encodeURIComponent(meta.id)}/README.md`;
  if (meta.scope) rule.properties = { scope: meta.scope };
  return rule;
}

function resultOf(f: Finding, review: SeriesReview, ruleIndex: number): Record<string, unknown> {
  const internal = f.ruleId === INTERNAL;
  const result: Record<string, unknown> = {
    ruleId: f.ruleId,
    ruleIndex,
    // the bot's own crashes are reported, but only as notes: they say nothing about the patch
    level: internal ? 'note' : LEVEL[f.severity],
    message: { text: f.source ? `${f.message}\n\nSee ${f.source}.` : f.message },
    partialFingerprints: { 'bpfReview/v1': f.fingerprint },
    properties: { seriesId: review.seriesId, patch: f.patch, messageId: f.messageId, severity: f.severity },
  };
  if (f.file !== null) {
    const physicalLocation: Record<string, unknown> = { artifactLocation: { uri: f.file } };
    if (f.line !== null && f.line > 0) physicalLocation.region = { startLine: f.line };
    result.locations = [{ physicalLocation }];
  }
  return result;
}

/**
 * A SARIF 2.1.0 log with one run for all the reviews: rule metadata, one result per finding
 * with its location and stable fingerprint, and what could not run as tool notifications.
 */
export function toSarif(reviews: SeriesReview[], rules: RuleMetadata[], toolVersion: string, opts: SarifOptions = {}): Record<string, unknown> {
  const sarifRules: SarifRule[] = [];
  const index = new Map<string, number>();
  const add = (meta: RuleMetadata): number => {
    const known = index.get(meta.id);
    if (known !== undefined) return known;
    index.set(meta.id, sarifRules.length);
    sarifRules.push(ruleOf(meta, opts));
    return sarifRules.length - 1;
  };
  for (const r of [...rules].sort((a, b) => a.id.localeCompare(b.id))) add(r);
  const results: Record<string, unknown>[] = [];
  const notifications: Record<string, unknown>[] = [];
  for (const review of reviews) {
    for (const f of review.findings) {
      const i = index.get(f.ruleId) ?? add({
        id: f.ruleId,
        description: f.ruleId === INTERNAL ? 'bpf-review itself failed while checking this series; the finding says where.' : `Rule ${f.ruleId}.`,
        severity: f.ruleId === INTERNAL ? 'info' : f.severity,
      });
      results.push(resultOf(f, review, i));
    }
    for (const n of review.notRun) notifications.push({ level: 'note', message: { text: `${review.seriesId}: not run: ${n}` } });
    for (const e of review.errors) notifications.push({ level: 'error', message: { text: `${review.seriesId}${e.patch ? ` patch ${e.patch}` : ''}: ${e.message}` }, descriptor: { id: e.code } });
  }
  const driver: Record<string, unknown> = { name: 'bpf-review', version: toolVersion, rules: sarifRules };
  if (opts.informationUri) driver.informationUri = opts.informationUri;
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver },
        invocations: [{ executionSuccessful: reviews.every((r) => r.errors.length === 0), toolExecutionNotifications: notifications }],
        results,
      },
    ],
  };
}
