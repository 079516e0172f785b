#!/usr/bin/env node
// Benchmarks keney-audit on a code base given on the command line and prints,
// for each run: files, lines, wall time, lines per second and peak memory.
//
//   node bench/run.mjs DIR [--runs N] [--skip-eslint] [--skip-staged]
//
// Runs, each in a fresh process measured by GNU time (/usr/bin/time):
//   parse-only        the TypeScript parser that ts-morph bundles, alone, one core
//   cold --jobs 1     keney-audit on one thread with an empty cache
//   cold              keney-audit with the default jobs (the number of cores), empty cache
//   first scan        the same with a new result cache, the compiler's code cache kept:
//                     a user's first scan of a tree once the tool has run before
//   warm              keney-audit again on the unchanged tree, cache filled
//   staged            --staged with one changed file, the rest from the cache
//   types off / on    cold, default jobs, with the TypeScript type checker off, then on
//                     (the other keney-audit runs use the default, --types auto)
//   eslint            ESLint 9 with eslint-plugin-security, @microsoft/eslint-plugin-sdl
//                     and the SonarJS security rules, single process
//   eslint --concurrency N   the same with N = the number of cores
// ESLint and its plugins are installed on first use into a cache folder outside
// the repository (~/.cache/keney-audit-bench/eslint). The staged run works on a
// copy of DIR in a temporary git repository, so DIR is never changed.
// Build first: `npm run build`. Each figure is the median of --runs runs (default 3).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, '..', 'bin', 'keney-audit.js');
const args = process.argv.slice(2);
const target = path.resolve(args.find((arg) => !arg.startsWith('--')) ?? '.');
const runs = Number(args[args.indexOf('--runs') + 1]) || 3;
const cores = os.availableParallelism();
const TIME = '/usr/bin/time';

if (!fs.existsSync(TIME)) {
  console.error('GNU time is missing at /usr/bin/time; install the Debian package "time".');
  process.exit(2);
}

/** Runs a command under GNU time; returns wall seconds, peak resident memory in MiB and stdout. */
function measure(command, commandArgs, options = {}) {
  const result = spawnSync(TIME, ['-f', '%e %M', command, ...commandArgs], {
    cwd: options.cwd ?? target,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    maxBuffer: 512 * 1024 * 1024,
  });
  const lines = result.stderr.trim().split('\n');
  const [seconds, kilobytes] = lines[lines.length - 1].split(' ').map(Number);
  // Both tools exit with 1 for findings; 2 or more, or a signal, means the run failed and its time means nothing.
  if (!Number.isFinite(seconds) || result.status === null || result.status >= 2) {
    throw new Error(`${command} ${commandArgs.join(' ')} failed:\n${result.stderr}`);
  }
  return { seconds, mib: kilobytes / 1024, stdout: result.stdout, status: result.status };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function repeat(label, make) {
  const samples = [];
  for (let index = 0; index < runs; index++) samples.push(make());
  const row = { label, seconds: median(samples.map((sample) => sample.seconds)), mib: Math.max(...samples.map((sample) => sample.mib)) };
  process.stderr.write(`${label}: ${row.seconds.toFixed(2)} s, ${Math.round(row.mib)} MiB\n`);
  return row;
}

function keney(extra, options) {
  return measure(process.execPath, [cli, 'scan', '.', '--quiet', '--fail-on', 'none', ...extra], options);
}

/** Copies the tree into a temporary git repository, fills the cache, changes one file and times --staged. */
function benchStaged() {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'keney-bench-staged-'));
  fs.cpSync(target, copy, { recursive: true, filter: (source) => !source.includes(`${path.sep}.git${path.sep}`) && !source.endsWith(`${path.sep}.git`) });
  const git = (...gitArgs) => execFileSync('git', ['-c', 'user.email=bench@keney-audit.invalid', '-c', 'user.name=bench', ...gitArgs], { cwd: copy, stdio: 'pipe' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'snapshot');
  const stagedCache = fs.mkdtempSync(path.join(os.tmpdir(), 'keney-bench-cache-'));
  keney(['--cache-location', stagedCache], { cwd: copy });
  const files = git('ls-files').toString().split('\n').filter((file) => /\.(ts|js)$/.test(file) && !file.endsWith('.d.ts'));
  const changed = files[Math.floor(files.length / 2)];
  let counter = 0;
  const row = repeat('keney-audit --staged, one changed file', () => {
    fs.appendFileSync(path.join(copy, changed), `\nexport const benchmarkEdit${counter++} = ${counter};\n`);
    git('add', changed);
    return keney(['--staged', '--cache-location', stagedCache], { cwd: copy });
  });
  fs.rmSync(copy, { recursive: true, force: true });
  fs.rmSync(stagedCache, { recursive: true, force: true });
  return [row];
}

/** Installs ESLint 9 and the security plugins outside the repository, then times them on the same files. */
function benchEslint() {
  const home = path.join(os.homedir(), '.cache', 'keney-audit-bench', 'eslint');
  fs.mkdirSync(home, { recursive: true });
  if (!fs.existsSync(path.join(home, 'node_modules', 'eslint'))) {
    fs.writeFileSync(path.join(home, 'package.json'), JSON.stringify({ name: 'keney-audit-bench-eslint', private: true }));
    execFileSync(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        'eslint@9.39',
        'typescript@5.9',
        'typescript-eslint@8',
        'eslint-plugin-security@4',
        '@microsoft/eslint-plugin-sdl@1',
        'eslint-plugin-sonarjs@4',
      ],
      { cwd: home, stdio: 'inherit' },
    );
  }
  const config = path.join(home, 'eslint.config.mjs');
  fs.writeFileSync(config, ESLINT_CONFIG);
  const eslint = path.join(home, 'node_modules', 'eslint', 'bin', 'eslint.js');
  const base = [eslint, '--no-config-lookup', '--config', config, '--no-warn-ignored', '--format', 'json', '.'];
  return [
    repeat('eslint security set-up, 1 process', () => measure(process.execPath, base)),
    repeat(`eslint security set-up, --concurrency ${cores}`, () => measure(process.execPath, [...base, '--concurrency', String(cores)])),
  ];
}

const ESLINT_CONFIG = `// Generated by keney-audit's bench/run.mjs.
import tseslint from 'typescript-eslint';
import security from 'eslint-plugin-security';
import sdl from '@microsoft/eslint-plugin-sdl';
import sonarjs from 'eslint-plugin-sonarjs';

// no-insecure-random 1.1 throws on require() of a name that is not a string literal (typeorm's gulpfile.ts).
// That stops the whole ESLint run, and sonarjs/pseudo-random checks the same fault.
const CRASHING_SDL_RULES = ['no-insecure-random'];

const sonarSecurity = [
  'sonarjs/hashing', 'sonarjs/sql-queries', 'sonarjs/cookies', 'sonarjs/cors', 'sonarjs/no-hardcoded-passwords',
  'sonarjs/no-hardcoded-ip', 'sonarjs/insecure-jwt-token', 'sonarjs/weak-ssl', 'sonarjs/no-clear-text-protocols',
  'sonarjs/os-command', 'sonarjs/encryption-secure-mode', 'sonarjs/pseudo-random', 'sonarjs/x-powered-by',
  'sonarjs/content-security-policy', 'sonarjs/disabled-auto-escaping', 'sonarjs/insecure-cookie', 'sonarjs/unverified-certificate',
  'sonarjs/unverified-hostname', 'sonarjs/session-regeneration', 'sonarjs/no-weak-cipher', 'sonarjs/no-weak-keys',
  'sonarjs/csrf', 'sonarjs/publicly-writable-directories', 'sonarjs/code-eval', 'sonarjs/no-hardcoded-secrets',
];

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/build/**', '**/coverage/**', '**/*.d.ts', '**/*.min.js'] },
  {
    files: ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 'latest', sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    plugins: { security, '@microsoft/sdl': sdl, sonarjs },
    rules: {
      ...security.configs.recommended.rules,
      ...Object.fromEntries(
        Object.keys(sdl.rules)
          .filter((name) => !name.startsWith('react') && !CRASHING_SDL_RULES.includes(name))
          .map((name) => ['@microsoft/sdl/' + name, 'error']),
      ),
      ...Object.fromEntries(sonarSecurity.filter((rule) => rule.slice(8) in sonarjs.rules).map((rule) => [rule, 'error'])),
    },
  },
];
`;

/** Runs every benchmark, then prints one Markdown table. */
function main() {
  // Files and lines as keney-audit counts them.
  const summary = JSON.parse(keney(['--format', 'json', '--no-cache', '--rule', 'sql-injection']).stdout).summary;
  const rows = [];

  rows.push(
    repeat('parse-only (1 core)', () => {
      const run = measure(process.execPath, [path.join(here, 'parse-only.mjs'), target]);
      return { ...run, parseMs: JSON.parse(run.stdout).ms };
    }),
  );
  rows.push(repeat('keney-audit cold --jobs 1', () => keney(['--no-cache', '--jobs', '1'])));
  rows.push(repeat(`keney-audit cold (default, --jobs ${cores})`, () => keney(['--no-cache'])));
  rows.push(
    repeat('keney-audit first scan', () => {
      const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'keney-bench-cache-'));
      try {
        return keney(['--cache-location', fresh]);
      } finally {
        fs.rmSync(fresh, { recursive: true, force: true });
      }
    }),
  );

  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keney-bench-cache-'));
  keney(['--cache-location', cacheDir]);
  rows.push(repeat('keney-audit warm', () => keney(['--cache-location', cacheDir])));
  fs.rmSync(cacheDir, { recursive: true, force: true });
  rows.push(repeat(`keney-audit cold --types off`, () => keney(['--no-cache', '--types', 'off'])));
  if (fs.existsSync(path.join(target, 'tsconfig.json'))) {
    rows.push(repeat(`keney-audit cold --types on`, () => keney(['--no-cache', '--types', 'on'])));
  } else {
    process.stderr.write('keney-audit cold --types on: skipped, because --types on needs a tsconfig.json at the root\n');
  }

  if (!args.includes('--skip-staged')) rows.push(...benchStaged());
  if (!args.includes('--skip-eslint')) rows.push(...benchEslint());

  console.log(`${target}: ${summary.files} files, ${summary.lines} lines; ${cores} cores; Node ${process.version}; ${os.cpus()[0]?.model ?? 'unknown CPU'}`);
  console.log('| run | wall s | lines/s | peak MiB |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const row of rows) {
    const rate = Math.round(summary.lines / row.seconds).toLocaleString('en-US');
    console.log(`| ${row.label} | ${row.seconds.toFixed(2)} | ${rate} | ${Math.round(row.mib)} |`);
  }
}

main();
