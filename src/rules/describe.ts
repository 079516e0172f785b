import type { RuleDescription } from '../types.js';
import { getDocsPath, type Rule } from './rule.js';

/** `sql-injection` becomes `SqlInjection`, the form SARIF uses for rule names. */
export function toPascalCase(id: string): string {
  return id
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

export function describeRule(rule: Rule): RuleDescription {
  const meta = rule.meta;
  return {
    id: meta.id,
    name: toPascalCase(meta.id),
    title: meta.title,
    summary: meta.summary,
    severity: meta.severity,
    precision: meta.precision,
    cwe: [...meta.cwe],
    owasp: meta.owasp,
    docs: getDocsPath(meta.id),
    scope: rule.project ? 'project' : 'file',
  };
}
