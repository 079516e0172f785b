import fs from 'node:fs';
import path from 'node:path';
import type { ResolvedConfig } from '../config/schema.js';
import { discoverFiles } from '../files/discover.js';
import { getGitTopLevel } from '../files/git.js';
import { allRules } from '../rules/index.js';
import type { Rule } from '../rules/rule.js';
import { describeRule } from '../rules/describe.js';
import type { Finding, Notification, ScanResult, Severity } from '../types.js';
import { SEVERITIES } from '../types.js';
import { analyzeFile, type AnalyzeOptions } from './analyze-file.js';
import type { FileResult, SuppressionComment } from './facts.js';
import { ModuleResolver } from './module-resolver.js';
import { ProjectIndex, runProjectStep } from './project.js';
import { UsageError } from '../errors.js';
import { commonFolder } from '../config/load.js';
import { TOOL_VERSION } from '../version.js';

export interface ScanOptions {
  paths: string[];
  cwd: string;
  config: ResolvedConfig;
  /** Run only these rules. */
  only?: string[];
  /** Do not run these rules. */
  disable?: string[];
}

/** Picks the rules a scan runs: enabled in the config, narrowed by `only` and `disable`. */
export function selectRules(config: ResolvedConfig, only: string[] = [], disable: string[] = []): Rule[] {
  const known = new Set(allRules.map((rule) => rule.meta.id));
  for (const id of [...only, ...disable]) {
    if (!known.has(id)) {
      throw new UsageError(`Unknown rule id '${id}'. Run \`keney-audit rules\` to list the rule ids.`);
    }
  }
  return allRules.filter((rule) => {
    const id = rule.meta.id;
    if (only.length > 0) return only.includes(id);
    if (disable.includes(id)) return false;
    return config.rules[id]?.enabled ?? true;
  });
}

/** Scans the given paths and returns every finding, suppressed ones included and marked. */
export async function scan(options: ScanOptions): Promise<ScanResult> {
  const started = new Date();
  const startedAt = performance.now();
  const cwd = path.resolve(options.cwd);
  const { root, gitRoot } = findScanRoot(cwd, options.paths);
  const config = options.config;
  const rules = selectRules(config, options.only, options.disable);

  const discovered = await discoverFiles({
    paths: options.paths.length > 0 ? options.paths : ['.'],
    cwd,
    include: config.include,
    exclude: config.exclude,
    gitRoot,
  });
  if (discovered.unmatched.length > 0 && discovered.files.length === 0) {
    throw new UsageError(
      `No files to scan: ${discovered.unmatched.map((p) => `'${p}'`).join(', ')} matched no TypeScript or JavaScript file.`,
    );
  }

  const notifications: Notification[] = [];
  const skipped: Array<{ file: string; reason: string }> = [];
  for (const item of discovered.skipped) skipped.push({ file: toRelative(root, item.file), reason: item.reason });
  for (const given of discovered.unmatched) {
    notifications.push({ level: 'warning', kind: 'path-unmatched', message: `Path '${given}' matched no file to scan.` });
  }

  const analyzeOptions: AnalyzeOptions = {
    rules,
    config,
    semantic: { sanitizers: config.wrappers.sanitizers, projectPrefixes: [] },
    knownRuleIds: new Set(allRules.map((rule) => rule.meta.id)),
  };

  const results: FileResult[] = [];
  const texts = new Map<string, string>();
  for (const absolute of discovered.files) {
    const file = toRelative(root, absolute);
    const text = readSource(absolute, file, config.maxFileSize, skipped);
    if (text === undefined) continue;
    texts.set(file, text);
    results.push(analyzeFile(file, text, analyzeOptions));
  }

  const resolver = new ModuleResolver(new Set(results.map((result) => result.file)));
  const index = new ProjectIndex(results, resolver, config);
  const snippetOf = (file: string, line: number): string | undefined => texts.get(file)?.split(/\r?\n/)[line - 1]?.trim();
  const projectOutput = runProjectStep(results, rules, index, config, snippetOf);

  for (const result of results) notifications.push(...result.notifications);
  notifications.push(...projectOutput.notifications);
  for (const item of skipped) {
    notifications.push({ level: 'warning', kind: 'file-skipped', file: item.file, message: `Skipped ${item.file}: ${item.reason}.` });
  }

  const findings = applySuppressions(projectOutput.findings, results, notifications);
  sortFindings(findings);

  const bySeverity = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
  let suppressed = 0;
  for (const finding of findings) {
    if (finding.suppression) suppressed++;
    else bySeverity[finding.severity]++;
  }

  const ended = new Date();
  return {
    root,
    toolVersion: TOOL_VERSION,
    startTime: started.toISOString(),
    endTime: ended.toISOString(),
    findings,
    notifications: sortNotifications(notifications),
    rules: rules.map(describeRule),
    files: results.map((result) => result.file),
    filesWithSyntaxErrors: results.filter((result) => result.hasSyntaxErrors).map((result) => result.file),
    skipped: skipped.sort((a, b) => compareText(a.file, b.file)),
    summary: {
      files: results.length,
      lines: results.reduce((total, result) => total + result.lines, 0),
      bySeverity,
      suppressed,
      baselined: 0,
      durationMs: Math.round(performance.now() - startedAt),
    },
  };
}

/**
 * The folder finding paths are relative to (SARIF's %SRCROOT%): the git top
 * level of the working directory, else the working directory. When a scanned
 * path lies outside it, the git top level of the scanned paths, else their
 * common folder.
 */
export function findScanRoot(cwd: string, paths: string[]): { root: string; gitRoot?: string } {
  const gitRoot = getGitTopLevel(cwd);
  const candidate = fs.realpathSync(gitRoot ?? cwd);
  const targets = (paths.length > 0 ? paths : ['.']).map((given) => realpathOrSelf(path.resolve(cwd, given)));
  if (targets.every((target) => isWithin(candidate, target))) return { root: candidate, gitRoot };
  const common = commonFolder(cwd, paths);
  const otherGitRoot = getGitTopLevel(common);
  return { root: fs.realpathSync(otherGitRoot ?? common), gitRoot: otherGitRoot };
}

function realpathOrSelf(target: string): string {
  try {
    return fs.realpathSync(target);
  } catch {
    return target;
  }
}

function isWithin(folder: string, target: string): boolean {
  const relative = path.relative(folder, target);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function readSource(absolute: string, file: string, maxFileSize: number, skipped: Array<{ file: string; reason: string }>): string | undefined {
  try {
    const stat = fs.statSync(absolute);
    if (stat.size > maxFileSize) {
      skipped.push({ file, reason: `larger than the ${formatBytes(maxFileSize)} limit (${formatBytes(stat.size)}); raise maxFileSize in .keneyaudit.yml to scan it` });
      return undefined;
    }
    const text = fs.readFileSync(absolute, 'utf8');
    if (looksMinified(text)) {
      skipped.push({ file, reason: 'looks minified (average line longer than 500 characters)' });
      return undefined;
    }
    return text;
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? `cannot be read (${String((error as NodeJS.ErrnoException).code)})` : 'cannot be read';
    skipped.push({ file, reason });
    return undefined;
  }
}

function looksMinified(text: string): boolean {
  if (text.length < 5000) return false;
  const lines = text.split('\n').length;
  return text.length / lines > 500;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

/**
 * Marks findings that a valid suppression comment names, and reports comments
 * that are invalid or suppress nothing.
 */
export function applySuppressions(findings: Finding[], results: readonly FileResult[], notifications: Notification[]): Finding[] {
  const byFile = new Map<string, SuppressionComment[]>();
  for (const result of results) if (result.suppressions.length > 0) byFile.set(result.file, result.suppressions);
  const used = new Set<SuppressionComment>();

  for (const finding of findings) {
    const comments = byFile.get(finding.location.file);
    if (!comments) continue;
    const comment = comments.find(
      (candidate) =>
        !candidate.problem && candidate.targetLine === finding.location.startLine && candidate.ruleIds.includes(finding.ruleId),
    );
    if (!comment) continue;
    used.add(comment);
    finding.suppression = { kind: 'inSource', justification: comment.justification };
  }

  for (const [file, comments] of byFile) {
    for (const comment of comments) {
      if (comment.problem) {
        notifications.push({
          level: 'warning',
          kind: 'invalid-suppression',
          file,
          message: `${file}:${comment.line}: suppression comment ${comment.problem}; it suppresses nothing.`,
        });
      } else if (!used.has(comment)) {
        notifications.push({
          level: 'note',
          kind: 'unused-suppression',
          file,
          message: `${file}:${comment.line}: suppression of ${comment.ruleIds.join(', ')} matches no finding; remove it.`,
        });
      }
    }
  }
  return findings;
}

export function sortFindings(findings: Finding[]): void {
  findings.sort(
    (a, b) =>
      compareText(a.location.file, b.location.file) ||
      a.location.startLine - b.location.startLine ||
      a.location.startColumn - b.location.startColumn ||
      compareText(a.ruleId, b.ruleId) ||
      compareText(a.message, b.message),
  );
}

function sortNotifications(notifications: Notification[]): Notification[] {
  return notifications.sort(
    (a, b) => compareText(a.file ?? '', b.file ?? '') || compareText(a.kind, b.kind) || compareText(a.message, b.message),
  );
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function toRelative(root: string, absolute: string): string {
  let real = absolute;
  try {
    real = fs.realpathSync(absolute);
  } catch {
    // Keep the path as given when it cannot be resolved.
  }
  return path.relative(root, real).split(path.sep).join('/');
}
