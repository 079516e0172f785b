import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

describeRuleFixtures('command-injection');

const fixture = (...parts: string[]): string => path.join(FIXTURES, 'command-injection', ...parts);

describe('command-injection findings', () => {
  it('name the source and the function', async () => {
    const result = await scanPaths([fixture('express-exec-template.ts')], { rules: ['command-injection'] });
    const [finding] = result.findings;
    expect(finding?.message).toContain('req.query.patientId');
    expect(finding?.message).toContain('exec()');
    expect(finding?.severity).toBe('critical');
  });

  it('relate the finding to the request source', async () => {
    const result = await scanPaths([fixture('express-exec-template.ts')], { rules: ['command-injection'] });
    const [finding] = result.findings;
    expect(finding?.related.map((item) => item.location.startLine)).toEqual([7]);
    expect(finding?.related[0]?.message).toContain("client's request");
  });

  it('say when the program itself is chosen', async () => {
    const result = await scanPaths([fixture('spawn-shell-option.ts')], { rules: ['command-injection'] });
    const program = result.findings.find((finding) => finding.location.startLine === 30);
    expect(program?.message).toContain('chooses the program');
  });

  it('describe process.argv as the command line', async () => {
    const result = await scanPaths([fixture('cli-arguments.ts')], { rules: ['command-injection'] });
    const [finding] = result.findings;
    expect(finding?.message).toContain('from the command line');
    expect(finding?.severity).toBe('high');
  });
});

describe('command-injection across modules', () => {
  it('reports the service with the controller as source', async () => {
    const result = await scanPaths([fixture('nest-controller-service')], { rules: ['command-injection'] });
    const [finding] = result.findings;
    expect(result.findings).toHaveLength(1);
    expect(finding?.location.file).toMatch(/lab-results\.service\.ts$/);
    expect(finding?.message).toContain("@Body().fileName");
    expect(finding?.related[0]?.location.file).toMatch(/lab-results\.controller\.ts$/);
  });

  it('stays quiet on the service alone', async () => {
    const result = await scanPaths([fixture('nest-controller-service', 'lab-results.service.ts')], { rules: ['command-injection'] });
    expect(result.findings).toEqual([]);
  });
});
