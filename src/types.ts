/**
 * Public types of keney-audit: what a scan returns and what reporters read.
 * Everything here is plain data that survives JSON and structured cloning,
 * because per-file results cross worker threads and the cache.
 */

export type Severity = 'critical' | 'high' | 'medium' | 'low';

/** How often a rule's findings are right, in CodeQL's terms. */
export type Precision = 'very-high' | 'high' | 'medium' | 'low';

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

/** A span in a scanned file. Lines and columns start at 1; columns count UTF-16 code units. */
export interface Location {
  /** Path relative to the scan root, with forward slashes. */
  file: string;
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

export interface RelatedLocation {
  location: Location;
  message: string;
}

/** An exact text replacement that fixes a finding. */
export interface Fix {
  description: string;
  replacements: Array<{ location: Location; text: string }>;
}

export interface Suppression {
  kind: 'inSource' | 'baseline';
  justification: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  location: Location;
  /** Where the data came from and other places that explain the finding. */
  related: RelatedLocation[];
  /** The steps from a source to the sink, when there are more than one. */
  flow: RelatedLocation[];
  /** Stable across line shifts; never derived from a secret's value. */
  fingerprint: string;
  /** Source line of the finding, left out for findings that hold a secret. */
  snippet?: string;
  fix?: Fix;
  suppression?: Suppression;
}

export interface RuleDescription {
  id: string;
  name: string;
  title: string;
  summary: string;
  severity: Severity;
  precision: Precision;
  cwe: number[];
  owasp: string;
  docs: string;
  /** Per-application rules judge facts gathered from every file. */
  scope: 'file' | 'project';
}

export type NotificationLevel = 'error' | 'warning' | 'note';

/** Something the scan could not do, or did only in part. */
export interface Notification {
  level: NotificationLevel;
  /** `file-skipped`, `parse-error`, `rule-failed`, `config`, `output-truncated`, ... */
  kind: string;
  /** A complete sentence; the location is in `file`, `line` and `column`, not in the text. */
  message: string;
  /** Path relative to the scan root, with forward slashes. */
  file?: string;
  /** 1-based position in `file`, when the notification concerns one place. */
  line?: number;
  column?: number;
  ruleId?: string;
}

export interface ScanSummary {
  files: number;
  lines: number;
  /** Unsuppressed findings by severity. */
  bySeverity: Record<Severity, number>;
  suppressed: number;
  baselined: number;
  /** Files whose per-file results came from the cache instead of being analysed again, out of every file the scan read (including those outside --staged or --changed-since). */
  cached: number;
  durationMs: number;
}

export interface ScanResult {
  /** Set when the scan reports on staged or changed files only: which files those are. */
  scope?: { kind: 'staged' | 'since'; files: string[] };
  /** Absolute path that finding paths are relative to. */
  root: string;
  toolVersion: string;
  startTime: string;
  endTime: string;
  findings: Finding[];
  notifications: Notification[];
  rules: RuleDescription[];
  /** Files scanned, relative to root, sorted. */
  files: string[];
  /** Files parsed with syntax errors and scanned on the recovered tree. */
  filesWithSyntaxErrors: string[];
  summary: ScanSummary;
  /** Files skipped, with the reason. */
  skipped: Array<{ file: string; reason: string }>;
}
