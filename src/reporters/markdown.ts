import type { Finding, ScanResult, Severity } from '../types.js';
import { SEVERITIES } from '../types.js';
import { showControls } from './text.js';
import type { ReporterOptions } from './types.js';

const MAX_ROWS = 100;
const ICONS: Record<Severity, string> = { critical: '🟥', high: '🟧', medium: '🟨', low: '🟦' };

/**
 * A Markdown summary for pull-request comments and `$GITHUB_STEP_SUMMARY`:
 * counts by severity, then a table of findings, most severe first.
 */
export function formatMarkdown(result: ScanResult, _options: ReporterOptions): string {
  const { summary } = result;
  const visible = result.findings.filter((finding) => !finding.suppression);
  const lines: string[] = ['## keney-audit', ''];

  if (visible.length === 0) {
    lines.push(`No problems found in ${plural(summary.files, 'file')}.`);
  } else {
    lines.push('| Severity | Findings |', '| --- | ---: |');
    for (const severity of SEVERITIES) lines.push(`| ${ICONS[severity]} ${severity} | ${summary.bySeverity[severity]} |`);
    lines.push('');
    const sorted = [...visible].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
    lines.push('| Severity | Rule | Location | Message |', '| --- | --- | --- | --- |');
    for (const finding of sorted.slice(0, MAX_ROWS)) lines.push(toRow(finding));
    if (sorted.length > MAX_ROWS) lines.push('', `${sorted.length - MAX_ROWS} more findings are not listed; see the SARIF or JSON report.`);
  }

  const extras: string[] = [];
  if (summary.suppressed > 0) extras.push(`${summary.suppressed} suppressed`);
  if (summary.baselined > 0) extras.push(`${summary.baselined} in the baseline`);
  if (result.skipped.length > 0) extras.push(`${plural(result.skipped.length, 'file')} skipped`);
  // Such files were analysed from the parser's recovered tree, so their findings may be incomplete.
  if (result.filesWithSyntaxErrors.length > 0) extras.push(`${plural(result.filesWithSyntaxErrors.length, 'file')} with syntax errors`);
  lines.push('', `Scanned ${plural(summary.files, 'file')}, ${plural(summary.lines, 'line')}${extras.length > 0 ? `; ${extras.join(', ')}` : ''}.`);
  return `${lines.join('\n')}\n`;
}

function toRow(finding: Finding): string {
  // GitHub's tables split cells at a pipe even inside a code span, so the path needs the escape too.
  const location = `\`${escapeCell(`${finding.location.file}:${finding.location.startLine}`)}\``;
  return `| ${ICONS[finding.severity]} ${finding.severity} | \`${finding.ruleId}\` | ${location} | ${escapeCell(finding.message)} |`;
}

/**
 * Escapes a message so that it stays inside its table cell and out of the
 * page's markup. Pipes and line breaks would end the cell and backticks a code
 * span. `<`, `>` and `&` would let a scanned name such as `<img onerror=…>`
 * reach the page as HTML.
 */
function escapeCell(text: string): string {
  return showControls(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/`/g, '\\`')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');
}

function plural(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}
