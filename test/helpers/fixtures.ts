import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/engine/scanner.js';
import { createDefaultConfig, type ResolvedConfig } from '../../src/config/schema.js';
import type { ScanResult } from '../../src/types.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures');

/** `// expect: rule-a, rule-b` (or `/* expect: ... *\/`, `# expect: ...`) marks a line where findings must start. */
const MARKER = /(?:\/\/|\/\*|#|\{\/\*)\s*expect:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)/g;

/** Cases of a rule: each file or folder directly under test/fixtures/<rule-id>/. */
export function listCases(ruleId: string): string[] {
  const folder = path.join(FIXTURES, ruleId);
  return fs
    .readdirSync(folder)
    .filter((name) => !name.startsWith('.') || name.startsWith('.env'))
    .sort()
    .map((name) => path.join(folder, name));
}

function listFiles(target: string): string[] {
  const stat = fs.statSync(target);
  if (stat.isFile()) return [target];
  return fs.readdirSync(target).flatMap((name) => listFiles(path.join(target, name)));
}

/** The `file:line` places where a case expects findings of a rule. */
export function expectedPlaces(casePath: string, ruleId: string): string[] {
  const places: string[] = [];
  for (const file of listFiles(casePath)) {
    const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
    lines.forEach((text, index) => {
      for (const match of text.matchAll(MARKER)) {
        const ids = match[1]!.split(',').map((id) => id.trim());
        if (ids.includes(ruleId)) places.push(`${path.relative(REPO_ROOT, file)}:${index + 1}`);
      }
    });
  }
  return places.sort();
}

/** The `file:line` places where a scan found unsuppressed findings of a rule. */
export function actualPlaces(result: ScanResult, ruleId: string): string[] {
  return result.findings
    .filter((finding) => finding.ruleId === ruleId && !finding.suppression)
    .map((finding) => `${finding.location.file}:${finding.location.startLine}`)
    .sort();
}

export async function scanPaths(paths: string[], options: { rules?: string[]; config?: ResolvedConfig; cwd?: string } = {}): Promise<ScanResult> {
  return scan({
    paths,
    cwd: options.cwd ?? REPO_ROOT,
    config: options.config ?? createDefaultConfig(),
    only: options.rules,
  });
}

/**
 * Defines one test per fixture case of a rule: the rule alone scans the case,
 * and its findings must start exactly on the lines marked `expect: <rule-id>`.
 * Cases without markers must produce no finding of the rule.
 */
export function describeRuleFixtures(ruleId: string, options: { config?: () => ResolvedConfig } = {}): void {
  describe(`${ruleId} fixtures`, () => {
    for (const casePath of listCases(ruleId)) {
      const name = path.basename(casePath);
      it(name, async () => {
        const result = await scanPaths([casePath], { rules: [ruleId], config: options.config?.() });
        const failures = result.notifications.filter((notification) => notification.kind === 'rule-failed');
        expect(failures).toEqual([]);
        expect(actualPlaces(result, ruleId)).toEqual(expectedPlaces(casePath, ruleId));
      });
    }
  });
}
