import { allRules } from '../rules/index.js';
import { describeRule } from '../rules/describe.js';

/** Prints every rule: id, severity, CWE ids, summary and docs page. */
export function runRulesCommand(options: { format: 'text' | 'json' }): number {
  const rules = allRules.map(describeRule);
  if (options.format === 'json') {
    process.stdout.write(`${JSON.stringify(rules, null, 2)}\n`);
    return 0;
  }
  const lines: string[] = [];
  for (const rule of rules) {
    const details = [rule.severity, ...rule.cwe.map((id) => `CWE-${id}`)].join(', ');
    lines.push(`${rule.id}  (${details})`);
    lines.push(`  ${rule.summary}`);
    lines.push(`  ${rule.docs}`);
    lines.push('');
  }
  lines.push(`${rules.length} rules.`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
