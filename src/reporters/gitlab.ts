import { createHash } from 'node:crypto';
import type { Finding, ScanResult, Severity } from '../types.js';
import { TOOL_HOMEPAGE, TOOL_NAME, TOOL_VERSION } from '../version.js';
import type { ReporterOptions } from './types.js';

/** Version of GitLab's security report schema that this output follows. */
export const GITLAB_SCHEMA_VERSION = '15.2.1';

const SEVERITIES: Record<Severity, string> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low' };

/**
 * A GitLab SAST report (`artifacts:reports:sast`), so that findings show in
 * merge requests and the security dashboard. Suppressed findings are left out.
 */
export function formatGitlab(result: ScanResult, _options: ReporterOptions): string {
  const rules = new Map(result.rules.map((rule) => [rule.id, rule]));
  const tool = {
    id: TOOL_NAME,
    name: TOOL_NAME,
    version: TOOL_VERSION,
    vendor: { name: TOOL_NAME },
    ...(TOOL_HOMEPAGE ? { url: TOOL_HOMEPAGE } : {}),
  };
  const report = {
    version: GITLAB_SCHEMA_VERSION,
    scan: {
      analyzer: tool,
      scanner: tool,
      type: 'sast',
      start_time: toGitlabTime(result.startTime),
      end_time: toGitlabTime(result.endTime),
      // A failed rule or file analysis (level error) is also what makes the exit code 2.
      status: result.notifications.some((notification) => notification.level === 'error') ? 'failure' : 'success',
    },
    vulnerabilities: result.findings
      .filter((finding) => !finding.suppression)
      .map((finding) => toVulnerability(finding, rules.get(finding.ruleId))),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

function toVulnerability(finding: Finding, rule: ScanResult['rules'][number] | undefined) {
  const identifiers = [
    { type: TOOL_NAME, name: `${TOOL_NAME} ${finding.ruleId}`, value: finding.ruleId },
    ...(rule?.cwe ?? []).map((id) => ({
      type: 'cwe',
      name: `CWE-${id}`,
      value: String(id),
      url: `https://cwe.mitre.org/data/definitions/${id}.html`,
    })),
  ];
  return {
    id: toUuid(finding.fingerprint),
    name: rule?.title ?? finding.ruleId,
    description: finding.message,
    severity: SEVERITIES[finding.severity],
    ...(rule ? { solution: `See ${rule.docs}.` } : {}),
    location: {
      file: finding.location.file,
      start_line: finding.location.startLine,
      end_line: finding.location.endLine,
    },
    identifiers,
  };
}

/** GitLab's report schema wants times as `YYYY-MM-DDTHH:MM:SS`, without fractions or zone. */
function toGitlabTime(iso: string): string {
  return iso.slice(0, 19);
}

/** A stable UUID-shaped id derived from the finding's fingerprint. */
function toUuid(fingerprint: string): string {
  const hex = createHash('sha256').update(fingerprint).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
