import fs from 'node:fs';
import path from 'node:path';
import { commonFolder, findConfigFile, loadConfig } from '../config/load.js';
import { createDefaultConfig, type ResolvedConfig } from '../config/schema.js';
import { scan } from '../engine/scanner.js';
import { getGitTopLevel } from '../files/git.js';
import { allRules } from '../rules/index.js';
import { formatJson } from '../reporters/json.js';
import { formatSarif } from '../reporters/sarif.js';
import { formatText } from '../reporters/text.js';
import type { Reporter, ReporterOptions } from '../reporters/types.js';
import { SEVERITIES, type ScanResult, type Severity } from '../types.js';
import { shouldColor } from './output.js';
import { UsageError } from '../errors.js';

export interface ScanCommandOptions {
  format: 'text' | 'json' | 'sarif';
  output?: string;
  /** A path, or false for `--no-config`. */
  config?: string | false;
  rule: string[];
  disable: string[];
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
};

export async function runScanCommand(paths: string[], options: ScanCommandOptions, cwd = process.cwd()): Promise<number> {
  const config = resolveConfig(paths, options, cwd);
  const result = await scan({ paths, cwd, config, only: options.rule, disable: options.disable });

  const toFile = options.output !== undefined;
  const reporterOptions: ReporterOptions = {
    cwd,
    color: options.format === 'text' && !toFile && shouldColor(options.color, process.stdout),
    quiet: Boolean(options.quiet),
    verbose: Boolean(options.verbose),
    includeSuppressed: Boolean(options.includeSuppressed),
    configFile: config.file ? path.relative(cwd, config.file) || config.file : undefined,
    disabledRules: disabledRules(config, options),
  };
  const report = REPORTERS[options.format](result, reporterOptions);
  if (toFile) {
    const target = path.resolve(cwd, options.output!);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, report);
  } else {
    process.stdout.write(report);
  }
  return exitCodeFor(result, options.failOn);
}

function resolveConfig(paths: string[], options: ScanCommandOptions, cwd: string): ResolvedConfig {
  const ruleIds = allRules.map((rule) => rule.meta.id);
  if (options.config === false) return createDefaultConfig();
  if (typeof options.config === 'string') {
    const file = path.resolve(cwd, options.config);
    if (!fs.existsSync(file)) throw new UsageError(`Config file '${options.config}' not found.`);
    return loadConfig(file, ruleIds);
  }
  const start = commonFolder(cwd, paths);
  const found = findConfigFile(start, getGitTopLevel(start));
  return found ? loadConfig(found, ruleIds) : createDefaultConfig();
}

function disabledRules(config: ResolvedConfig, options: ScanCommandOptions): string[] {
  const disabled = new Set(options.disable);
  for (const [id, setting] of Object.entries(config.rules)) if (!setting.enabled) disabled.add(id);
  return [...disabled].sort();
}

/** 2 when a rule failed, 1 when an unsuppressed finding is at or above the threshold, else 0. */
export function exitCodeFor(result: ScanResult, failOn: Severity | 'none'): number {
  if (result.notifications.some((notification) => notification.kind === 'rule-failed')) return 2;
  if (failOn === 'none') return 0;
  const threshold = SEVERITIES.indexOf(failOn);
  const failing = result.findings.some(
    (finding) => !finding.suppression && SEVERITIES.indexOf(finding.severity) <= threshold,
  );
  return failing ? 1 : 0;
}
