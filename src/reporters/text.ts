import path from 'node:path';
import { Chalk, type ChalkInstance } from 'chalk';
import type { Finding, ScanResult, Severity } from '../types.js';
import { SEVERITIES } from '../types.js';
import type { ReporterOptions } from './types.js';

const SEVERITY_COLORS: Record<Severity, (chalk: ChalkInstance) => ChalkInstance> = {
  critical: (chalk) => chalk.bgRed.white.bold,
  high: (chalk) => chalk.red.bold,
  medium: (chalk) => chalk.yellow,
  low: (chalk) => chalk.blue,
};

/**
 * Human-readable output: findings grouped by file as `line:col  severity
 * message  rule-id`, then notices and a summary line.
 */
export function formatText(result: ScanResult, options: ReporterOptions): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const lines: string[] = [];
  const display = (file: string): string => {
    const relative = path.relative(options.cwd, path.join(result.root, file));
    return relative.split(path.sep).join('/') || file;
  };

  if (options.verbose && !options.quiet) {
    lines.push(chalk.dim(`Config: ${options.configFile ?? 'none found, using defaults'}`));
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
      lines.push(`  ${chalk.dim(position)}  ${severity}  ${finding.message}  ${chalk.dim(finding.ruleId)}`);
    }
    lines.push('');
  }

  if (options.quiet) return lines.join('\n');

  const notices = result.notifications.filter((n) => n.kind !== 'file-skipped' || !options.verbose);
  for (const notice of notices) {
    const label = notice.level === 'error' ? chalk.red('error') : notice.level === 'warning' ? chalk.yellow('warning') : chalk.dim('note');
    lines.push(`${label}  ${notice.message}`);
  }
  if (notices.length > 0) lines.push('');

  lines.push(formatSummary(result, chalk));
  return `${lines.join('\n')}\n`;
}

function formatSummary(result: ScanResult, chalk: ChalkInstance): string {
  const { summary } = result;
  const total = SEVERITIES.reduce((sum, severity) => sum + summary.bySeverity[severity], 0);
  const counts = SEVERITIES.map((severity) => `${summary.bySeverity[severity]} ${severity}`).join(', ');
  const extras: string[] = [];
  if (summary.suppressed > 0) extras.push(`${summary.suppressed} suppressed`);
  if (summary.baselined > 0) extras.push(`${summary.baselined} in baseline`);
  const seconds = (summary.durationMs / 1000).toFixed(2);
  const scanned = `${plural(summary.files, 'file')}, ${plural(summary.lines, 'line')} in ${seconds} s`;
  const head = total === 0 ? chalk.green('No problems found') : chalk.bold(`${plural(total, 'problem')} (${counts})`);
  return `${head}${extras.length > 0 ? `, ${extras.join(', ')}` : ''}. Scanned ${scanned}.`;
}

function plural(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}
