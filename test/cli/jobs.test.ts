import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { initGitRepo, makeTempFolder, runCli } from '../helpers/temp-project.js';

/** Above MIN_FILES_FOR_WORKERS in src/engine/scanner.ts (120), so that --jobs 2 starts workers. */
const FILE_COUNT = 300;

/** Four kinds of module in turn: three with one finding each (of different rules and severities), one clean. */
function generateModule(index: number): string {
  switch (index % 4) {
    case 0:
      return `import { Pool } from 'pg';
const pool = new Pool();
export async function purge${index}(table: string) {
  await pool.query(\`DELETE FROM \${table}\`);
}
`;
    case 1:
      return `import express from 'express';
import { Pool } from 'pg';
const pool = new Pool();
export const router${index} = express.Router();
router${index}.get('/patients/${index}', async (req, res) => {
  const { rows } = await pool.query(\`SELECT * FROM patients WHERE ward = '\${req.query.ward}'\`);
  res.json(rows);
});
`;
    case 2:
      return `import { exec } from 'node:child_process';
export function unpack${index}(name: string) {
  exec('tar -xf ' + name);
}
`;
    default:
      return `export const answer${index} = ${index};\n`;
  }
}

function makeLargeProject(): string {
  const files: Record<string, string> = {};
  for (let index = 0; index < FILE_COUNT; index++) files[`src/area-${index % 7}/module-${index}.ts`] = generateModule(index);
  const cwd = makeTempFolder(files);
  initGitRepo(cwd);
  return cwd;
}

/**
 * A module preloaded with --import that counts the worker threads the CLI
 * starts, without any hook in the product: it wraps the Worker class and
 * publishes the wrapper to ES module imports of node:worker_threads.
 */
const COUNT_WORKERS = `import fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  const threads = createRequire(import.meta.url)('node:worker_threads');
  let started = 0;
  threads.Worker = class CountedWorker extends threads.Worker {
    constructor(...args) {
      super(...args);
      started++;
    }
  };
  syncBuiltinESMExports();
  process.on('exit', () => fs.writeFileSync(process.env.WORKER_COUNT_FILE, String(started)));
}
`;

describe('--jobs', () => {
  it('2 gives the same JSON and SARIF bytes as 1', () => {
    const cwd = makeLargeProject();
    const tools = makeTempFolder({ 'count-workers.mjs': COUNT_WORKERS });
    const countFile = path.join(tools, 'workers.txt');
    const env = {
      SOURCE_DATE_EPOCH: '1704067200',
      NODE_OPTIONS: `--import ${path.join(tools, 'count-workers.mjs')}`,
      WORKER_COUNT_FILE: countFile,
    };
    const scanWith = (jobs: string, format: string): { stdout: string; workers: number } => {
      const result = runCli(['scan', '--no-cache', '--jobs', jobs, '--format', format, '--fail-on', 'none'], { cwd, env });
      expect(result.status, result.stderr).toBe(0);
      return { stdout: result.stdout, workers: Number(fs.readFileSync(countFile, 'utf8')) };
    };

    const sarifOne = scanWith('1', 'sarif');
    const sarifTwo = scanWith('2', 'sarif');
    expect(sarifOne.workers).toBe(0);
    expect(sarifTwo.workers).toBeGreaterThan(0);
    const results = (JSON.parse(sarifOne.stdout) as { runs: Array<{ results: Array<{ ruleId: string }> }> }).runs[0]!.results;
    expect(new Set(results.map((result) => result.ruleId))).toEqual(new Set(['sql-injection', 'unparameterized-sql', 'dynamic-shell-command']));
    expect(results.length).toBeGreaterThanOrEqual(225);
    expect(sarifTwo.stdout === sarifOne.stdout, 'SARIF of --jobs 2 and --jobs 1 differ').toBe(true);

    // summary.durationMs is measured even with SOURCE_DATE_EPOCH (docs/json-format.md), so it is left out.
    const withoutDuration = (text: string): string => text.replace(/"durationMs": \d+/, '"durationMs": 0');
    const jsonOne = scanWith('1', 'json');
    const jsonTwo = scanWith('2', 'json');
    expect(jsonTwo.workers).toBeGreaterThan(0);
    expect(withoutDuration(jsonTwo.stdout) === withoutDuration(jsonOne.stdout), 'JSON of --jobs 2 and --jobs 1 differ').toBe(true);
  });

  it('0 is a usage error', () => {
    const cwd = makeTempFolder({ 'src/answer.ts': 'export const answer = 42;\n' });
    const result = runCli(['scan', '--jobs', '0'], { cwd });
    expect(result.stderr).toContain("--jobs must be a whole number of 1 or more, got '0'.");
    expect(result.status).toBe(2);
  });
});
