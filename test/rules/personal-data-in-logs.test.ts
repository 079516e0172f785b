import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDefaultConfig } from '../../src/config/schema.js';
import { actualPlaces, describeRuleFixtures, FIXTURES, scanPaths } from '../helpers/fixtures.js';

const RULE = 'personal-data-in-logs';
const CASES = path.join(FIXTURES, RULE);

async function scanCase(name: string, options: Parameters<typeof scanPaths>[1] = {}) {
  return scanPaths([path.join(CASES, name)], { rules: [RULE], ...options });
}

function findingAt(result: Awaited<ReturnType<typeof scanCase>>, line: number) {
  return result.findings.find((finding) => finding.ruleId === RULE && finding.location.startLine === line);
}

describeRuleFixtures(RULE);

describe('personal-data-in-logs findings', () => {
  it('name the logged value', async () => {
    const result = await scanCase('winston-patient-registration.ts');
    expect(findingAt(result, 12)?.message).toBe('input.ssn is written to the log unmasked.');
  });

  it('are medium severity, below secrets-in-logs', async () => {
    const result = await scanCase('winston-patient-registration.ts');
    expect(result.findings.map((finding) => finding.severity)).toEqual(['medium', 'medium']);
  });

  it('point at the field of a typed object', async () => {
    const result = await scanCase('typed-patient-interface.ts');
    const finding = findingAt(result, 21);
    expect(finding?.message).toBe('patient is written to the log with its dateOfBirth field unmasked.');
    expect(finding?.related.map((item) => item.location.startLine)).toEqual([13]);
  });

  it('follow fields of nested types', async () => {
    const result = await scanCase('typed-patient-interface.ts');
    expect(findingAt(result, 25)?.message).toBe('patient.insurance is written to the log with its memberId field unmasked.');
  });

  it('follow types re-exported by another module, and helpers that format them', async () => {
    const result = await scanCase('imported-patient-type');
    const service = result.findings.filter((finding) => finding.location.file.endsWith('visits.service.ts'));
    expect(service.map((finding) => finding.message)).toEqual([
      'patient is written to the log with its ssn field unmasked.',
      'visit is written to the log with its patient.ssn field unmasked.',
      'patient is written to the log with its ssn field unmasked.',
    ]);
  });
});

describe('personal-data-in-logs configuration', () => {
  it('leaves unknown field names alone by default', async () => {
    const result = await scanCase('configured-field-names.ts');
    expect(result.findings).toEqual([]);
  });

  it('reports names listed in sensitiveFields', async () => {
    const config = createDefaultConfig();
    config.sensitiveFields = ['triage_level'];
    const result = await scanCase('configured-field-names.ts', { config });
    expect(actualPlaces(result, RULE)).toEqual([path.join('test', 'fixtures', RULE, 'configured-field-names.ts:4')]);
    expect(result.findings[0]?.message).toBe('triageLevel is written to the log unmasked.');
  });
});
