import fs from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import type { Finding, Location, Notification, RuleDescription, ScanResult, Severity } from '../types.js';
import { TOOL_HOMEPAGE, TOOL_NAME, TOOL_VERSION } from '../version.js';
import type { ReporterOptions } from './types.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const FINGERPRINT_KEY = 'keneyAudit/v1';
const SOURCE_ROOT = '%SRCROOT%';

const LEVELS: Record<Severity, Sarif.ReportingConfiguration.level> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
};

/** GitHub reads `security-severity` as a CVSS-like score: 9.0 and up is critical, 7.0 high, 4.0 medium. */
export const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
};

const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * SARIF 2.1.0 for GitHub code scanning, described in docs/sarif.md: one run,
 * rules with CWE tags and security severity, results with paths relative to
 * %SRCROOT%, and our own partial fingerprints. Suppressed findings are left
 * out unless `includeSuppressed` is set. With it, every result carries a
 * `suppressions` array, empty for the findings that are not suppressed.
 * The output depends only on the scan result, so two scans with the same
 * start and end times give identical bytes.
 */
export function formatSarif(result: ScanResult, options: ReporterOptions, limits: SarifLimits = GITHUB_LIMITS): string {
  const all = result.findings.filter((finding) => options.includeSuppressed || !finding.suppression);
  let findings = all;
  const reasons: string[] = [];
  const notificationsFor = (kept: readonly Finding[]): Notification[] =>
    reasons.length === 0 ? result.notifications : [...result.notifications, truncationNotice(all.length, kept.length, reasons)];
  if (findings.length > limits.maxResults) {
    findings = keepMostSevere(all, limits.maxResults);
    reasons.push(`more than ${limits.maxResults.toLocaleString('en-US')} results, the most GitHub code scanning accepts in one run`);
  }
  let text = renderSarif(result, options, findings, notificationsFor(findings));
  const sizeReason = `a gzip-compressed size above ${formatBytes(limits.maxGzipBytes)}, the most GitHub code scanning accepts`;
  while (findings.length > 0 && gzipSync(text).length > limits.maxGzipBytes) {
    // Keep the most severe results that fit; each pass drops a tenth of what is left.
    findings = keepMostSevere(findings, Math.floor(findings.length * 0.9));
    if (!reasons.includes(sizeReason)) reasons.push(sizeReason);
    text = renderSarif(result, options, findings, notificationsFor(findings));
  }
  return text;
}

function formatBytes(bytes: number): string {
  const mib = bytes / 1024 / 1024;
  return mib >= 1 ? `${Number(mib.toFixed(1))} MB` : `${bytes.toLocaleString('en-US')} bytes`;
}

/** GitHub code scanning's upload limits for one SARIF run. */
export interface SarifLimits {
  maxResults: number;
  maxGzipBytes: number;
}

export const GITHUB_LIMITS: SarifLimits = { maxResults: 25_000, maxGzipBytes: 10 * 1024 * 1024 };

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/** The `count` most severe findings, in their original order. */
function keepMostSevere(findings: readonly Finding[], count: number): Finding[] {
  const ranked = findings.map((finding, index) => ({ finding, index }));
  ranked.sort((a, b) => SEVERITY_ORDER[a.finding.severity] - SEVERITY_ORDER[b.finding.severity] || a.index - b.index);
  return ranked
    .slice(0, count)
    .sort((a, b) => a.index - b.index)
    .map((item) => item.finding);
}

function truncationNotice(total: number, kept: number, reasons: readonly string[]): Notification {
  return {
    level: 'warning',
    kind: 'output-truncated',
    message: `Left ${(total - kept).toLocaleString('en-US')} of ${total.toLocaleString('en-US')} results out of the SARIF report because of ${reasons.join(' and ')}; the most severe ${kept.toLocaleString('en-US')} are kept. Use --format json for every result.`,
  };
}

function renderSarif(result: ScanResult, options: ReporterOptions, findings: readonly Finding[], notifications: readonly Notification[]): string {
  const rules = [...result.rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));

  const run: Sarif.Run = {
    tool: {
      driver: {
        name: TOOL_NAME,
        version: TOOL_VERSION,
        semanticVersion: TOOL_VERSION,
        ...(TOOL_HOMEPAGE ? { informationUri: TOOL_HOMEPAGE } : {}),
        rules: rules.map(toReportingDescriptor),
      },
    },
    ...(options.category ? { automationDetails: { id: `${options.category.replace(/\/$/, '')}/` } } : {}),
    originalUriBaseIds: {
      [SOURCE_ROOT]: { uri: pathToFileURL(result.root.endsWith(path.sep) ? result.root : result.root + path.sep).href },
    },
    invocations: [
      {
        executionSuccessful: !result.notifications.some((n) => n.level === 'error'),
        startTimeUtc: result.startTime,
        endTimeUtc: result.endTime,
        toolExecutionNotifications: notifications.map(toNotification),
      },
    ],
    results: findings.map((finding) => toResult(finding, ruleIndex, options.includeSuppressed)),
    columnKind: 'utf16CodeUnits',
  };

  const log: Sarif.Log = { $schema: SARIF_SCHEMA, version: '2.1.0', runs: [run] };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function toReportingDescriptor(rule: RuleDescription): Sarif.ReportingDescriptor {
  const markdown = readRuleDocs(rule.docs);
  const helpUri = TOOL_HOMEPAGE ? `${TOOL_HOMEPAGE.replace(/\/$/, '')}/blob/main/${rule.docs}` : undefined;
  const cweTags = rule.cwe.map((id) => `external/cwe/cwe-${id}`);
  return {
    id: rule.id,
    name: rule.name,
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.summary },
    help: {
      text: `${rule.summary}${helpUri ? ` See ${helpUri}.` : ''}`,
      ...(markdown ? { markdown } : {}),
    },
    ...(helpUri ? { helpUri } : {}),
    defaultConfiguration: { level: LEVELS[rule.severity] },
    properties: {
      tags: ['security', ...cweTags],
      'security-severity': SECURITY_SEVERITY[rule.severity],
      precision: rule.precision,
      'problem.severity': LEVELS[rule.severity] === 'note' ? 'recommendation' : LEVELS[rule.severity],
      owasp: rule.owasp,
    },
  };
}

function readRuleDocs(docsPath: string): string | undefined {
  try {
    return fs.readFileSync(path.join(PACKAGE_ROOT, docsPath), 'utf8');
  } catch {
    return undefined;
  }
}

function toResult(finding: Finding, ruleIndex: Map<string, number>, includeSuppressed: boolean): Sarif.Result {
  const result: Sarif.Result = {
    ruleId: finding.ruleId,
    ruleIndex: ruleIndex.get(finding.ruleId) ?? -1,
    level: LEVELS[finding.severity],
    message: { text: finding.message },
    locations: [{ physicalLocation: toPhysicalLocation(finding.location, finding.snippet) }],
    partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
    properties: { severity: finding.severity, 'security-severity': SECURITY_SEVERITY[finding.severity] },
  };
  if (finding.related.length > 0) {
    result.relatedLocations = finding.related.map((item, index) => ({
      id: index + 1,
      physicalLocation: toPhysicalLocation(item.location),
      message: { text: item.message },
    }));
  }
  if (finding.flow.length > 1) {
    result.codeFlows = [
      {
        threadFlows: [
          {
            locations: [
              ...finding.flow.map((step) => ({
                location: { physicalLocation: toPhysicalLocation(step.location), message: { text: step.message } },
              })),
            ],
          },
        ],
      },
    ];
  }
  if (finding.fix) {
    result.fixes = [
      {
        description: { text: finding.fix.description },
        artifactChanges: groupReplacements(finding.fix.replacements),
      },
    ];
  }
  if (includeSuppressed) {
    result.suppressions = finding.suppression
      ? [{ kind: finding.suppression.kind === 'baseline' ? 'external' : 'inSource', justification: finding.suppression.justification }]
      : [];
  }
  return result;
}

function groupReplacements(replacements: NonNullable<Finding['fix']>['replacements']): Sarif.ArtifactChange[] {
  const byFile = new Map<string, Sarif.Replacement[]>();
  for (const replacement of replacements) {
    const list = byFile.get(replacement.location.file) ?? [];
    list.push({ deletedRegion: toRegion(replacement.location), insertedContent: { text: replacement.text } });
    byFile.set(replacement.location.file, list);
  }
  return [...byFile].map(([file, list]) => ({ artifactLocation: toArtifactLocation(file), replacements: list }));
}

function toPhysicalLocation(location: Location, snippet?: string): Sarif.PhysicalLocation {
  const region = toRegion(location);
  if (snippet !== undefined) region.snippet = { text: snippet };
  return { artifactLocation: toArtifactLocation(location.file), region };
}

function toRegion(location: Location): Sarif.Region {
  return {
    startLine: location.startLine,
    startColumn: location.startColumn,
    endLine: location.endLine,
    endColumn: location.endColumn,
  };
}

function toArtifactLocation(file: string): Sarif.ArtifactLocation {
  return { uri: encodeUri(file), uriBaseId: SOURCE_ROOT };
}

/** Percent-encodes each path segment, keeping the slashes. */
export function encodeUri(file: string): string {
  return file
    .replace(/^\.\//, '')
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

/** Converts a notification to SARIF. Its text starts with the location too, for viewers that do not show notification locations. */
function toNotification(notification: Notification): Sarif.Notification {
  const where = notification.file
    ? `${notification.file}${notification.line ? `:${notification.line}:${notification.column ?? 1}` : ''}: `
    : '';
  const sarif: Sarif.Notification = {
    level: notification.level,
    message: { text: `${where}${notification.message}` },
    descriptor: { id: notification.kind },
  };
  if (notification.file) {
    const physicalLocation: Sarif.PhysicalLocation = { artifactLocation: toArtifactLocation(notification.file) };
    if (notification.line) physicalLocation.region = { startLine: notification.line, startColumn: notification.column ?? 1 };
    sarif.locations = [{ physicalLocation }];
  }
  if (notification.ruleId) sarif.associatedRule = { id: notification.ruleId };
  return sarif;
}
