import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type * as Sarif from 'sarif';
import { expect } from 'vitest';
import { REPO_ROOT } from './fixtures.js';
import { makeTempFolder } from './temp-project.js';

const VALIDATOR = path.join(REPO_ROOT, 'node_modules', '@microsoft', 'sarif-multitool-linux', 'Sarif.Multitool');

/** Runs the SARIF Multitool validator with the GitHub and SARIF rules and returns the problems it reports. */
export function validateSarif(log: string): Sarif.Result[] {
  const folder = makeTempFolder({ 'in.sarif': log });
  const output = path.join(folder, 'out.sarif');
  const run = spawnSync(VALIDATOR, ['validate', '--rule-kind', 'Gh;Sarif', '--output', output, path.join(folder, 'in.sarif')], {
    encoding: 'utf8',
  });
  // The validator exits 0 even when it finds errors, so its report is what counts.
  expect(fs.existsSync(output), `${run.stdout}\n${run.stderr}`).toBe(true);
  const report = JSON.parse(fs.readFileSync(output, 'utf8')) as Sarif.Log;
  return report.runs[0]!.results ?? [];
}

/** Returns the validator's errors and warnings, without its notes, which are advice. */
export function validatorProblems(log: string): Sarif.Result[] {
  return validateSarif(log).filter((problem) => problem.level === 'error' || problem.level === 'warning');
}

export function describeProblems(problems: Sarif.Result[]): string {
  return problems.map((problem) => `${problem.ruleId}: ${JSON.stringify(problem.message)}`).join('\n');
}
