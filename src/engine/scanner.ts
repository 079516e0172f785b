import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ResolvedConfig } from '../config/schema.js';
import { discoverFiles } from '../files/discover.js';
import { getGitTopLevel } from '../files/git.js';
import { allRules } from '../rules/index.js';
import type { Rule } from '../rules/rule.js';
import { describeRule } from '../rules/describe.js';
import type { Finding, Notification, ScanResult, Severity } from '../types.js';
import { SEVERITIES } from '../types.js';
import { analyzeSafely, isEnvFile, ruleTimings, type AnalyzeOptions } from './analyze-file.js';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { SemanticOptions } from '../analysis/semantics.js';
import { listChangedFiles, type ChangeSelection } from '../files/changes.js';
import { readModuleLayout } from '../files/workspaces.js';
import { applyBaseline, type Baseline } from './baseline.js';
import { gitBlobId, ResultCache } from './cache.js';
import { TypeService } from './type-service.js';
import { HeapGuard } from './heap-guard.js';
import { maskSecretsInFindings } from './redact.js';
import { canUseWorkers, WorkerPool, type FileTask } from './worker-pool.js';
import type { TypeOracle } from './project.js';
import type { DeferredCheck, FileResult, SuppressionComment } from './facts.js';
import { ModuleResolver } from './module-resolver.js';
import { ProjectIndex, runProjectStep } from './project.js';
import { UsageError } from '../errors.js';
import { commonFolder } from '../config/load.js';
import { TOOL_VERSION } from '../version.js';
import { saveTypeScriptCodeCache, setCodeCacheEnabled } from '../typescript.js';
import { isOutside } from '../files/paths.js';

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
  /** Report only on staged files, or on files changed since a git ref; the rest of the tree still informs application-wide rules. */
  changes?: ChangeSelection;
  /** Threads for the per-file step, the calling thread included; 1 scans in the calling thread only. */
  jobs?: number;
  /** Folder of the result cache, or undefined for no cache. */
  cacheDir?: string;
  /** Findings recorded here are marked as known and counted, not reported. */
  baseline?: { file: string; baseline: Baseline };
  /** Whether to ask the TypeScript type checker about receivers: `auto` asks when a tsconfig.json exists and a finding has a question. */
  types?: TypesMode;
  onProgress?: (done: number, total: number) => void;
}

export type TypesMode = 'off' | 'auto' | 'on';

/** A file read for the scan: its text, or the cached result for that exact text. */
/** A file to analyse, with its git object id when git reports it unchanged, or its cached result. */
type Source =
  | { file: string; text: string; blob?: string; cached?: undefined }
  | { file: string; text?: undefined; cached: FileResult };

/** Below this many files to analyse, starting worker threads costs more than it saves. */
const MIN_FILES_FOR_WORKERS = 120;

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
  // Checked before the scan, which can take minutes, rather than after it.
  if (options.types === 'on' && !hasTsconfig(root)) {
    throw new UsageError(`--types on needs a tsconfig.json in ${root}.`, 'Add one, or use --types auto.');
  }
  const rules = selectRules(config, options.only, options.disable);
  setCodeCacheEnabled(options.cacheDir !== undefined);
  const changed = options.changes ? listChangedFiles(gitRoot, options.changes) : undefined;
  // A staged file that the working tree no longer has is still part of the commit.
  const indexOnly = new Set(
    [...(changed?.contents.keys() ?? [])].map((file) => path.join(gitRoot!, file)).filter((file) => !fs.existsSync(file)),
  );
  // A --staged or --changed-since scan of the whole repository may find nothing to report, which is not a usage error.
  const emptyScanAllowed = changed !== undefined && options.paths.length === 0;

  // A commit contains files of the whole repository, whichever folder the hook runs in.
  let paths = options.paths;
  if (paths.length === 0) paths = changed && gitRoot ? [gitRoot] : ['.'];
  const phases = ruleTimings ? new PhaseClock() : undefined;
  const discovered = await discoverFiles({
    paths,
    cwd,
    include: config.include,
    exclude: config.exclude,
    globBase: config.globBase,
    gitRoot,
    indexOnly,
  });
  if (discovered.unmatched.length > 0 && !emptyScanAllowed) {
    const list = discovered.unmatched.map((unmatchedPath) => `'${unmatchedPath}'`).join(', ');
    throw new UsageError(
      `No files to scan: ${list} matched no TypeScript, JavaScript or tracked .env file.`,
      'Check the path, .gitignore, and the include and exclude keys of the config file.',
    );
  }
  if (discovered.files.length === 0 && !emptyScanAllowed) {
    const list = discovered.skipped.map((item) => `${path.relative(cwd, item.file) || item.file} (${item.reason})`).join(', ');
    throw new UsageError(`No files to scan: every path given was skipped: ${list}.`);
  }

  const notifications: Notification[] = [];
  const skipped: Array<{ file: string; reason: string }> = [];
  for (const item of discovered.skipped) skipped.push({ file: toRelative(root, item.file), reason: item.reason });

  const layout = await readModuleLayout(root, commonFolder(cwd, paths), discovered.files);
  const resolverFiles = new Set<string>();
  const semantic: SemanticOptions = {
    sanitizers: declaredSanitizers(config, root),
    projectPrefixes: new ModuleResolver(resolverFiles, layout).projectPrefixes(),
  };

  const overrides = new Map<string, string>();
  let reportOnly: Set<string> | undefined;
  if (changed && gitRoot) {
    const top = fs.realpathSync(gitRoot);
    reportOnly = new Set(changed.files.map((file) => toPosix(path.relative(root, path.join(top, file)))));
    for (const [file, text] of changed.contents) overrides.set(toPosix(path.relative(root, path.join(top, file))), text);
  }

  const analysisKey = options.cacheDir ? getAnalysisKey(rules, config, semantic) : '';
  const cache = options.cacheDir ? ResultCache.open(options.cacheDir, analysisKey) : undefined;
  // Start the workers before reading files, so that loading the parser overlaps with the reads,
  // unless the cache already holds most files and few will need parsing.
  // More threads than cores only add memory: --jobs 200 once started 199 workers and took 12.7 GB.
  const jobs = Math.min(options.jobs ?? 1, maxJobs());
  const likelyMisses = discovered.files.length - (cache?.size ?? 0);
  const pool =
    jobs > 1 && likelyMisses >= MIN_FILES_FOR_WORKERS && canUseWorkers()
      ? new WorkerPool({ ruleIds: rules.map((rule) => rule.meta.id), config, semantic, codeCache: options.cacheDir !== undefined }, jobs - 1)
      : undefined;

  phases?.mark('discover files');
  // A file whose result is cached keeps the result, not its text, so a warm scan keeps little more than the results in memory.
  const sources: Source[] = [];
  const realFolders = new Map<string, string>();
  const linkedFolders = new Map<string, boolean>();
  for (const absolute of discovered.files) {
    const resolved = discovered.resolved.has(absolute);
    // Git lists a tracked file under its old folder even when the work tree has since made that folder a link.
    if (resolved && hasLinkedFolder(root, path.dirname(absolute), linkedFolders)) continue;
    const file = resolved ? toPosix(path.relative(root, absolute)) : toRelative(root, absolute, realFolders);
    const staged = overrides.get(file);
    // A file git reports unchanged is found in the cache by its object id, without being read.
    const blob = staged === undefined ? discovered.blobs.get(absolute) : undefined;
    const cachedBlob = blob && cache?.get(file, { blob });
    if (cachedBlob) {
      sources.push({ file, cached: cachedBlob });
      continue;
    }
    let text: string | undefined;
    if (staged === undefined) text = readSource(absolute, file, config.maxFileSize, skipped);
    else if (withinSizeLimit(Buffer.byteLength(staged), file, config.maxFileSize, skipped)) text = checkMinified(staged, file, skipped);
    if (text === undefined) continue;
    const cached = cache?.get(file, { text });
    // A result stored for the text before git had the file as an object moves to the object's id, to be found unread next time.
    if (cached && blob && gitBlobId(text, blob) === blob) cache?.set(file, { blob }, cached);
    sources.push(cached ? { file, cached } : { file, text, ...(blob ? { blob } : {}) });
  }
  if (sources.length === 0 && !emptyScanAllowed) {
    await pool?.close();
    const list = skipped.map((item) => `${path.relative(cwd, path.join(root, item.file)) || item.file} (${item.reason})`).join(', ');
    throw new UsageError(`No files to scan: every file found was skipped: ${list}.`);
  }

  // The files in scope that the scan found. When there are none, the CLI reports that nothing was in scope, not a clean scan.
  const found = new Set([...sources, ...skipped].map((item) => item.file));
  const scopeFiles = reportOnly ? [...found].filter((file) => reportOnly!.has(file)).sort() : [];
  // With no file in scope nothing can be reported, so the rest of the tree is not analysed.
  const toAnalyze = reportOnly && scopeFiles.length === 0 ? [] : sources;
  phases?.mark('read files');
  let analysis: { results: FileResult[]; cached: number };
  try {
    analysis = await analyzeSources(toAnalyze, { rules, config, semantic }, cache, pool, options);
  } finally {
    await pool?.close();
  }
  saveTypeScriptCodeCache();
  phases?.mark('per-file step');
  const { results, cached } = analysis;
  if (cache) {
    const problem = saveCache(cache, options.changes === undefined && paths.length === 1 && path.resolve(cwd, paths[0]!) === root);
    if (problem) notifications.push(problem);
  }

  phases?.mark('save cache');
  for (const result of results) resolverFiles.add(result.file);
  const resolver = new ModuleResolver(resolverFiles, layout);
  const typeService = createTypeService(options.types ?? 'off', root, results);
  const index = new ProjectIndex(results, resolver, config, typeService, semantic.sanitizers);
  const lines = new Map<string, string[] | undefined>();
  const snippetOf = (file: string, line: number): string | undefined => {
    if (!lines.has(file)) lines.set(file, readLines(root, file, overrides));
    return lines.get(file)?.[line - 1]?.trim();
  };
  const projectOutput = runProjectStep(results, rules, index, config, snippetOf);

  for (const result of results) notifications.push(...result.notifications);
  notifications.push(...projectOutput.notifications);
  for (const item of skipped) {
    notifications.push({ level: 'warning', kind: 'file-skipped', file: item.file, message: `File skipped: ${item.reason}.` });
  }

  phases?.mark('project step');
  if (ruleTimings) printRuleTimings(ruleTimings);
  if (phases) process.stderr.write(phases.report());

  const ranRuleIds = new Set(rules.map((rule) => rule.meta.id));
  let findings = applySuppressions(projectOutput.findings, results, notifications, ranRuleIds);
  hideSnippetsNextToSecrets(findings, rules);
  maskSecretsInFindings(findings);
  let scopeNotifications = notifications;
  if (reportOnly) {
    const inScope = reportOnly;
    findings = findings.filter((finding) => inScope.has(finding.location.file));
    scopeNotifications = notifications.filter((notification) => !notification.file || inScope.has(notification.file));
  }
  const baselined = options.baseline ? applyBaseline(findings, options.baseline.baseline, options.baseline.file) : 0;
  sortFindings(findings);

  const bySeverity = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
  let suppressed = 0;
  for (const finding of findings) {
    if (finding.suppression?.kind === 'inSource') suppressed++;
    else if (!finding.suppression) bySeverity[finding.severity]++;
  }

  const scanned = reportOnly ? results.filter((result) => reportOnly!.has(result.file)) : results;
  const ended = options.fixedTime ?? new Date();
  return {
    root,
    toolVersion: TOOL_VERSION,
    startTime: started.toISOString(),
    endTime: ended.toISOString(),
    findings,
    notifications: sortNotifications(scopeNotifications),
    // A severity set in the config is the rule's severity in this project, for reports that describe rules, such as SARIF's.
    rules: rules.map((rule) => {
      const description = describeRule(rule);
      const configured = config.rules[rule.meta.id]?.severity;
      return configured ? { ...description, severity: configured } : description;
    }),
    files: scanned.map((result) => result.file),
    filesWithSyntaxErrors: scanned.filter((result) => result.hasSyntaxErrors).map((result) => result.file),
    skipped: skipped.filter((item) => !reportOnly || reportOnly.has(item.file)).sort((a, b) => compareText(a.file, b.file)),
    ...(changed ? { scope: { kind: options.changes!.kind, files: scopeFiles } } : {}),
    summary: {
      files: scanned.length,
      lines: scanned.reduce((total, result) => total + result.lines, 0),
      bySeverity,
      suppressed,
      baselined,
      cached,
      durationMs: Math.round(performance.now() - startedAt),
    },
  };
}

/**
 * Runs the per-file step on every source whose result is not cached: on
 * worker threads when there are enough files and jobs, else in this thread.
 * Results come back in the order of `sources`, whatever ran them.
 */
async function analyzeSources(
  sources: readonly Source[],
  setup: { rules: Rule[]; config: ResolvedConfig; semantic: SemanticOptions },
  cache: ResultCache | undefined,
  pool: WorkerPool | undefined,
  options: ScanOptions,
): Promise<{ results: FileResult[]; cached: number }> {
  const results = new Array<FileResult | undefined>(sources.length);
  const missing: number[] = [];
  const tasks: FileTask[] = [];
  const blobs: Array<string | undefined> = [];
  sources.forEach((source, index) => {
    if (source.cached) {
      results[index] = source.cached;
    } else {
      missing.push(index);
      tasks.push({ file: source.file, text: source.text });
      blobs.push(source.blob);
    }
  });
  const total = sources.length;
  const cached = total - missing.length;
  options.onProgress?.(cached, total);

  const analyzeOptions: AnalyzeOptions = { ...setup, knownRuleIds: new Set(allRules.map((rule) => rule.meta.id)) };
  const heap = tasks.length >= MIN_FILES_FOR_WORKERS ? new HeapGuard() : undefined;
  const analyzeHere = (task: FileTask): FileResult => {
    const result = analyzeSafely(task.file, task.text, analyzeOptions);
    heap?.check();
    return result;
  };
  let analyzed: FileResult[];
  if (pool && tasks.length >= MIN_FILES_FOR_WORKERS) {
    analyzed = await pool.run(tasks, analyzeHere, (count) => options.onProgress?.(cached + count, total));
  } else {
    analyzed = tasks.map((task, offset) => {
      const result = analyzeHere(task);
      options.onProgress?.(cached + offset + 1, total);
      return result;
    });
  }
  analyzed.forEach((result, offset) => {
    const index = missing[offset]!;
    results[index] = result;
    // A .env file costs no parse, and its entry's key would come from a few short lines that are easy to guess.
    const task = tasks[offset]!;
    const cacheable = !isEnvFile(task.file) && !result.notifications.some((notification) => notification.kind === 'analysis-failed');
    if (!cacheable || !cache) return;
    // The id is used only when the text read is that object: the file may have changed since git listed it.
    const blob = blobs[offset];
    cache.set(task.file, blob && gitBlobId(task.text, blob) === blob ? { blob } : { text: task.text }, result);
  });
  return { results: results as FileResult[], cached };
}

/**
 * Writes the cache pack. A pack that cannot be written costs the next scan
 * time but changes no finding, so the failure becomes a note, not an error.
 */
function saveCache(cache: ResultCache, complete: boolean): Notification | undefined {
  try {
    cache.save(complete);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return {
      level: 'note',
      kind: 'cache-not-written',
      message: `The result cache could not be written to ${path.dirname(cache.file)} (${code}), so the next scan analyses every file again. Pass --cache-location with a writable folder, or --no-cache.`,
    };
  }
}

/** Returns the most threads a scan starts: the number of cores, or two on one core so that the parallel path can still run. */
function maxJobs(): number {
  return Math.max(2, os.availableParallelism());
}

/**
 * The sanitizers the config declares, with query helpers that bind their
 * parameters counted as SQL sanitizers. Project modules, which the config
 * loader makes absolute, become `./` paths relative to the scan root.
 */
function declaredSanitizers(config: ResolvedConfig, root: string): SemanticOptions['sanitizers'] {
  const toModule = (module: string): string =>
    path.isAbsolute(module) ? `./${toPosix(path.relative(root, module))}` : module;
  return [
    ...config.wrappers.sanitizers.map((declared) => ({ ...declared, module: toModule(declared.module) })),
    ...config.wrappers.sqlHelpers.map((declared) => ({ ...declared, module: toModule(declared.module), kind: 'sql' as const })),
  ];
}

/**
 * Identifies what the per-file step depends on besides a file's text: the
 * tool build, the rules that run, their settings and the project's module
 * layout. A cache pack is valid for one key only.
 */
function getAnalysisKey(rules: readonly Rule[], config: ResolvedConfig, semantic: SemanticOptions): string {
  const { file: _file, include: _include, exclude: _exclude, globBase: _globBase, maxFileSize: _maxFileSize, ...settings } = config;
  return JSON.stringify({
    build: getBuildId(),
    rules: rules.map((rule) => rule.meta.id),
    settings,
    semantic,
  });
}

let buildId: string | undefined;

/** Changes whenever a file of the installed tool changes, so a rebuilt tool never reads results of the old one. */
function getBuildId(): string {
  if (buildId) return buildId;
  const folder = path.dirname(fileURLToPath(import.meta.url));
  const base = path.resolve(folder, '..');
  const parts: string[] = [TOOL_VERSION];
  const visit = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (/\.(js|ts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        const stat = fs.statSync(full);
        parts.push(`${path.relative(base, full)}:${stat.size}:${stat.mtimeMs}`);
      }
    }
  };
  visit(base);
  buildId = createHash('sha256').update(parts.join('\n')).digest('hex');
  return buildId;
}

function hasTsconfig(root: string): boolean {
  return fs.existsSync(path.join(root, 'tsconfig.json'));
}

/**
 * Creates the type checker service when the mode asks for it: always for
 * `on`, and for `auto` only when a tsconfig.json exists and some finding has a
 * question for it. The service reads only the files with questions and what
 * they import.
 */
function createTypeService(mode: TypesMode, root: string, results: readonly FileResult[]): TypeOracle | undefined {
  if (mode === 'off') return undefined;
  const isQuestion = (check: DeferredCheck): boolean => check.kind === 'type' && (mode === 'on' || check.auto);
  const files = results.filter((result) => result.findings.some((finding) => finding.unless?.some(isQuestion))).map((result) => result.file);
  if (mode === 'auto' && files.length === 0) return undefined;
  const service = TypeService.forRoot(root);
  if (!service) {
    if (mode === 'on') throw new UsageError(`--types on needs a tsconfig.json in ${root}.`, 'Add one, or use --types auto.');
    return undefined;
  }
  service.prepare(files);
  return (file, check) => (isQuestion(check) ? service.packagesOf(file, check.start, check.end) : undefined);
}

/** Reads the lines of a scanned file for snippets, from staged content when the scan reads the index. */
function readLines(root: string, file: string, overrides: ReadonlyMap<string, string>): string[] | undefined {
  let text = overrides.get(file);
  if (text === undefined) {
    try {
      text = fs.readFileSync(path.join(root, file), 'utf8');
    } catch {
      return undefined;
    }
  }
  // The parser also ends a line at a lone carriage return, so line numbers count it too.
  return text.split(/\r\n|\r|\n/);
}

/**
 * A finding of another rule on the line of a secret finding would show the
 * secret in its snippet; such findings lose their snippet.
 */
function hideSnippetsNextToSecrets(findings: Finding[], rules: readonly Rule[]): void {
  const secretRules = new Set(rules.filter((rule) => rule.meta.secret).map((rule) => rule.meta.id));
  const secretLines = new Set(
    findings.filter((finding) => secretRules.has(finding.ruleId)).map((finding) => `${finding.location.file}:${finding.location.startLine}`),
  );
  if (secretLines.size === 0) return;
  for (const finding of findings) {
    if (secretLines.has(`${finding.location.file}:${finding.location.startLine}`)) delete finding.snippet;
  }
}

/** Wall time between named points of a scan, printed with the rule timings. */
class PhaseClock {
  private last = performance.now();
  private readonly phases: Array<[string, number]> = [];

  mark(name: string): void {
    const now = performance.now();
    this.phases.push([name, now - this.last]);
    this.last = now;
  }

  report(): string {
    const lines = this.phases.map(([name, ms]) => `${ms.toFixed(0).padStart(8)} ms  ${name}`);
    return `Wall time by phase:\n${lines.join('\n')}\n`;
  }
}

/** Prints the time spent in each rule's visitors, most expensive first, like ESLint's TIMING. */
function printRuleTimings(timings: ReadonlyMap<string, number>): void {
  const rows = [...timings].sort((a, b) => b[1] - a[1]).slice(0, 25);
  const lines = rows.map(([id, ms]) => `${ms.toFixed(0).padStart(8)} ms  ${id}`);
  process.stderr.write(`Time in rule visitors (this thread only; use --jobs 1 to see every file):\n${lines.join('\n')}\n`);
}

function toPosix(file: string): string {
  return file.split(path.sep).join('/');
}

/**
 * The folder finding paths are relative to (SARIF's %SRCROOT%): the git top
 * level of the working directory, else the working directory. When a scanned
 * path lies outside it, the git top level of the scanned paths, else their
 * common folder.
 */
export function findScanRoot(cwd: string, paths: string[]): { root: string; gitRoot?: string } {
  const targets = (paths.length > 0 ? paths : ['.']).map((given) => realpathOrSelf(path.resolve(cwd, given)));
  const gitRoot = getGitTopLevel(cwd);
  if (gitRoot && targets.every((target) => isWithin(fs.realpathSync(gitRoot), target))) {
    return { root: fs.realpathSync(gitRoot), gitRoot };
  }
  const common = commonFolder(cwd, paths);
  const otherGitRoot = getGitTopLevel(common);
  if (otherGitRoot) return { root: fs.realpathSync(otherGitRoot), gitRoot: otherGitRoot };
  const folder = fs.realpathSync(cwd);
  return { root: targets.every((target) => isWithin(folder, target)) ? folder : fs.realpathSync(common) };
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
  return relative === '' || !isOutside(relative);
}

function readSource(absolute: string, file: string, maxFileSize: number, skipped: Array<{ file: string; reason: string }>): string | undefined {
  try {
    const stat = fs.lstatSync(absolute);
    // Discovery lists tracked files from the git index, so a file the work tree has since replaced with a link reaches here. Links are not followed.
    if (stat.isSymbolicLink()) return undefined;
    // Nor is a FIFO or a device read, which could block the scan for ever.
    if (!stat.isFile()) {
      skipped.push({ file, reason: 'not a regular file' });
      return undefined;
    }
    if (!withinSizeLimit(stat.size, file, maxFileSize, skipped)) return undefined;
    return checkMinified(fs.readFileSync(absolute, 'utf8'), file, skipped);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A tracked file deleted from the work tree is not part of the tree being scanned.
    if (code === 'ENOENT') return undefined;
    const reason = code ? `unreadable (${code})` : 'unreadable';
    skipped.push({ file, reason });
    return undefined;
  }
}

/** Returns the text, or undefined with the file listed as skipped when it looks minified. */
function checkMinified(text: string, file: string, skipped: Array<{ file: string; reason: string }>): string | undefined {
  if (looksMinified(text)) {
    skipped.push({ file, reason: 'looks minified (average line longer than 500 characters)' });
    return undefined;
  }
  return text;
}

function withinSizeLimit(size: number, file: string, maxFileSize: number, skipped: Array<{ file: string; reason: string }>): boolean {
  if (size <= maxFileSize) return true;
  const reason = `${formatBytes(size)}, above the maxFileSize limit of ${formatBytes(maxFileSize)} (raise maxFileSize in .keneyaudit.yml to scan it)`;
  skipped.push({ file, reason });
  return false;
}

function looksMinified(text: string): boolean {
  if (text.length < 5000) return false;
  // The file is not minified once it has enough lines for an average of 500 characters; counting stops there.
  const enough = text.length / 500;
  let lines = 1;
  for (let index = text.indexOf('\n'); index !== -1 && lines < enough; index = text.indexOf('\n', index + 1)) lines++;
  return lines < enough;
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
        // An ignore-line comment targets its own line; an ignore-next-line one the next line of code.
        const form = comment.targetLine === comment.line ? 'keney-audit-ignore-line' : 'keney-audit-ignore-next-line';
        notifications.push({
          level: 'warning',
          kind: 'invalid-suppression',
          ...where,
          message: `Suppression comment ${comment.problem}, so it suppresses nothing. Write it as \`${form} <rule-id> -- <reason>\`.`,
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

/** True when a folder below the root, or one of its parents below the root, is a symbolic link. One lstat per folder. */
function hasLinkedFolder(root: string, folder: string, known: Map<string, boolean>): boolean {
  if (folder === root || !folder.startsWith(root + path.sep)) return false;
  let linked = known.get(folder);
  if (linked === undefined) {
    try {
      linked = fs.lstatSync(folder).isSymbolicLink() || hasLinkedFolder(root, path.dirname(folder), known);
    } catch {
      linked = false;
    }
    known.set(folder, linked);
  }
  return linked;
}

export function toRelative(root: string, absolute: string, realFolders = new Map<string, string>()): string {
  // Discovery skips files that are symbolic links, so resolving the folder resolves the file. A tree has far fewer folders than files.
  const folder = path.dirname(absolute);
  let real = realFolders.get(folder);
  if (real === undefined) {
    try {
      real = fs.realpathSync.native(folder);
    } catch {
      // Keep the path as given when it cannot be resolved.
      real = folder;
    }
    realFolders.set(folder, real);
  }
  return path.relative(root, path.join(real, path.basename(absolute))).split(path.sep).join('/');
}
