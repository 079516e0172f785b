import type { Finding, ScanResult } from '../types.js';
import type { ReporterOptions } from './types.js';

/**
 * JUnit XML for CI dashboards: one test suite per scanned file with findings,
 * one failed test case per finding. A clean scan gives one passing case.
 */
export function formatJunit(result: ScanResult, _options: ReporterOptions): string {
  const visible = result.findings.filter((finding) => !finding.suppression);
  const byFile = new Map<string, Finding[]>();
  for (const finding of visible) {
    const list = byFile.get(finding.location.file) ?? [];
    list.push(finding);
    byFile.set(finding.location.file, list);
  }
  const seconds = (result.summary.durationMs / 1000).toFixed(3);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(`<testsuites name="keney-audit" tests="${Math.max(visible.length, 1)}" failures="${visible.length}" time="${seconds}">`);
  if (visible.length === 0) {
    lines.push(`  <testsuite name="keney-audit" tests="1" failures="0" errors="0" time="${seconds}">`);
    lines.push(`    <testcase classname="keney-audit" name="${escape(`${result.summary.files} file${result.summary.files === 1 ? '' : 's'} scanned, no problems found`)}"/>`);
    lines.push('  </testsuite>');
  }
  for (const [file, findings] of byFile) {
    lines.push(`  <testsuite name="${escape(file)}" tests="${findings.length}" failures="${findings.length}" errors="0">`);
    for (const finding of findings) {
      const place = `${file}:${finding.location.startLine}:${finding.location.startColumn}`;
      lines.push(`    <testcase classname="${escape(finding.ruleId)}" name="${escape(`${place} ${finding.ruleId}`)}" file="${escape(file)}" line="${finding.location.startLine}">`);
      lines.push(`      <failure message="${escape(finding.message)}" type="${finding.severity}">${escape(`${finding.severity}: ${finding.message} (${finding.ruleId}) at ${place}`)}</failure>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

function escape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    // XML 1.0 allows no control characters but tab, line feed and carriage return.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}
