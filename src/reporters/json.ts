import type { ScanResult } from '../types.js';
import { TOOL_NAME } from '../version.js';
import type { ReporterOptions } from './types.js';

/** Version of the JSON output schema described in docs/json-format.md. */
export const JSON_SCHEMA_VERSION = 1;

/** Machine-readable output with a stable schema; paths are relative to `root`, as in SARIF. */
export function formatJson(result: ScanResult, options: ReporterOptions): string {
  const output = {
    schemaVersion: JSON_SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: result.toolVersion },
    root: result.root,
    startTime: result.startTime,
    endTime: result.endTime,
    configFile: options.configFile ?? null,
    summary: result.summary,
    findings: result.findings.map((finding) => ({
      ruleId: finding.ruleId,
      severity: finding.severity,
      message: finding.message,
      location: finding.location,
      related: finding.related,
      flow: finding.flow,
      fingerprint: finding.fingerprint,
      snippet: finding.snippet ?? null,
      fix: finding.fix ?? null,
      suppression: finding.suppression ?? null,
    })),
    notifications: result.notifications,
    rules: result.rules,
    files: result.files,
    filesWithSyntaxErrors: result.filesWithSyntaxErrors,
    skipped: result.skipped,
  };
  return `${JSON.stringify(output, null, 2)}\n`;
}
