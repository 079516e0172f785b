import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

describeRuleFixtures('code-injection');

const fixture = (...parts: string[]): string => path.join(FIXTURES, 'code-injection', ...parts);

describe('code-injection findings', () => {
  it('name the source and the function', async () => {
    const result = await scanPaths([fixture('calculator-eval.ts')], { rules: ['code-injection'] });
    const [finding] = result.findings;
    expect(finding?.message).toContain('req.body.formula');
    expect(finding?.message).toContain('eval()');
    expect(finding?.severity).toBe('critical');
    expect(finding?.related.map((item) => item.location.startLine)).toEqual([6]);
  });

  it('tell templates from JavaScript', async () => {
    const result = await scanPaths([fixture('template-compilers.ts')], { rules: ['code-injection'] });
    expect(result.findings[0]?.message).toContain('compiled as a template by ejs.render()');
  });

  it('describe the page address as the source', async () => {
    const result = await scanPaths([fixture('browser-hash.js')], { rules: ['code-injection'] });
    const [finding] = result.findings;
    expect(finding?.message).toContain('location.hash');
    expect(finding?.message).toContain('page address');
  });
});

describe('code-injection across modules', () => {
  it('reports the helper and supersedes dynamic-code-evaluation', async () => {
    const result = await scanPaths([fixture('formula-service')], { rules: ['code-injection', 'dynamic-code-evaluation'] });
    expect(result.findings.map((finding) => finding.ruleId)).toEqual(['code-injection']);
    const [finding] = result.findings;
    expect(finding?.location.file).toMatch(/scoring\.ts$/);
    expect(finding?.related[0]?.location.file).toMatch(/routes\.ts$/);
  });

  it('leaves a lone helper to dynamic-code-evaluation', async () => {
    const result = await scanPaths([fixture('formula-service', 'scoring.ts')], { rules: ['code-injection', 'dynamic-code-evaluation'] });
    expect(result.findings.map((finding) => finding.ruleId)).toEqual(['dynamic-code-evaluation']);
  });
});
