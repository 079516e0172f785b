import fs from 'node:fs';
import path from 'node:path';
import { commonFolder, findConfigFile, loadConfig, parseConfig } from '../config/load.js';
import { createDefaultConfig, type ResolvedConfig } from '../config/schema.js';
import { scan } from '../engine/scanner.js';
import { getGitTopLevel, listTrackedFiles, readGitObject } from '../files/git.js';
import { allRules } from '../rules/index.js';
import { formatJson } from '../reporters/json.js';
import { formatSarif } from '../reporters/sarif.js';
import { formatText } from '../reporters/text.js';
import type { Reporter, ReporterOptions } from '../reporters/types.js';
import { SEVERITIES, type ScanResult, type Severity } from '../types.js';
import { shouldColor, writeError, writeWarning } from './output.js';
import { UsageError } from '../errors.js';
import { findScanRoot, type TypesMode } from '../engine/scanner.js';
import { getDefaultCacheDir } from '../engine/cache.js';
import { readBaseline } from '../engine/baseline.js';
import { defaultJobs } from '../engine/worker-pool.js';
import { formatGitlab } from '../reporters/gitlab.js';
import { formatMarkdown } from '../reporters/markdown.js';
import { formatJunit } from '../reporters/junit.js';
import { createProgress } from './progress.js';
import { makeFolder } from '../files/make-folder.js';

export interface ScanCommandOptions {
  format: 'text' | 'json' | 'sarif' | 'gitlab' | 'markdown' | 'junit';
  category?: string;
  staged?: boolean;
  changedSince?: string;
  baseline?: string;
  jobs?: number;
  /** False for `--no-cache`. */
  cache?: boolean;
  cacheLocation?: string;
  types?: TypesMode;
  output?: string;
  /** A path, or false for `--no-config`. */
  config?: string | false;
  /** Undefined when `--rule` is not given. */
  rule?: string[];
  disable?: string[];
  failOn: Severity | 'none';
  includeSuppressed?: boolean;
  color?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

const REPORTERS: Record<ScanCommandOptions['format'], Reporter> = {
  text: formatText,
  json: formatJson,
  sarif: formatSarif,
  gitlab: formatGitlab,
  markdown: formatMarkdown,
  junit: formatJunit,
};

export async function runScanCommand(
  paths: string[],
  options: ScanCommandOptions,
  cwd = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const fixedTime = readSourceDateEpoch(env);
  if (options.staged && options.changedSince !== undefined) {
    throw new UsageError('--staged and --changed-since cannot be used together.', 'Pick one: --staged for a pre-commit hook, --changed-since for a branch.');
  }
  const config = resolveConfig(paths, options, cwd);
  const changes = options.staged ? ({ kind: 'staged' } as const) : options.changedSince !== undefined ? ({ kind: 'since', ref: options.changedSince } as const) : undefined;
  const baselineFile = options.baseline === undefined ? undefined : path.resolve(cwd, options.baseline);
  const progress = createProgress(env, Boolean(options.quiet));
  let result: ScanResult;
  try {
    result = await scan({
      paths,
      cwd,
      config,
      only: options.rule,
      disable: options.disable,
      fixedTime,
      changes,
      jobs: options.jobs ?? defaultJobs(),
      cacheDir: options.cache === false ? undefined : path.resolve(cwd, options.cacheLocation ?? getDefaultCacheDir(findScanRoot(cwd, paths).root)),
      baseline: baselineFile ? { file: path.relative(cwd, baselineFile) || baselineFile, baseline: readBaseline(baselineFile) } : undefined,
      types: options.types ?? 'auto',
      onProgress: progress.update,
    });
  } finally {
    progress.clear();
  }
  if (result.scope && result.scope.files.length === 0 && !options.quiet) {
    const what = result.scope.kind === 'staged' ? 'No staged TypeScript, JavaScript or .env file to scan.' : `No file changed since ${options.changedSince} to scan.`;
    process.stderr.write(`${what}\n`);
  }

  const toFile = options.output !== undefined;
  const ranRuleIds = new Set(result.rules.map((rule) => rule.id));
  const reporterOptions: ReporterOptions = {
    cwd,
    color: options.format === 'text' && !toFile && shouldColor(options.color, process.stdout, env),
    quiet: Boolean(options.quiet),
    verbose: Boolean(options.verbose),
    includeSuppressed: Boolean(options.includeSuppressed),
    configFile: config.file,
    disabledRules: allRules.map((rule) => rule.meta.id).filter((id) => !ranRuleIds.has(id)),
    category: options.category,
  };
  const report = REPORTERS[options.format](result, reporterOptions);
  if (toFile) writeReport(path.resolve(cwd, options.output!), report, options.output!);
  else process.stdout.write(report);

  const shownInReport = options.format === 'text' && !toFile && !options.quiet;
  if (!shownInReport) writeNotices(result, cwd, Boolean(options.quiet));
  return exitCodeFor(result, options.failOn);
}

/**
 * Reads SOURCE_DATE_EPOCH, the reproducible-builds variable: whole seconds
 * since 1970-01-01 UTC. An empty value counts as unset. A malformed value
 * raises a UsageError rather than being ignored, so a typo cannot go unnoticed.
 */
export function readSourceDateEpoch(env: NodeJS.ProcessEnv): Date | undefined {
  const raw = env.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw === '') return undefined;
  const date = /^\d+$/.test(raw) ? new Date(Number(raw) * 1000) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new UsageError(
      `SOURCE_DATE_EPOCH is '${raw}', which is not a whole number of seconds since 1970-01-01 UTC.`,
      'Set it to the output of `date +%s`, or unset it.',
    );
  }
  return date;
}

function writeReport(target: string, report: string, outputOption: string): void {
  try {
    makeFolder(path.dirname(target));
    fs.writeFileSync(target, report);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(`Cannot write the report to '${outputOption}' (${code}).`, 'Pass a writable file path to --output.');
  }
}

/**
 * Prints on standard error the notices that the report on standard output
 * does not show: errors always, warnings unless `quiet`.
 */
function writeNotices(result: ScanResult, cwd: string, quiet: boolean): void {
  for (const notice of result.notifications) {
    if (notice.level === 'note' || (quiet && notice.level === 'warning')) continue;
    const file = notice.file ? path.relative(cwd, path.join(result.root, notice.file)).split(path.sep).join('/') : undefined;
    const where = file ? `${file}${notice.line ? `:${notice.line}:${notice.column ?? 1}` : ''}: ` : '';
    if (notice.level === 'error') writeError(`${where}${notice.message}`);
    else writeWarning(`${where}${notice.message}`);
  }
}

/**
 * Loads the config of a scan: none with `--no-config`, the file `--config` names
 * (its globs relative to the working directory), or the first
 * `.keneyaudit.yml` found from the common folder of the scanned paths up to
 * the git top level.
 */
export function resolveConfig(
  paths: string[],
  options: Pick<ScanCommandOptions, 'config' | 'staged' | 'quiet'>,
  cwd: string,
): ResolvedConfig {
  const ruleIds = allRules.map((rule) => rule.meta.id);
  if (options.config === false) return createDefaultConfig();
  const load = (file: string): ResolvedConfig => (options.staged ? loadStagedConfig(file, ruleIds, options.quiet) : loadConfig(file, ruleIds));
  if (typeof options.config === 'string') {
    const file = path.resolve(cwd, options.config);
    if (!fs.existsSync(file)) {
      throw new UsageError(`Config file '${options.config}' not found.`, 'Pass an existing file to --config, or use --no-config.');
    }
    const config = load(fs.realpathSync(file));
    config.globBase = cwd;
    return config;
  }
  const start = commonFolder(cwd, paths);
  const found = findConfigFile(start, getGitTopLevel(start));
  return found ? load(fs.realpathSync(found)) : createDefaultConfig();
}

/**
 * Loads the config a commit will contain: the staged version of a file git
 * tracks, so an unstaged edit that turns a rule off does not let a finding
 * through the pre-commit hook. An untracked config is read from the work tree,
 * with a note that the commit does not contain it.
 */
function loadStagedConfig(file: string, ruleIds: readonly string[], quiet: boolean | undefined): ResolvedConfig {
  const folder = path.dirname(file);
  const top = getGitTopLevel(folder);
  const relative = top ? path.relative(fs.realpathSync(top), file).split(path.sep).join('/') : undefined;
  const staged = top && relative && listTrackedFiles(top, [`:(literal)${relative}`]).length > 0 ? readGitObject(top, `:${relative}`) : undefined;
  if (staged) return parseConfig(staged.toString('utf8'), file, ruleIds);
  if (!quiet) process.stderr.write(`Note: ${path.basename(file)} is not staged, so this scan uses the work tree's copy, which the commit does not contain.\n`);
  return loadConfig(file, ruleIds);
}

/**
 * Returns the exit code of a scan: 2 when a rule or the analysis of a file failed
 * (a notification of level `error`), else 1 when an unsuppressed finding is
 * at or above `failOn`, else 0.
 */
export function exitCodeFor(outcome: Pick<ScanResult, 'findings' | 'notifications'>, failOn: Severity | 'none'): number {
  if (outcome.notifications.some((notification) => notification.level === 'error')) return 2;
  if (failOn === 'none') return 0;
  const threshold = SEVERITIES.indexOf(failOn);
  const failing = outcome.findings.some(
    (finding) => !finding.suppression && SEVERITIES.indexOf(finding.severity) <= threshold,
  );
  return failing ? 1 : 0;
}
