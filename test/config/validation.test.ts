import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { allRules } from '../../src/rules/index.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { CLEAN_MODULE, makeTempFolder, runCli } from '../helpers/temp-project.js';

const RULE_IDS = allRules.map((rule) => rule.meta.id);
const HINT = 'Run `keney-audit rules` for rule ids, or see docs/configuration.md for every key.';
const DOCS = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'configuration.md'), 'utf8');

function parseError(text: string): ConfigError {
  try {
    parseConfig(text, '/project/.keneyaudit.yml', RULE_IDS);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`no error for:\n${text}`);
}

describe('invalid config through the CLI', () => {
  it('unknown key names the file, line and valid keys', () => {
    const cwd = makeTempFolder({ 'a.ts': CLEAN_MODULE, '.keneyaudit.yml': 'rules:\n  sql-injection: on\nseverty: high\n' });
    const result = runCli(['scan'], { cwd });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `ERROR: Invalid config in .keneyaudit.yml at line 3: unknown key 'severty'. Valid keys: ${CONFIG_KEYS.join(', ')}.\n${HINT}\n`,
    );
  });

  it('wrong type names the expected type', () => {
    const cwd = makeTempFolder({ 'a.ts': CLEAN_MODULE, '.keneyaudit.yml': 'include: src/**\n' });
    const result = runCli(['scan'], { cwd });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toContain("ERROR: Invalid config in .keneyaudit.yml at line 1: 'include' must be a list of strings.");
  });

  it('invalid YAML names the line', () => {
    const cwd = makeTempFolder({ 'a.ts': CLEAN_MODULE, '.keneyaudit.yml': 'exclude:\n  - a\n - b\n' });
    const result = runCli(['scan'], { cwd });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/^ERROR: Invalid config in \.keneyaudit\.yml at line 3: invalid YAML: /);
  });

  it('path is relative to the working directory', () => {
    const cwd = makeTempFolder({ 'src/a.ts': CLEAN_MODULE, '.keneyaudit.yml': 'maxFileSize: huge\n' });
    const result = runCli(['scan', '.'], { cwd: path.join(cwd, 'src') });
    expect(result.stderr).toContain('ERROR: Invalid config in ../.keneyaudit.yml at line 1:');
  });

  it('--config file errors name that file', () => {
    const cwd = makeTempFolder({ 'a.ts': CLEAN_MODULE, 'ci/audit.yml': '\nrules:\n  sql-injection: maybe\n' });
    const result = runCli(['scan', '--config', 'ci/audit.yml'], { cwd });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toContain("ERROR: Invalid config in ci/audit.yml at line 3: rule 'sql-injection' is set to 'maybe'.");
  });
});

describe('parseConfig errors', () => {
  const cases: Array<[string, string, number, string]> = [
    ['unknown top-level key', 'exlude: []\n', 1, "unknown key 'exlude'. Valid keys: rules, include"],
    ['top level that is a list', '- rules\n', 1, 'the top level must be a mapping'],
    ['key given twice', 'include: []\ninclude: []\n', 2, 'invalid YAML'],
    ['unknown rule id', 'rules:\n  sql-injecton: off\n', 2, "unknown rule id 'sql-injecton'"],
    ['rule value not allowed', 'rules:\n  sql-injection: severe\n', 2, 'Valid values: on, off, critical, high, medium, low'],
    ['rule setting key unknown', 'rules:\n  sql-injection:\n    level: low\n', 3, "unknown key 'level' in rule 'sql-injection'. Valid keys: enabled, severity"],
    ['rule severity not allowed', 'rules:\n  sql-injection: { severity: urgent }\n', 2, 'must be one of critical, high, medium, low'],
    ['rule enabled not boolean', 'rules:\n  sql-injection: { enabled: yes }\n', 2, "'enabled' of rule 'sql-injection' must be true or false"],
    ['rules as a list', 'rules:\n  - sql-injection\n', 2, "'rules' must map rule ids"],
    ['empty glob', 'exclude:\n  - src/**\n  - ""\n', 3, "every entry of 'exclude' must be a non-empty string"],
    ['number in a string list', 'sensitiveFields:\n  - 42\n', 2, "every entry of 'sensitiveFields' must be a non-empty string"],
    ['size without a unit', 'maxFileSize: 2 GB\n', 1, "'maxFileSize' must be a number of bytes or a size such as 512KB or 2MB"],
    ['size of zero', 'maxFileSize: 0\n', 1, "'maxFileSize' must be"],
    ['secret length not whole', 'minSecretLength: 12.5\n', 1, "'minSecretLength' must be a positive whole number"],
    ['duration unit unknown', 'maxTokenLifetime: 2w\n', 1, 'such as 15m, 12h or 1d'],
    ['duration of zero', 'rules: {}\nmaxTokenLifetime: 0s\n', 2, "'maxTokenLifetime' must be a whole number of seconds above 0"],
    ['duration beyond exact numbers', 'maxTokenLifetime: 99999999999999999999d\n', 1, "'maxTokenLifetime' must be a whole number"],
    ['fraction of a second', 'maxTokenLifetime: 0.5\n', 1, "'maxTokenLifetime' must be a whole number of seconds above 0"],
    ['size that rounds to zero', 'maxFileSize: 0.0001KB\n', 1, "'maxFileSize' must be"],
    ['size above the limit', 'maxFileSize: 2048MB\n', 1, "'maxFileSize' can be at most 256MB, got '2048MB'"],
    ['invalid route pattern', 'authRoutes:\n  - ^/login\n  - ^/(session\n', 3, "'authRoutes' entry '^/(session' is not a valid regular expression"],
    ['wrappers list unknown', 'wrappers:\n  limiters: []\n', 2, "unknown key 'limiters' under 'wrappers'. Valid keys: rateLimiters, redactors, sanitizers, sqlHelpers"],
    ['wrapper without export', 'wrappers:\n  redactors:\n    - { module: pino }\n', 3, "has no 'export'"],
    ['sanitizer without kind', 'wrappers:\n  sanitizers:\n    - { module: validator, export: escape }\n', 3, "has no 'kind'. Valid kinds: number, html"],
    ['sanitizer kind unknown', 'wrappers:\n  sanitizers:\n    - { module: validator, export: escape, kind: xss }\n', 3, "'kind' in 'wrappers.sanitizers' must be one of number, html"],
    ['testSecrets key unknown', 'testSecrets:\n  files: []\n', 2, "unknown key 'files' under 'testSecrets'. Valid keys: paths, patterns"],
    ['invalid test secret pattern', 'testSecrets:\n  patterns:\n    - "[a-"\n', 3, "'testSecrets.patterns' entry '[a-' is not a valid regular expression"],
  ];
  for (const [name, text, line, message] of cases) {
    it(`${name} is reported at line ${line}`, () => {
      const error = parseError(text);
      expect(error.file).toBe('/project/.keneyaudit.yml');
      expect(error.line).toBe(line);
      expect(error.message).toContain(message);
    });
  }
});

describe('parseConfig values', () => {
  it('empty file gives the defaults', () => {
    const config = parseConfig('# nothing yet\n', '/project/.keneyaudit.yml', RULE_IDS);
    expect(config.rules).toEqual({});
    expect(config.maxFileSize).toBe(1024 * 1024);
    expect(config.globBase).toBe('/project');
  });

  it('rule shorthands set enabled and severity', () => {
    const text = 'rules:\n  sql-injection: off\n  unparameterized-sql: low\n';
    const config = parseConfig(text, '/project/.keneyaudit.yml', RULE_IDS);
    expect(config.rules['sql-injection']).toEqual({ enabled: false });
    expect(config.rules['unparameterized-sql']).toEqual({ enabled: true, severity: 'low' });
  });

  it('sizes and durations take units', () => {
    const text = 'maxFileSize: 512kb\nmaxTokenLifetime: 15m\n';
    const config = parseConfig(text, '/project/.keneyaudit.yml', RULE_IDS);
    expect(config.maxFileSize).toBe(512 * 1024);
    expect(config.maxTokenLifetime).toBe(15 * 60);
  });

  it('relative wrapper modules resolve from the config folder', () => {
    const text = 'wrappers:\n  sqlHelpers:\n    - { module: ./src/db/sql, export: sql }\n    - { module: sql-template-tag, export: default }\n';
    const config = parseConfig(text, '/project/.keneyaudit.yml', RULE_IDS);
    expect(config.wrappers.sqlHelpers).toEqual([
      { module: '/project/src/db/sql', export: 'sql' },
      { module: 'sql-template-tag', export: 'default' },
    ]);
  });
});

describe('docs/configuration.md', () => {
  it('has a section for every key', () => {
    const headings = [...DOCS.matchAll(/^### `([^`]+)`$/gm)].map((match) => match[1]);
    expect(headings).toEqual([...CONFIG_KEYS]);
  });

  it('example sets every key and parses', () => {
    const example = /## Example\n[\s\S]*?```yaml\n([\s\S]*?)```/.exec(DOCS)?.[1];
    expect(example).toBeDefined();
    const config = parseConfig(example!, '/project/.keneyaudit.yml', RULE_IDS);
    for (const key of CONFIG_KEYS) expect(example).toMatch(new RegExp(`^${key}:`, 'm'));
    expect(config.maxTokenLifetime).toBe(12 * 60 * 60);
    expect(config.wrappers.sanitizers).toHaveLength(2);
  });

  it('every key example parses', () => {
    const sections = DOCS.split(/^### /m).slice(1);
    for (const section of sections) {
      const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]!);
      expect(blocks.length).toBeGreaterThan(0);
      for (const block of blocks) expect(() => parseConfig(block, '/project/.keneyaudit.yml', RULE_IDS)).not.toThrow();
    }
  });

  it('shows the error message the CLI prints', () => {
    expect(DOCS).toContain(
      `ERROR: Invalid config in .keneyaudit.yml at line 3: unknown key 'severty'. Valid keys: ${CONFIG_KEYS.join(', ')}.\n${HINT}`,
    );
  });
});
