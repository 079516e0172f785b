import path from 'node:path';
import type { Finding, Notification, ScanResult } from '../types.js';
import { TOOL_NAME } from '../version.js';
import type { ReporterOptions } from './types.js';
import { isOutside } from '../files/paths.js';

/** Version of the JSON output schema described in docs/json-format.md. */
export const JSON_SCHEMA_VERSION = 1;

/**
 * Machine-readable output with the stable schema of docs/json-format.md.
 * Every field is always present; a missing value is `null`, not an absent key.
 * Paths are relative to `root`, as in SARIF.
 */
export function formatJson(result: ScanResult, options: ReporterOptions): string {
  const { summary } = result;
  const output = {
    schemaVersion: JSON_SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: result.toolVersion },
    root: result.root,
    startTime: result.startTime,
    endTime: result.endTime,
    configFile: options.configFile ? toRootPath(result.root, options.configFile) : null,
    summary: {
      files: summary.files,
      lines: summary.lines,
      bySeverity: { ...summary.bySeverity },
      suppressed: summary.suppressed,
      baselined: summary.baselined,
      skipped: result.skipped.length,
      cached: summary.cached,
      durationMs: summary.durationMs,
    },
    findings: result.findings.map(toJsonFinding),
    notifications: result.notifications.map(toJsonNotification),
    rules: result.rules,
    files: result.files,
    filesWithSyntaxErrors: result.filesWithSyntaxErrors,
    skipped: result.skipped,
  };
  return `${JSON.stringify(output, null, 2)}\n`;
}

function toJsonFinding(finding: Finding) {
  return {
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
  };
}

function toJsonNotification(notification: Notification) {
  return {
    level: notification.level,
    kind: notification.kind,
    message: notification.message,
    file: notification.file ?? null,
    line: notification.line ?? null,
    column: notification.column ?? null,
    ruleId: notification.ruleId ?? null,
  };
}

/** Returns the path relative to the root with forward slashes, or the absolute path when it lies outside. */
function toRootPath(root: string, absolute: string): string {
  const relative = path.relative(root, absolute);
  if (isOutside(relative)) return absolute;
  return relative.split(path.sep).join('/');
}
