import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { createDefaultConfig } from '../../src/config/schema.js';
import { scan } from '../../src/engine/scanner.js';
import { formatGitlab } from '../../src/reporters/gitlab.js';
import { formatJunit } from '../../src/reporters/junit.js';
import { formatMarkdown } from '../../src/reporters/markdown.js';
import type { ReporterOptions } from '../../src/reporters/types.js';
import type { ScanResult } from '../../src/types.js';
import { CLEAN_MODULE, makeTempFolder, runCli, SQL_INJECTION_ROUTE, SQL_RULES, UNPARAMETERIZED_HELPER } from '../helpers/temp-project.js';

const REVIEWED_HELPER = UNPARAMETERIZED_HELPER.replace(
  '  await pool.query',
  '  // keney-audit-ignore-next-line unparameterized-sql -- table comes from a fixed list\n  await pool.query',
);

/** Two findings (critical, high) and one suppressed finding. */
function makeProject(): string {
  return makeTempFolder({
    'src/routes/patients.ts': SQL_INJECTION_ROUTE,
    'src/db/visits.ts': UNPARAMETERIZED_HELPER,
    'src/db/reviewed.ts': REVIEWED_HELPER,
  });
}

function scanTo(format: string, cwd: string, extra: string[] = []): string {
  const result = runCli(['scan', ...SQL_RULES, '--format', format, ...extra], { cwd, env: { SOURCE_DATE_EPOCH: '1704067200' } });
  expect(result.status === 0 || result.status === 1, result.stderr).toBe(true);
  return result.stdout;
}

const OPTIONS: ReporterOptions = { cwd: process.cwd(), color: false, quiet: false, verbose: false, includeSuppressed: false, disabledRules: [] };

async function scanInProcess(cwd: string): Promise<ScanResult> {
  return scan({ paths: ['.'], cwd, config: createDefaultConfig(), only: ['sql-injection', 'unparameterized-sql'] });
}

/**
 * The required fields and value rules of GitLab's SAST report schema,
 * sast-report-format.json of the security-report-schemas project, version
 * 15.x (the version the reporter writes, GITLAB_SCHEMA_VERSION in
 * src/reporters/gitlab.ts). Written from that schema as published for 15.x,
 * not generated from a downloaded copy: the test machine has no access to it.
 */
function expectGitlabSastReport(report: Record<string, any>): void {
  expect(report.version, 'version').toMatch(/^15\.\d+\.\d+$/);

  const scan = report.scan;
  expect(scan, 'scan').toBeTypeOf('object');
  for (const part of ['analyzer', 'scanner']) {
    const tool = scan[part];
    for (const field of ['id', 'name', 'version']) {
      expect(tool?.[field], `scan.${part}.${field}`).toBeTypeOf('string');
      expect(tool[field].length, `scan.${part}.${field}`).toBeGreaterThan(0);
    }
    expect(tool.vendor?.name, `scan.${part}.vendor.name`).toBeTypeOf('string');
    if (tool.url !== undefined) expect(tool.url, `scan.${part}.url`).toMatch(/^https?:\/\//);
  }
  expect(scan.type, 'scan.type').toBe('sast');
  expect(scan.start_time, 'scan.start_time').toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
  expect(scan.end_time, 'scan.end_time').toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
  expect(['success', 'failure'], 'scan.status').toContain(scan.status);

  expect(Array.isArray(report.vulnerabilities), 'vulnerabilities').toBe(true);
  for (const [index, vulnerability] of (report.vulnerabilities as Array<Record<string, any>>).entries()) {
    const where = `vulnerabilities[${index}]`;
    expect(vulnerability.id, `${where}.id`).toBeTypeOf('string');
    expect(vulnerability.id.length, `${where}.id`).toBeGreaterThan(0);
    expect(Array.isArray(vulnerability.identifiers), `${where}.identifiers`).toBe(true);
    expect(vulnerability.identifiers.length, `${where}.identifiers`).toBeGreaterThanOrEqual(1);
    expect(vulnerability.identifiers.length, `${where}.identifiers`).toBeLessThanOrEqual(20);
    for (const identifier of vulnerability.identifiers) {
      for (const field of ['type', 'name', 'value']) {
        expect(identifier[field], `${where}.identifiers[].${field}`).toBeTypeOf('string');
        expect(identifier[field].length, `${where}.identifiers[].${field}`).toBeGreaterThan(0);
      }
      if (identifier.url !== undefined) expect(identifier.url).toMatch(/^https?:\/\//);
    }
    expect(vulnerability.location?.file, `${where}.location.file`).toBeTypeOf('string');
    expect(Number.isInteger(vulnerability.location.start_line), `${where}.location.start_line`).toBe(true);
    expect(vulnerability.location.end_line, `${where}.location.end_line`).toBeGreaterThanOrEqual(vulnerability.location.start_line);
    expect(['Info', 'Unknown', 'Low', 'Medium', 'High', 'Critical'], `${where}.severity`).toContain(vulnerability.severity);
    if (vulnerability.name !== undefined) expect(vulnerability.name.length, `${where}.name`).toBeLessThanOrEqual(255);
    if (vulnerability.solution !== undefined) expect(vulnerability.solution.length, `${where}.solution`).toBeLessThanOrEqual(7000);
  }
}

describe('--format gitlab', () => {
  it('has the fields the SAST report schema requires', () => {
    const report = JSON.parse(scanTo('gitlab', makeProject())) as Record<string, any>;
    expectGitlabSastReport(report);
    expect(report.scan.start_time).toBe('2024-01-01T00:00:00');
    expect(report.scan.status).toBe('success');
  });

  it('lists each unsuppressed finding once', () => {
    const report = JSON.parse(scanTo('gitlab', makeProject())) as { vulnerabilities: Array<Record<string, any>> };
    const summary = report.vulnerabilities.map((vulnerability) => ({
      file: vulnerability.location.file,
      line: vulnerability.location.start_line,
      severity: vulnerability.severity,
      rule: vulnerability.identifiers[0].value,
      cwe: vulnerability.identifiers[1].name,
    }));
    expect(summary).toEqual([
      { file: 'src/db/visits.ts', line: 6, severity: 'High', rule: 'unparameterized-sql', cwe: 'CWE-89' },
      { file: 'src/routes/patients.ts', line: 9, severity: 'Critical', rule: 'sql-injection', cwe: 'CWE-89' },
    ]);
    const ids = report.vulnerabilities.map((vulnerability) => vulnerability.id as string);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('marks a scan with a failed analysis as a failure', async () => {
    const result = await scanInProcess(makeTempFolder({ 'helper.ts': UNPARAMETERIZED_HELPER }));
    result.notifications.push({ level: 'error', kind: 'analysis-failed', file: 'helper.ts', message: 'Analysis failed, so the file was not scanned.' });
    const report = JSON.parse(formatGitlab(result, OPTIONS)) as Record<string, any>;
    expectGitlabSastReport(report);
    expect(report.scan.status).toBe('failure');
  });

  it('keeps finding ids across scans', () => {
    const cwd = makeProject();
    expect(scanTo('gitlab', cwd)).toBe(scanTo('gitlab', cwd));
  });
});

/** Splits a Markdown table row into its cells, at pipes that are not escaped. */
function cells(row: string): string[] {
  return row.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim());
}

describe('--format markdown', () => {
  it('counts findings by severity', () => {
    const markdown = scanTo('markdown', makeProject());
    expect(markdown.startsWith('## keney-audit\n')).toBe(true);
    expect(markdown).toContain('| Severity | Findings |\n| --- | ---: |\n| 🟥 critical | 1 |\n| 🟧 high | 1 |\n| 🟨 medium | 0 |\n| 🟦 low | 0 |\n');
    expect(markdown).toContain('Scanned 3 files, 26 lines; 1 suppressed.');
  });

  it('lists unsuppressed findings in a table, most severe first', () => {
    const markdown = scanTo('markdown', makeProject());
    const rows = markdown.split('\n').filter((line) => line.startsWith('| ') && line.includes('`'));
    expect(rows.map(cells)).toEqual([
      ['🟥 critical', '`sql-injection`', '`src/routes/patients.ts:9`', expect.stringContaining('req.query.ward')],
      ['🟧 high', '`unparameterized-sql`', '`src/db/visits.ts:6`', expect.stringContaining('table')],
    ]);
  });

  it('escapes pipes in paths', () => {
    const cwd = makeTempFolder({ 'src/a|b.ts': UNPARAMETERIZED_HELPER });
    const row = scanTo('markdown', cwd).split('\n').find((line) => line.includes('unparameterized-sql'))!;
    expect(cells(row)).toHaveLength(4);
    expect(cells(row)[2]).toBe('`src/a\\|b.ts:6`');
  });

  it('escapes pipes and line breaks in messages', async () => {
    const result = await scanInProcess(makeTempFolder({ 'helper.ts': UNPARAMETERIZED_HELPER }));
    result.findings[0]!.message = 'Table a | b comes from\nthe request.';
    const row = formatMarkdown(result, OPTIONS).split('\n').find((line) => line.includes('unparameterized-sql'))!;
    expect(cells(row)).toHaveLength(4);
    expect(cells(row)[3]).toBe('Table a \\| b comes from the request.');
  });

  it('escapes markup in messages', async () => {
    const result = await scanInProcess(makeTempFolder({ 'helper.ts': UNPARAMETERIZED_HELPER }));
    result.findings[0]!.message = 'Key <img src=x onerror=alert(1)> in `keys` & more.';
    const row = formatMarkdown(result, OPTIONS).split('\n').find((line) => line.includes('unparameterized-sql'))!;
    expect(cells(row)[3]).toBe('Key &lt;img src=x onerror=alert(1)&gt; in \\`keys\\` &amp; more.');
  });

  it('counts files with syntax errors', () => {
    const markdown = scanTo('markdown', makeTempFolder({ 'src/answer.ts': CLEAN_MODULE, 'src/broken.ts': 'export const = ;\n' }));
    expect(markdown).toContain('Scanned 2 files, 2 lines; 1 file with syntax errors.');
  });

  it('says so when nothing is found', () => {
    const markdown = scanTo('markdown', makeTempFolder({ 'src/answer.ts': CLEAN_MODULE }));
    expect(markdown).toBe('## keney-audit\n\nNo problems found in 1 file.\n\nScanned 1 file, 1 line.\n');
  });
});

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** Parses XML with saxes, which rejects any document that is not well-formed XML 1.0, and returns the root element. */
function parseXml(xml: string): XmlElement {
  const parser = new SaxesParser();
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  parser.on('error', (error) => {
    throw error;
  });
  parser.on('opentag', (tag) => {
    const element: XmlElement = { name: tag.name, attributes: tag.attributes as Record<string, string>, children: [], text: '' };
    if (stack.length > 0) stack.at(-1)!.children.push(element);
    else root = element;
    stack.push(element);
  });
  parser.on('text', (text) => {
    if (stack.length > 0) stack.at(-1)!.text += text;
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.write(xml).close();
  if (!root) throw new Error('The document has no root element.');
  return root;
}

function descendants(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((child) => [...(child.name === name ? [child] : []), ...descendants(child, name)]);
}

describe('--format junit', () => {
  it('is well-formed XML with one failed test case per finding', () => {
    const xml = scanTo('junit', makeProject());
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    const root = parseXml(xml);
    expect(root.name).toBe('testsuites');
    expect(root.attributes.tests).toBe('2');
    expect(root.attributes.failures).toBe('2');

    const cases = descendants(root, 'testcase');
    expect(cases.map((testCase) => testCase.attributes.name)).toEqual([
      'src/db/visits.ts:6:14 unparameterized-sql',
      'src/routes/patients.ts:9:31 sql-injection',
    ]);
    const failures = cases.map((testCase) => descendants(testCase, 'failure'));
    expect(failures.map((list) => list.length)).toEqual([1, 1]);
    expect(failures.map((list) => list[0]!.attributes.type)).toEqual(['high', 'critical']);
    for (const suite of descendants(root, 'testsuite')) {
      expect(Number(suite.attributes.tests)).toBe(descendants(suite, 'testcase').length);
      expect(Number(suite.attributes.failures)).toBe(descendants(suite, 'failure').length);
    }
  });

  it('has one passing case for a clean scan', () => {
    const root = parseXml(scanTo('junit', makeTempFolder({ 'src/answer.ts': CLEAN_MODULE })));
    const cases = descendants(root, 'testcase');
    expect(cases).toHaveLength(1);
    expect(cases[0]!.attributes.name).toBe('1 file scanned, no problems found');
    expect(descendants(root, 'failure')).toEqual([]);
    expect(root.attributes.failures).toBe('0');
  });

  it('escapes markup and drops control characters', async () => {
    const result = await scanInProcess(makeTempFolder({ 'helper.ts': UNPARAMETERIZED_HELPER }));
    result.findings[0]!.message = `Query <b>"a" & 'b'</b>\u0007 is built from data.`;
    const root = parseXml(formatJunit(result, OPTIONS));
    const [failure] = descendants(root, 'failure');
    expect(failure!.attributes.message).toBe(`Query <b>"a" & 'b'</b> is built from data.`);
    expect(failure!.text).toContain(`high: Query <b>"a" & 'b'</b> is built from data. (unparameterized-sql)`);
  });
});
