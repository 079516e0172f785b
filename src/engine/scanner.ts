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
  /**
   * Time to report as the start and end of the scan in place of the clock, so
   * that repeated scans give identical reports. The CLI reads it from SOURCE_DATE_EPOCH.
   */
  fixedTime?: Date;
}

/**
 * Picks the rules a scan runs. `only` runs the rules it names even when the
 * config turns them off, `disable` removes rules from either set, and an
 * unknown id or an empty selection raises a UsageError.
 */
export function selectRules(config: ResolvedConfig, only: string[] = [], disable: string[] = []): Rule[] {
  const known = new Set(allRules.map((rule) => rule.meta.id));
  for (const id of [...only, ...disable]) {
    if (!known.has(id)) {
      throw new UsageError(`Unknown rule id '${id}'.`, 'Run `keney-audit rules` to list the rule ids.');
    }
  }
  const selected = allRules.filter((rule) => {
    const id = rule.meta.id;
    if (disable.includes(id)) return false;
    if (only.length > 0) return only.includes(id);
    return config.rules[id]?.enabled ?? true;
  });
  if (selected.length === 0) {
    throw new UsageError('No rule left to run: --rule, --disable and the config file turn off every rule.');
  }
  return selected;
}

/**
 * Scans the given paths and returns every finding, suppressed ones included
 * and marked. Raises a UsageError when a path matches no file to scan, or
 * when every file found is skipped.
 */
export async function scan(options: ScanOptions): Promise<ScanResult> {
  const started = options.fixedTime ?? new Date();
  const startedAt = performance.now();
  const cwd = path.resolve(options.cwd);
  const { root, gitRoot } = findScanRoot(cwd, options.paths);
  const config = options.config;
  const rules = selectRules(config, options.only, options.disable);

  const paths = options.paths.length > 0 ? options.paths : ['.'];
  const discovered = await discoverFiles({
    paths,
    cwd,
    include: config.include,
    exclude: config.exclude,
    globBase: config.globBase,
    gitRoot,
  });
  if (discovered.unmatched.length > 0) {
    const list = discovered.unmatched.map((unmatchedPath) => `'${unmatchedPath}'`).join(', ');
    throw new UsageError(
      `No files to scan: ${list} matched no TypeScript, JavaScript or tracked .env file.`,
      'Check the path, .gitignore, and the include and exclude keys of the config file.',
    );
  }
  if (discovered.files.length === 0) {
    const list = discovered.skipped.map((item) => `${path.relative(cwd, item.file) || item.file} (${item.reason})`).join(', ');
    throw new UsageError(`No files to scan: every path given was skipped: ${list}.`);
  }

  const notifications: Notification[] = [];
  const skipped: Array<{ file: string; reason: string }> = [];
  for (const item of discovered.skipped) skipped.push({ file: toRelative(root, item.file), reason: item.reason });

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
    try {
      results.push(analyzeFile(file, text, analyzeOptions));
    } catch (error) {
      // analyzeFile catches rule errors itself, so this is a fault of the parser or the semantic layer.
      const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
      notifications.push({
        level: 'error',
        kind: 'analysis-failed',
        file,
        message: `Analysis failed, so the file was not scanned: ${reason.split('\n').slice(0, 4).join(' | ')}`,
      });
    }
  }

  if (texts.size === 0) {
    const list = skipped.map((item) => `${path.relative(cwd, path.join(root, item.file)) || item.file} (${item.reason})`).join(', ');
    throw new UsageError(`No files to scan: every file found was skipped: ${list}.`);
  }

  const resolver = new ModuleResolver(new Set(results.map((result) => result.file)));
  const index = new ProjectIndex(results, resolver, config);
  const snippetOf = (file: string, line: number): string | undefined => texts.get(file)?.split(/\r?\n/)[line - 1]?.trim();
  const projectOutput = runProjectStep(results, rules, index, config, snippetOf);

  for (const result of results) notifications.push(...result.notifications);
  notifications.push(...projectOutput.notifications);
  for (const item of skipped) {
    notifications.push({ level: 'warning', kind: 'file-skipped', file: item.file, message: `File skipped: ${item.reason}.` });
  }

  const ranRuleIds = new Set(rules.map((rule) => rule.meta.id));
  const findings = applySuppressions(projectOutput.findings, results, notifications, ranRuleIds);
  sortFindings(findings);

  const bySeverity = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
  let suppressed = 0;
  for (const finding of findings) {
    if (finding.suppression) suppressed++;
    else bySeverity[finding.severity]++;
  }

  const ended = options.fixedTime ?? new Date();
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
      const reason = `${formatBytes(stat.size)}, above the maxFileSize limit of ${formatBytes(maxFileSize)} (raise maxFileSize in .keneyaudit.yml to scan it)`;
      skipped.push({ file, reason });
      return undefined;
    }
    const text = fs.readFileSync(absolute, 'utf8');
    if (looksMinified(text)) {
      skipped.push({ file, reason: 'looks minified (average line longer than 500 characters)' });
      return undefined;
    }
    return text;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code ? `unreadable (${code})` : 'unreadable';
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
 * Marks the findings that a valid suppression comment names on their start
 * line, and reports comments that are invalid or match no finding. A rule id
 * counts as unused only when its rule ran, so `--rule` does not turn the
 * suppressions of other rules into noise.
 */
export function applySuppressions(
  findings: Finding[],
  results: readonly FileResult[],
  notifications: Notification[],
  ranRuleIds: ReadonlySet<string>,
): Finding[] {
  const byFile = new Map<string, SuppressionComment[]>();
  for (const result of results) if (result.suppressions.length > 0) byFile.set(result.file, result.suppressions);
  const usedIds = new Map<SuppressionComment, Set<string>>();

  for (const finding of findings) {
    const comments = byFile.get(finding.location.file);
    if (!comments) continue;
    const comment = comments.find(
      (candidate) =>
        !candidate.problem && candidate.targetLine === finding.location.startLine && candidate.ruleIds.includes(finding.ruleId),
    );
    if (!comment) continue;
    if (!usedIds.has(comment)) usedIds.set(comment, new Set());
    usedIds.get(comment)!.add(finding.ruleId);
    finding.suppression = { kind: 'inSource', justification: comment.justification };
  }

  for (const [file, comments] of byFile) {
    for (const comment of comments) {
      const where = { file, line: comment.line, column: comment.column };
      if (comment.problem) {
        notifications.push({
          level: 'warning',
          kind: 'invalid-suppression',
          ...where,
          message: `Suppression comment ${comment.problem}, so it suppresses nothing. Write it as \`keney-audit-ignore-next-line <rule-id> -- <reason>\`.`,
        });
        continue;
      }
      const unused = comment.ruleIds.filter((id) => ranRuleIds.has(id) && !usedIds.get(comment)?.has(id));
      if (unused.length === 0) continue;
      notifications.push({
        level: 'note',
        kind: 'unused-suppression',
        ...where,
        message: `Suppression of ${unused.join(', ')} matches no finding on line ${comment.targetLine}. Remove it, or move it to the line of the finding.`,
      });
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
    (a, b) =>
      compareText(a.file ?? '', b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      compareText(a.kind, b.kind) ||
      compareText(a.message, b.message),
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
