import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDefaultConfig } from '../../src/config/schema.js';
import { scan } from '../../src/engine/scanner.js';
import { formatJson } from '../../src/reporters/json.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { makeTempFolder, runCli, runCliJson, SQL_INJECTION_ROUTE, SQL_RULES, UNPARAMETERIZED_HELPER } from '../helpers/temp-project.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface TableSpec {
  heading: string;
  /** JSON paths such as `findings[].location`; '' is the top level. */
  paths: string[];
  fields: Array<{ name: string; types: string[] }>;
}

const DOCS = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'json-format.md'), 'utf8');
const TABLE_HEADER = '| Field | Type | Description |';

/** Reads the `### path` sections of docs/json-format.md and the field table under each. */
function readSchema(markdown: string): TableSpec[] {
  return markdown
    .split(/^### /m)
    .slice(1)
    .filter((section) => section.includes(TABLE_HEADER))
    .map((section) => {
      const heading = section.slice(0, section.indexOf('\n'));
      const paths = heading === 'Top level' ? [''] : [...heading.matchAll(/`([^`]+)`/g)].map((match) => match[1]!);
      const lines = section.slice(section.indexOf(TABLE_HEADER)).split('\n').slice(2);
      const rows = lines.slice(0, lines.findIndex((line) => !line.startsWith('|')));
      const fields = rows.map((row) => {
        const [name, type] = row.split(/(?<!\\)\|/).slice(1, 3).map((cell) => cell.trim().replace(/`/g, ''));
        return { name: name!, types: type!.split(/\s*\\\|\s*/) };
      });
      return { heading, paths, fields };
    });
}

function valuesAt(root: Json, jsonPath: string): Json[] {
  let values: Json[] = [root];
  for (const segment of jsonPath === '' ? [] : jsonPath.split('.')) {
    const name = segment.replace(/\[\]$/, '');
    values = values.map((value) => (value as Record<string, Json>)[name]!).filter((value) => value !== null && value !== undefined);
    if (segment.endsWith('[]')) values = values.flatMap((value) => value as Json[]);
  }
  return values;
}

function matchesType(value: Json, type: string): boolean {
  if (type === 'null') return value === null;
  if (type === 'string' || type === 'number' || type === 'boolean') return typeof value === type;
  if (type === 'object') return typeof value === 'object' && value !== null && !Array.isArray(value);
  if (type.endsWith('[]')) return Array.isArray(value) && value.every((item) => matchesType(item, type.slice(0, -2)));
  if (/^".*"$/.test(type)) return value === type.slice(1, -1);
  if (/^\d+$/.test(type)) return value === Number(type);
  throw new Error(`docs/json-format.md uses the unknown type ${type}`);
}

/** Checks that every object at a documented path has exactly the documented fields, each of a documented type. */
function expectOutputFollowsSchema(output: Json, schema: TableSpec[]): void {
  for (const table of schema) {
    for (const jsonPath of table.paths) {
      for (const value of valuesAt(output, jsonPath)) {
        const where = jsonPath || 'top level';
        expect(Object.keys(value as object).sort(), `fields of ${where}`).toEqual(table.fields.map((field) => field.name).sort());
        for (const field of table.fields) {
          const fieldValue = (value as Record<string, Json>)[field.name]!;
          const ok = field.types.some((type) => matchesType(fieldValue, type));
          expect(ok, `${where}.${field.name} is ${JSON.stringify(fieldValue)}, documented as ${field.types.join(' | ')}`).toBe(true);
        }
      }
    }
  }
}

const SCHEMA = readSchema(DOCS);

/** Creates a project whose scan has findings with related places and flows, a suppression, notices and a skipped file. */
function makeProject(): string {
  return makeTempFolder({
    'src/routes/patients.ts': SQL_INJECTION_ROUTE,
    'src/db/visits.ts': UNPARAMETERIZED_HELPER,
    'src/db/reviewed.ts': UNPARAMETERIZED_HELPER.replace(
      '  await pool.query',
      '  // keney-audit-ignore-next-line unparameterized-sql -- table comes from a fixed list\n  await pool.query',
    ),
    'src/broken.ts': 'export const a = (;\n',
    'src/unused.ts': '// keney-audit-ignore-next-line sql-injection -- stale\nexport const b = 1;\n',
    'src/generated.ts': `// ${'x'.repeat(2000)}\n`,
    '.keneyaudit.yml': 'maxFileSize: 1000\n',
  });
}

describe('docs/json-format.md', () => {
  it('documents at least the main objects', () => {
    const paths = SCHEMA.flatMap((table) => table.paths);
    for (const expected of ['', 'tool', 'summary', 'findings[]', 'findings[].location', 'notifications[]', 'rules[]', 'skipped[]']) {
      expect(paths).toContain(expected);
    }
  });

  it('every object field has its own table', () => {
    const paths = new Set(SCHEMA.flatMap((table) => table.paths));
    for (const table of SCHEMA) {
      for (const jsonPath of table.paths) {
        for (const field of table.fields) {
          const prefix = jsonPath ? `${jsonPath}.` : '';
          if (field.types.includes('object')) expect(paths, `${prefix}${field.name}`).toContain(`${prefix}${field.name}`);
          if (field.types.includes('object[]')) expect(paths, `${prefix}${field.name}[]`).toContain(`${prefix}${field.name}[]`);
        }
      }
    }
  });

  it('the example follows the schema', () => {
    const example = /```json\n([\s\S]*?)```/.exec(DOCS)![1]!;
    expectOutputFollowsSchema(JSON.parse(example) as Json, SCHEMA);
  });
});

describe('JSON output', () => {
  it('follows the documented schema', () => {
    const cwd = makeProject();
    const { json } = runCliJson<Json>(['scan', ...SQL_RULES], { cwd });
    expectOutputFollowsSchema(json, SCHEMA);
  });

  it('fills every documented object', async () => {
    const cwd = makeProject();
    const { json } = runCliJson<Json>(['scan', ...SQL_RULES], { cwd });

    // No rule proposes a fix yet, so one is added to a real scan result to check its fields.
    const result = await scan({ paths: ['.'], cwd, config: createDefaultConfig(), only: ['sql-injection'] });
    const finding = result.findings[0]!;
    finding.fix = { description: 'Pass ward as a bound parameter.', replacements: [{ location: finding.location, text: "pool.query('...', [ward])" }] };
    const withFix = JSON.parse(formatJson(result, { cwd, color: false, quiet: false, verbose: false, includeSuppressed: false, disabledRules: [] })) as Json;
    expectOutputFollowsSchema(withFix, SCHEMA);

    for (const table of SCHEMA) {
      const count = table.paths.reduce((total, jsonPath) => total + valuesAt(json, jsonPath).length + valuesAt(withFix, jsonPath).length, 0);
      expect(count, `objects found for ${table.heading}`).toBeGreaterThan(0);
    }
  });

  it('counts and keeps suppressed findings', () => {
    const cwd = makeProject();
    const { json } = runCliJson<{
      summary: { suppressed: number; bySeverity: Record<string, number> };
      findings: Array<{ location: { file: string }; suppression: { kind: string; justification: string } | null }>;
    }>(['scan', ...SQL_RULES], { cwd });
    expect(json.summary.suppressed).toBe(1);
    expect(json.summary.bySeverity).toEqual({ critical: 1, high: 1, medium: 0, low: 0 });
    const suppressed = json.findings.filter((finding) => finding.suppression !== null);
    expect(suppressed.map((finding) => finding.location.file)).toEqual(['src/db/reviewed.ts']);
    expect(suppressed[0]!.suppression).toEqual({ kind: 'inSource', justification: 'table comes from a fixed list' });
  });

  it('counts and keeps baselined findings', () => {
    const cwd = makeProject();
    expect(runCli(['baseline', 'create', '--output', 'known.json'], { cwd }).status).toBe(0);
    const { json } = runCliJson<Json>(['scan', ...SQL_RULES, '--baseline', 'known.json'], { cwd });
    expectOutputFollowsSchema(json, SCHEMA);
    const output = json as { summary: { baselined: number; suppressed: number }; findings: Array<{ suppression: { kind: string } | null }> };
    expect(output.summary.baselined).toBe(2);
    expect(output.summary.suppressed).toBe(1);
    expect(output.findings.map((finding) => finding.suppression?.kind ?? null).sort()).toEqual(['baseline', 'baseline', 'inSource']);
  });

  it('uses SOURCE_DATE_EPOCH for start and end time', () => {
    const cwd = makeProject();
    const { json } = runCliJson<{ startTime: string; endTime: string }>(['scan', ...SQL_RULES], {
      cwd,
      env: { SOURCE_DATE_EPOCH: '1704067200' },
    });
    expect(json.startTime).toBe('2024-01-01T00:00:00.000Z');
    expect(json.endTime).toBe('2024-01-01T00:00:00.000Z');
  });
});
