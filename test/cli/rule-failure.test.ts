import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/cli/scan-command.js';
import { createDefaultConfig } from '../../src/config/schema.js';
import { analyzeFile, type AnalyzeOptions } from '../../src/engine/analyze-file.js';
import { allRules } from '../../src/rules/index.js';
import { defineRule, type Rule } from '../../src/rules/rule.js';
import { SQL_INJECTION_ROUTE } from '../helpers/temp-project.js';

const sqlInjection = allRules.find((rule) => rule.meta.id === 'sql-injection')!;

function defineBrokenRule(id: string, visitors: Record<string, () => void>): Rule {
  return defineRule({
    meta: {
      id,
      title: 'Broken rule',
      summary: 'Throws while it runs.',
      severity: 'low',
      precision: 'low',
      cwe: [],
      owasp: '',
      messages: { broken: 'Never reported.' },
    },
    create: () => visitors,
  });
}

function analyzeWith(rules: Rule[]) {
  const options: AnalyzeOptions = {
    rules,
    config: createDefaultConfig(),
    semantic: { sanitizers: [], projectPrefixes: [] },
    knownRuleIds: new Set(rules.map((rule) => rule.meta.id)),
  };
  return analyzeFile('src/route.ts', SQL_INJECTION_ROUTE, options);
}

describe('rule that throws', () => {
  const throwing = defineBrokenRule('throws-on-calls', {
    CallExpression: () => {
      throw new TypeError('cannot read the callee');
    },
  });

  it('becomes a rule-failed notification', () => {
    const result = analyzeWith([throwing, sqlInjection]);
    const failures = result.notifications.filter((notification) => notification.kind === 'rule-failed');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ level: 'error', ruleId: 'throws-on-calls', file: 'src/route.ts' });
    expect(failures[0]!.message).toContain('cannot read the callee');
  });

  it('leaves the findings of other rules', () => {
    const result = analyzeWith([throwing, sqlInjection]);
    expect(result.findings.map((finding) => finding.ruleId)).toEqual(['sql-injection']);
  });

  it('sets exit code 2 for any --fail-on', () => {
    const result = analyzeWith([throwing, sqlInjection]);
    expect(exitCodeFor(result, 'high')).toBe(2);
    expect(exitCodeFor(result, 'none')).toBe(2);
    expect(exitCodeFor({ findings: result.findings, notifications: [] }, 'high')).toBe(1);
  });
});

describe('other rule failures', () => {
  it('throwing in onEnd is reported', () => {
    const rule = defineBrokenRule('throws-at-end', {
      onEnd: () => {
        throw new Error('end of file');
      },
    });
    const result = analyzeWith([rule]);
    expect(result.notifications.map((notification) => notification.ruleId)).toEqual(['throws-at-end']);
    expect(exitCodeFor(result, 'none')).toBe(2);
  });

  it('visitor of an unknown node kind is reported', () => {
    const rule = defineBrokenRule('unknown-kind', { CallExpresion: () => undefined });
    const result = analyzeWith([rule, sqlInjection]);
    expect(result.notifications.map((notification) => notification.message)).toEqual([
      expect.stringContaining('unknown node kind CallExpresion'),
    ]);
    expect(result.findings).toHaveLength(1);
  });

  it('syntax errors alone keep exit code 0', () => {
    const result = analyzeFile('src/broken.ts', 'const a = (;\n', {
      rules: [sqlInjection],
      config: createDefaultConfig(),
      semantic: { sanitizers: [], projectPrefixes: [] },
      knownRuleIds: new Set(['sql-injection']),
    });
    expect(result.notifications.map((notification) => notification.kind)).toEqual(['parse-error']);
    expect(exitCodeFor(result, 'high')).toBe(0);
  });
});
