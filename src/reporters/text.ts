import path from 'node:path';
import { Chalk, type ChalkInstance } from 'chalk';
import type { Finding, Notification, ScanResult, Severity } from '../types.js';
import { SEVERITIES } from '../types.js';
import type { ReporterOptions } from './types.js';

const SEVERITY_COLORS: Record<Severity, (chalk: ChalkInstance) => ChalkInstance> = {
  critical: (chalk) => chalk.bgRed.white.bold,
  high: (chalk) => chalk.red.bold,
  medium: (chalk) => chalk.yellow,
  low: (chalk) => chalk.blue,
};

const NOTICE_LABELS: Record<Notification['level'], (chalk: ChalkInstance) => string> = {
  error: (chalk) => chalk.red('error  '),
  warning: (chalk) => chalk.yellow('warning'),
  note: (chalk) => chalk.dim('note   '),
};

/**
 * Human-readable output: findings grouped by file as `line:col  severity
 * message  rule-id`, then notices (skipped files, syntax errors, rule
 * failures, suppression problems) and a summary line. Paths are relative to
 * the working directory. `quiet` keeps the findings only.
 */
export function formatText(result: ScanResult, options: ReporterOptions): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const lines: string[] = [];
  const display = (file: string): string => {
    const relative = path.relative(options.cwd, path.join(result.root, file));
    return showControls(relative.split(path.sep).join('/') || file);
  };

  if (options.verbose && !options.quiet) {
    const configFile = options.configFile ? display(path.relative(result.root, options.configFile)) : undefined;
    lines.push(chalk.dim(`Config: ${configFile ?? 'none found, using defaults'}`));
    if (options.disabledRules.length > 0) lines.push(chalk.dim(`Disabled rules: ${options.disabledRules.join(', ')}`));
    for (const item of result.skipped) lines.push(chalk.dim(`Skipped ${display(item.file)}: ${item.reason}`));
    lines.push('');
  }

  const visible = result.findings.filter((finding) => !finding.suppression);
  const byFile = new Map<string, Finding[]>();
  for (const finding of visible) {
    const list = byFile.get(finding.location.file) ?? [];
    list.push(finding);
    byFile.set(finding.location.file, list);
  }

  const positionWidth = Math.max(0, ...visible.map((f) => `${f.location.startLine}:${f.location.startColumn}`.length));
  for (const [file, findings] of byFile) {
    lines.push(chalk.underline(display(file)));
    for (const finding of findings) {
      const position = `${finding.location.startLine}:${finding.location.startColumn}`.padEnd(positionWidth);
      const severity = SEVERITY_COLORS[finding.severity](chalk)(finding.severity.padEnd(8));
      lines.push(`  ${chalk.dim(position)}  ${severity}  ${showControls(finding.message)}  ${chalk.dim(finding.ruleId)}`);
    }
    lines.push('');
  }

  if (options.quiet) return lines.join('\n');

  const notices = result.notifications.filter((n) => n.kind !== 'file-skipped' || !options.verbose);
  for (const notice of notices) {
    const label = NOTICE_LABELS[notice.level](chalk);
    const where = notice.file ? `${display(notice.file)}${notice.line ? `:${notice.line}:${notice.column ?? 1}` : ''}  ` : '';
    lines.push(`${label}  ${where}${showControls(notice.message)}`);
  }
  if (notices.length > 0) lines.push('');

  lines.push(formatSummary(result, chalk));
  return `${lines.join('\n')}\n`;
}

/**
 * `2 problems (1 critical, 1 high, 0 medium, 0 low), 1 suppressed. Scanned 4
 * files, 120 lines in 0.05 s. 1 file skipped. 1 file with syntax errors.`
 */
function formatSummary(result: ScanResult, chalk: ChalkInstance): string {
  const { summary } = result;
  const total = SEVERITIES.reduce((sum, severity) => sum + summary.bySeverity[severity], 0);
  const counts = SEVERITIES.map((severity) => `${summary.bySeverity[severity]} ${severity}`).join(', ');
  const problems = total === 0 ? chalk.green(`No problems (${counts})`) : chalk.bold(`${plural(total, 'problem')} (${counts})`);
  const seconds = (summary.durationMs / 1000).toFixed(2);
  const parts = [
    `${problems}, ${summary.suppressed} suppressed.`,
    `Scanned ${plural(summary.files, 'file')}, ${plural(summary.lines, 'line')} in ${seconds} s.`,
  ];
  if (summary.baselined > 0) parts.push(`${summary.baselined} in baseline.`);
  if (result.skipped.length > 0) parts.push(`${plural(result.skipped.length, 'file')} skipped.`);
  const withErrors = result.filesWithSyntaxErrors.length;
  if (withErrors > 0) parts.push(`${plural(withErrors, 'file')} with syntax errors.`);
  return parts.join(' ');
}

function plural(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * Shows control characters of scanned names and code as `\x1b`-style
 * escapes. A file name or an object key can hold terminal escape sequences
 * that would clear the screen or hide a finding if printed as they are.
 */
export function showControls(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (character) => `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
