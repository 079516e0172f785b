import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitAll, initGitRepo, makeTempFolder, runCli, runCliJson, SQL_INJECTION_ROUTE, SQL_RULES } from '../helpers/temp-project.js';

const NOBODY = 65534;

/** One long line: at least 5,000 characters with lines averaging over 500, so it looks minified. */
const MINIFIED = `${'var a=1;'.repeat(800)}\n`;

describe('file above maxFileSize', () => {
  it('is skipped with a warning and the scan goes on', () => {
    const cwd = makeTempFolder({
      'src/route.ts': SQL_INJECTION_ROUTE,
      'src/generated.ts': `// ${'x'.repeat(3000)}\n`,
      '.keneyaudit.yml': 'maxFileSize: 1KB\n',
    });
    const result = runCli(['scan', ...SQL_RULES, '--no-color'], { cwd });
    expect(result.status, result.stderr).toBe(1);
    expect(result.stdout).toContain('src/route.ts\n  9:31');
    expect(result.stdout).toContain(
      'warning  src/generated.ts  File skipped: 2.9 KiB, above the maxFileSize limit of 1.0 KiB (raise maxFileSize in .keneyaudit.yml to scan it).',
    );
    expect(result.stdout).toContain('Scanned 1 file,');
    expect(result.stdout).toContain('1 file skipped.');
  });

  it('is listed as skipped in JSON', () => {
    const cwd = makeTempFolder({ 'a.ts': `// ${'x'.repeat(3000)}\n`, 'b.ts': 'export {};\n', '.keneyaudit.yml': 'maxFileSize: 1000\n' });
    const { json } = runCliJson<{ files: string[]; skipped: Array<{ file: string; reason: string }> }>(['scan'], { cwd });
    expect(json.files).toEqual(['b.ts']);
    expect(json.skipped).toEqual([{ file: 'a.ts', reason: expect.stringContaining('above the maxFileSize limit') }]);
  });

  it('named alone on the command line exits 2', () => {
    const cwd = makeTempFolder({ 'a.ts': `// ${'x'.repeat(3000)}\n`, '.keneyaudit.yml': 'maxFileSize: 1000\n' });
    const result = runCli(['scan', 'a.ts'], { cwd });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toContain('ERROR: No files to scan: every file found was skipped: a.ts (');
  });
});

describe('unreadable file', () => {
  it('is skipped with a warning and the scan goes on', () => {
    const cwd = makeTempFolder({ 'src/route.ts': SQL_INJECTION_ROUTE, 'src/locked.ts': 'export const x = 1;\n' });
    fs.chmodSync(path.join(cwd, 'src', 'locked.ts'), 0o000);
    // Root reads files whatever their mode, so run the CLI as an unprivileged user then.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) for (const folder of [cwd, path.join(cwd, 'src')]) fs.chmodSync(folder, 0o755);
    const result = runCli(['scan', ...SQL_RULES, '--no-color'], { cwd, ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}) });
    expect(result.stdout).toContain('warning  src/locked.ts  File skipped: unreadable (EACCES).');
    expect(result.stdout).toContain('src/route.ts\n  9:31');
    expect(result.status, result.stderr).toBe(1);
  });
});

describe('minified file', () => {
  it('is skipped with a warning', () => {
    const cwd = makeTempFolder({ 'public/app.js': MINIFIED, 'src/app.ts': 'export {};\n' });
    const result = runCli(['scan', '--no-color'], { cwd });
    expect(result.stdout).toContain('warning  public/app.js  File skipped: looks minified');
    expect(result.status, result.stderr).toBe(0);
  });
});

describe('file nested too deeply', () => {
  it('is skipped with a warning and the scan goes on', () => {
    // Ten thousand nested parentheses, one a line so that the file does not look minified, exhaust the parser's stack.
    const nested = `export const deep = ${'(\n'.repeat(10_000)}1${')\n'.repeat(10_000)};\n`;
    const cwd = makeTempFolder({ 'src/route.ts': SQL_INJECTION_ROUTE, 'src/deep.ts': nested });
    const { status, json } = runCliJson<{ notifications: Array<{ level: string; kind: string; file?: string; message: string }> }>(
      ['scan', ...SQL_RULES],
      { cwd },
    );
    expect(status).toBe(1);
    expect(json.notifications.filter((notification) => notification.file === 'src/deep.ts')).toEqual([
      {
        level: 'warning',
        kind: 'file-skipped',
        file: 'src/deep.ts',
        line: null,
        column: null,
        ruleId: null,
        message: 'File skipped: its code is nested too deeply for the parser and the analysis (thousands of levels).',
      },
    ]);
  });
});

describe('tracked files changed in the work tree', () => {
  type Listing = { files: string[]; skipped: unknown[]; findings: Array<{ location: { file: string } }> };

  it('committed symbolic link is not followed', () => {
    const outside = makeTempFolder({ 'route.ts': SQL_INJECTION_ROUTE });
    const cwd = makeTempFolder({ 'src/app.ts': 'export {};\n' });
    fs.symlinkSync(path.join(outside, 'route.ts'), path.join(cwd, 'src', 'linked.ts'));
    initGitRepo(cwd);
    commitAll(cwd, 'Add an app and a link');
    const { status, json } = runCliJson<Listing>(['scan', ...SQL_RULES], { cwd });
    expect(status).toBe(0);
    expect(json.files).toEqual(['src/app.ts']);
    expect(json.skipped).toEqual([]);
  });

  it('replaced or deleted tracked file is left out', () => {
    const outside = makeTempFolder({ 'route.ts': SQL_INJECTION_ROUTE });
    const cwd = makeTempFolder({ 'src/app.ts': 'export {};\n', 'src/old.ts': 'export {};\n', 'src/gone.ts': 'export {};\n' });
    initGitRepo(cwd);
    commitAll(cwd, 'Add three modules');
    fs.rmSync(path.join(cwd, 'src', 'old.ts'));
    fs.symlinkSync(path.join(outside, 'route.ts'), path.join(cwd, 'src', 'old.ts'));
    fs.rmSync(path.join(cwd, 'src', 'gone.ts'));
    const { status, json } = runCliJson<Listing>(['scan', ...SQL_RULES], { cwd });
    expect(status).toBe(0);
    expect(json.files).toEqual(['src/app.ts']);
    expect(json.skipped).toEqual([]);
    expect(json.findings).toEqual([]);
  });
});

describe('file whose name is not valid UTF-8', () => {
  for (const inGit of [false, true]) {
    it(`is skipped with a warning ${inGit ? 'inside' : 'outside'} git`, () => {
      const cwd = makeTempFolder({ 'src/app.ts': 'export {};\n' });
      // "route\xff.ts": the byte 0xff never occurs in UTF-8.
      const name = Buffer.concat([Buffer.from(path.join(cwd, 'src', 'route')), Buffer.from([0xff]), Buffer.from('.ts')]);
      fs.writeFileSync(name, SQL_INJECTION_ROUTE);
      if (inGit) {
        initGitRepo(cwd);
        commitAll(cwd, 'Add a module with an odd name');
      }
      const { status, json } = runCliJson<{ files: string[]; skipped: Array<{ file: string; reason: string }> }>(['scan', ...SQL_RULES], { cwd });
      expect(status).toBe(0);
      expect(json.files).toEqual(['src/app.ts']);
      expect(json.skipped).toEqual([{ file: 'src/route\uFFFD.ts', reason: expect.stringContaining('its name is not valid UTF-8') }]);
    });
  }
});

describe('odd names and file kinds', () => {
  for (const inGit of [false, true]) {
    it(`scans two-dot names ${inGit ? 'inside' : 'outside'} git`, () => {
      const cwd = makeTempFolder({ '..route.ts': SQL_INJECTION_ROUTE, '..hidden/route.ts': SQL_INJECTION_ROUTE });
      if (inGit) {
        initGitRepo(cwd);
        commitAll(cwd, 'Add two routes');
      }
      const { status, json } = runCliJson<{ files: string[] }>(['scan', ...SQL_RULES], { cwd });
      expect(status).toBe(1);
      expect(json.files).toEqual(['..hidden/route.ts', '..route.ts']);
    });
  }

  it.runIf(process.platform !== 'win32')('skips a FIFO in place of a file', () => {
    const cwd = makeTempFolder({ 'src/app.ts': 'export {};\n', 'src/pipe.ts': 'export {};\n' });
    initGitRepo(cwd);
    commitAll(cwd, 'Add two modules');
    fs.rmSync(path.join(cwd, 'src', 'pipe.ts'));
    execFileSync('mkfifo', [path.join(cwd, 'src', 'pipe.ts')]);
    const { status, json } = runCliJson<{ files: string[]; skipped: Array<{ file: string; reason: string }> }>(['scan', ...SQL_RULES], { cwd });
    expect(status).toBe(0);
    expect(json.files).toEqual(['src/app.ts']);
    expect(json.skipped).toEqual([{ file: 'src/pipe.ts', reason: 'not a regular file' }]);
  });

  it('does not follow a linked folder', () => {
    const outside = makeTempFolder({ 'route.ts': SQL_INJECTION_ROUTE });
    const cwd = makeTempFolder({ 'src/app.ts': 'export {};\n', 'lib/route.ts': 'export {};\n' });
    initGitRepo(cwd);
    commitAll(cwd, 'Add two modules');
    fs.rmSync(path.join(cwd, 'lib'), { recursive: true });
    fs.symlinkSync(outside, path.join(cwd, 'lib'));
    const { status, json } = runCliJson<{ files: string[]; findings: unknown[] }>(['scan', ...SQL_RULES], { cwd });
    expect(status).toBe(0);
    expect(json.files).toEqual(['src/app.ts']);
    expect(json.findings).toEqual([]);
  });
});
