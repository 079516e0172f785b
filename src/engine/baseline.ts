import fs from 'node:fs';
import { UsageError } from '../errors.js';
import type { Finding } from '../types.js';
import { TOOL_VERSION } from '../version.js';

export const DEFAULT_BASELINE_FILE = '.keneyaudit-baseline.json';
const BASELINE_FORMAT = 1;

/**
 * Known findings, recorded by fingerprint so that a later scan reports only
 * new ones. A fingerprint is built from the rule, the file and the text of the
 * finding's line (never a secret's value), so it survives code moving within
 * the file and edits elsewhere.
 */
export interface Baseline {
  format: number;
  toolVersion: string;
  findings: Array<{ ruleId: string; file: string; fingerprint: string; line: number }>;
}

export function createBaseline(findings: readonly Finding[]): Baseline {
  return {
    format: BASELINE_FORMAT,
    toolVersion: TOOL_VERSION,
    findings: findings
      .filter((finding) => !finding.suppression)
      .map((finding) => ({
        ruleId: finding.ruleId,
        file: finding.location.file,
        fingerprint: finding.fingerprint,
        line: finding.location.startLine,
      })),
  };
}

export function readBaseline(file: string): Baseline {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : 'not valid JSON';
    throw new UsageError(`Baseline file '${file}' is ${reason}. Create one with \`keney-audit baseline create --output ${file}\`.`);
  }
  const baseline = parsed as Partial<Baseline>;
  if (baseline.format !== BASELINE_FORMAT || !Array.isArray(baseline.findings)) {
    throw new UsageError(`Baseline file '${file}' is not a keney-audit baseline of format ${BASELINE_FORMAT}. Create it again with \`keney-audit baseline create\`.`);
  }
  return baseline as Baseline;
}

/** Marks findings that the baseline records; returns how many it hid. */
export function applyBaseline(findings: Finding[], baseline: Baseline, baselineFile: string): number {
  const known = new Set(baseline.findings.map((entry) => `${entry.ruleId}\0${entry.file}\0${entry.fingerprint}`));
  let hidden = 0;
  for (const finding of findings) {
    if (finding.suppression) continue;
    if (!known.has(`${finding.ruleId}\0${finding.location.file}\0${finding.fingerprint}`)) continue;
    finding.suppression = { kind: 'baseline', justification: `Recorded in the baseline ${baselineFile}.` };
    hidden++;
  }
  return hidden;
}
