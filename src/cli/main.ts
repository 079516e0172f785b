import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { ConfigError, UsageError } from '../errors.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { runScanCommand, type ScanCommandOptions } from './scan-command.js';
import { runRulesCommand } from './rules-command.js';
import { runBaselineCreateCommand } from './baseline-command.js';
import { runInitCommand } from './init-command.js';
import { DEFAULT_BASELINE_FILE } from '../engine/baseline.js';
import { SEVERITIES } from '../types.js';
import { setStderrColorFlag, writeError } from './output.js';

/** Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage, config or internal errors. */
export const EXIT_CLEAN = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

const SCAN_HELP_FOOTER = `
Exit codes:
  0  no unsuppressed finding at or above --fail-on
  1  at least one such finding
  2  invalid usage or config, a path that matches no file, or a rule that failed

Environment:
  NO_COLOR           turn colour off (when not empty)
  FORCE_COLOR        turn colour on even when output is not a terminal (0 or false: off)
  SOURCE_DATE_EPOCH  report this time, in seconds since 1970, as the scan's start
                     and end, so that repeated scans give identical SARIF, GitLab
                     and Markdown reports (text, JSON and JUnit still show the
                     measured duration)

Cache:
  Results of unchanged files are kept in node_modules/.cache/keney-audit under
  the scan root (or ~/.cache/keney-audit when it has no node_modules), keyed by
  file content, tool build, rules and config. Each entry is encrypted with a key
  derived from a random key of the user (~/.cache/keney-audit/user.key) and its
  file's content, so the cache shows no code or secret to anyone else.

Examples:
  $ keney-audit scan
  $ keney-audit scan src --format sarif --output keney-audit.sarif --category backend
  $ keney-audit scan --staged
  $ keney-audit scan --changed-since origin/main --fail-on medium
  $ keney-audit scan --baseline .keneyaudit-baseline.json
  $ keney-audit scan --rule sql-injection --rule unparameterized-sql src/db`;

const RULES_HELP_FOOTER = `
Examples:
  $ keney-audit rules
  $ keney-audit rules --format json`;

const PROGRAM_HELP_FOOTER = `
Run \`keney-audit <command> --help\` for the options of a command.

Examples:
  $ keney-audit scan
  $ keney-audit scan src --format json --output report.json
  $ keney-audit rules`;

function parseJobs(value: string): number {
  const jobs = Number(value);
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--jobs must be a whole number of 1 or more, got '${value}'.`);
  return jobs;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((item) => item.trim()).filter(Boolean)];
}

/** Prints commander's own errors, such as an unknown option, in the `ERROR:` format of every other error. */
function writeCommanderError(text: string): void {
  const message = text.replace(/^error: /, '').trimEnd();
  writeError(message.charAt(0).toUpperCase() + message.slice(1));
}

function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command();
  program
    .name(TOOL_NAME)
    .description('Finds security faults that health-data back ends must not have, in TypeScript and JavaScript code.')
    .version(TOOL_VERSION, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'print help')
    .helpCommand('help [command]', 'print help for a command')
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('Run `keney-audit --help` for usage.')
    .exitOverride()
    .configureOutput({
      writeErr: (text) => process.stderr.write(text),
      outputError: (text) => writeCommanderError(text),
    })
    .addHelpText('after', PROGRAM_HELP_FOOTER);

  const scan = program
    .command('scan')
    .description('scan files and folders for security faults')
    .argument('[paths...]', 'files and folders to scan (default: the working directory)')
    .showHelpAfterError('Run `keney-audit scan --help` for usage.');
  scan
    .optionsGroup('Output:')
    .addOption(
      new Option('-f, --format <format>', 'report format')
        .choices(['text', 'json', 'sarif', 'gitlab', 'markdown', 'junit'])
        .default('text'),
    )
    .option('-o, --output <file>', 'write the report to this file instead of standard output')
    .option('--category <name>', 'SARIF category (automationDetails.id), so several scans of one repository upload side by side')
    .option('--no-color', 'print text without colour (NO_COLOR and FORCE_COLOR are read too)')
    .option('-q, --quiet', 'print findings only: no notices, no summary')
    .option('--verbose', 'also print the config file in use, the rules that did not run and skipped files')
    .option('--include-suppressed', 'also write suppressed findings to SARIF, each with its justification')
    .optionsGroup('Scope:')
    .option('--staged', 'report on staged files only, as the index holds them (for pre-commit hooks)')
    .option('--changed-since <ref>', 'report on files changed since this git ref, such as origin/main')
    .option('--baseline <file>', `hide findings recorded in this baseline (see \`keney-audit baseline create\`)`)
    .optionsGroup('Configuration:')
    .option('-c, --config <file>', 'use this config file instead of searching for .keneyaudit.yml')
    .option('--no-config', 'ignore every config file (for CI runs that a pull request must not weaken)')
    .optionsGroup('Rules:')
    .option('-r, --rule <id>', 'run only this rule; repeat the option or separate ids with commas', collect)
    .option('-d, --disable <id>', 'do not run this rule; repeat the option or separate ids with commas', collect)
    .optionsGroup('Performance:')
    .option('-j, --jobs <count>', 'threads for parsing and per-file rules (default and most: the number of cores)', parseJobs)
    .option('--no-cache', 'neither read nor write the result cache')
    .option('--cache-location <folder>', 'keep the result cache in this folder')
    .addOption(
      new Option('--types <mode>', 'ask the TypeScript type checker about receivers: auto asks when a tsconfig.json exists and a finding needs it')
        .choices(['off', 'auto', 'on'])
        .default('auto'),
    )
    .optionsGroup('Exit code:')
    .addOption(
      new Option('--fail-on <severity>', 'exit with 1 when an unsuppressed finding is at or above this severity')
        .choices([...SEVERITIES, 'none'])
        .default('high'),
    )
    .addHelpText('after', SCAN_HELP_FOOTER)
    .action(async (paths: string[], options: ScanCommandOptions) => {
      setExitCode(await runScanCommand(paths, options));
    });

  const baseline = program.command('baseline').description('record known findings, so later scans report only new ones');
  baseline
    .command('create')
    .description('scan and record every current finding in a baseline file')
    .argument('[paths...]', 'files and folders to scan (default: the working directory)')
    .option('-o, --output <file>', 'where to write the baseline', DEFAULT_BASELINE_FILE)
    .option('-c, --config <file>', 'use this config file instead of searching for .keneyaudit.yml')
    .option('--no-config', 'ignore every config file')
    .addHelpText(
      'after',
      `
Examples:
  $ keney-audit baseline create
  $ keney-audit baseline create src --output security/baseline.json
  $ keney-audit scan --baseline .keneyaudit-baseline.json`,
    )
    .action(async (paths: string[], options: { output: string; config?: string | false }) => {
      setExitCode(await runBaselineCreateCommand(paths, options));
    });

  program
    .command('init')
    .description('write a commented .keneyaudit.yml with every option and its default')
    .option('-o, --output <file>', 'where to write the config file', '.keneyaudit.yml')
    .option('--force', 'overwrite an existing file')
    .addHelpText(
      'after',
      `
Examples:
  $ keney-audit init
  $ keney-audit init --output services/api/.keneyaudit.yml`,
    )
    .action((options: { output: string; force?: boolean }) => {
      setExitCode(runInitCommand(options));
    });

  program
    .command('rules')
    .description('list every rule with its severity, CWE ids, summary and docs page')
    .showHelpAfterError('Run `keney-audit rules --help` for usage.')
    .optionsGroup('Output:')
    .addOption(new Option('-f, --format <format>', 'list format').choices(['text', 'json']).default('text'))
    .addHelpText('after', RULES_HELP_FOOTER)
    .action((options: { format: 'text' | 'json' }) => {
      setExitCode(runRulesCommand(options));
    });

  return program;
}

/** Runs the command line and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let exitCode = EXIT_CLEAN;
  // `keney-audit rules | head` closes the pipe early: stop writing, as other command-line tools do, instead of crashing.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? exitCode);
  });
  if (argv.includes('--no-color')) setStderrColorFlag(false);
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    if (argv.length <= 2) {
      // No command at all: print the help where errors go and fail as a usage error.
      program.outputHelp({ error: true });
      return EXIT_ERROR;
    }
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    return reportError(error);
  }
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    const informational = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code);
    return informational && error.exitCode === 0 ? EXIT_CLEAN : EXIT_ERROR;
  }
  if (error instanceof ConfigError) {
    const file = path.relative(process.cwd(), error.file) || error.file;
    const where = error.line !== undefined ? `${file} at line ${error.line}` : file;
    writeError(
      `Invalid config in ${where}: ${error.message}.`,
      'Run `keney-audit rules` for rule ids, or see docs/configuration.md for every key.',
    );
    return EXIT_ERROR;
  }
  if (error instanceof UsageError) {
    writeError(error.message, error.hint);
    return EXIT_ERROR;
  }
  writeError(`Internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return EXIT_ERROR;
}
