import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createDefaultConfig } from '../../src/config/schema.js';
import { allRules } from '../../src/rules/index.js';
import { makeTempFolder, runCli } from '../helpers/temp-project.js';

const RULE_IDS = allRules.map((rule) => rule.meta.id);

function initIn(cwd: string, args: string[] = []): { status: number | null; stderr: string; text: string } {
  const result = runCli(['init', ...args], { cwd });
  const file = path.join(cwd, '.keneyaudit.yml');
  return { status: result.status, stderr: result.stderr, text: fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '' };
}

/** Loads a config file and drops the two fields the loader adds from the file's own path. */
function loadSettings(file: string): unknown {
  const { file: _file, globBase: _globBase, ...settings } = loadConfig(file, RULE_IDS);
  return settings;
}

describe('keney-audit init', () => {
  it('writes a config that loads to the defaults', () => {
    const cwd = makeTempFolder();
    const { status, stderr } = initIn(cwd);
    expect(stderr).toBe('Wrote .keneyaudit.yml.\n');
    expect(status).toBe(0);
    expect(loadSettings(path.join(cwd, '.keneyaudit.yml'))).toEqual(createDefaultConfig());
  });

  it('lists every rule as a comment', () => {
    const { text } = initIn(makeTempFolder());
    for (const id of RULE_IDS) expect(text).toMatch(new RegExp(`^  # ${id}: on  # (critical|high|medium|low)$`, 'm'));
  });

  it('rule lines work once uncommented', () => {
    const cwd = makeTempFolder();
    const { text } = initIn(cwd);
    const file = path.join(cwd, '.keneyaudit.yml');
    fs.writeFileSync(file, text.replace('  # sql-injection: on', '  sql-injection: off').replace('  # path-traversal: on', '  path-traversal: medium'));
    const config = loadConfig(file, RULE_IDS);
    expect(config.rules['sql-injection']).toEqual({ enabled: false });
    expect(config.rules['path-traversal']).toEqual({ enabled: true, severity: 'medium' });
  });

  it('is found by a scan', () => {
    const cwd = makeTempFolder({ 'src/answer.ts': 'export const answer = 42;\n' });
    initIn(cwd);
    const result = runCli(['scan', '--verbose', '--no-color'], { cwd });
    expect(result.stdout).toContain('Config: .keneyaudit.yml');
    expect(result.status, result.stderr).toBe(0);
  });

  it('keeps an existing file without --force', () => {
    const cwd = makeTempFolder({ '.keneyaudit.yml': 'maxFileSize: 2MB\n' });
    const { status, stderr, text } = initIn(cwd);
    expect(stderr).toContain("ERROR: '.keneyaudit.yml' already exists.");
    expect(stderr).toContain('Pass --force to overwrite it');
    expect(status).toBe(2);
    expect(text).toBe('maxFileSize: 2MB\n');
  });

  it('--force overwrites', () => {
    const cwd = makeTempFolder({ '.keneyaudit.yml': 'maxFileSize: 2MB\n' });
    const { status } = initIn(cwd, ['--force']);
    expect(status).toBe(0);
    expect(loadSettings(path.join(cwd, '.keneyaudit.yml'))).toEqual(createDefaultConfig());
  });

  it('--output writes elsewhere', () => {
    const cwd = makeTempFolder();
    const result = runCli(['init', '--output', 'services/api/.keneyaudit.yml'], { cwd });
    expect(result.status).toBe(0);
    expect(loadSettings(path.join(cwd, 'services', 'api', '.keneyaudit.yml'))).toEqual(createDefaultConfig());
  });
});
