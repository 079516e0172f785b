import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { formatJson } from '../../src/reporters/json.js';
import { formatSarif } from '../../src/reporters/sarif.js';
import { formatText } from '../../src/reporters/text.js';
import type { ReporterOptions } from '../../src/reporters/types.js';
import type { Location, ScanResult } from '../../src/types.js';

const REPORTER_OPTIONS: ReporterOptions = {
  cwd: process.cwd(),
  color: false,
  quiet: false,
  verbose: true,
  includeSuppressed: true,
  disabledRules: [],
};

/** Formats a scan result with every reporter. */
export function formatAll(result: ScanResult): Record<'text' | 'json' | 'sarif', string> {
  return {
    text: formatText(result, REPORTER_OPTIONS),
    json: formatJson(result, REPORTER_OPTIONS),
    sarif: formatSarif(result, REPORTER_OPTIONS),
  };
}

/** Reads the source text a finding points at, without the quotes of a string literal. */
export function readFoundText(root: string, location: Location): string {
  const lines = fs.readFileSync(path.join(root, location.file), 'utf8').split('\n');
  const start = offsetOf(lines, location.startLine, location.startColumn);
  const end = offsetOf(lines, location.endLine, location.endColumn);
  return lines
    .join('\n')
    .slice(start, end)
    .replace(/^['"`]|['"`]$/g, '');
}

function offsetOf(lines: string[], line: number, column: number): number {
  let offset = 0;
  for (let index = 0; index < line - 1; index++) offset += lines[index]!.length + 1;
  return offset + column - 1;
}

/**
 * Asserts that no reporter prints a found secret in full: neither the found
 * text nor any word of it past the four characters a message may show.
 */
export function expectNoSecretInOutputs(result: ScanResult): void {
  expect(result.findings.length).toBeGreaterThan(0);
  const outputs = formatAll(result);
  for (const finding of result.findings) {
    const found = readFoundText(result.root, finding.location);
    // Only random-looking remainders count: `-----BEGIN` is markup and `secret` a word every message has.
    const words = found.split(/\s+|\\n/).filter((word) => isRandomLooking(word.slice(4)));
    const visiblePart = /\(([^()]*)…, \d+ characters?\)\.$/.exec(finding.message)?.[1];
    expect(
      visiblePart,
      `message of ${finding.location.file}:${finding.location.startLine} has no masked value`,
    ).toBeDefined();
    expect(visiblePart!.length).toBeLessThanOrEqual(4);
    for (const [format, output] of Object.entries(outputs)) {
      // A value as short as `root` also occurs in ordinary output, such as the JSON `root` field.
      if (found.length >= 6) {
        expect(
          output.includes(found),
          `${format} output contains the secret of ${finding.location.file}:${finding.location.startLine}`,
        ).toBe(false);
      }
      for (const word of words) {
        expect(
          output.includes(word.slice(4)),
          `${format} output contains part of ${finding.location.file}:${finding.location.startLine}`,
        ).toBe(false);
      }
    }
  }
}

function isRandomLooking(text: string): boolean {
  return text.length >= 6 && /[A-Za-z]/.test(text) && /\d/.test(text);
}

/** Copies fixture files into a new folder outside the repository, where no path marks them as test code. */
export function copyOutsideTests(files: string[]): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'keney-secrets-'));
  for (const file of files) fs.copyFileSync(file, path.join(folder, path.basename(file)));
  return folder;
}
