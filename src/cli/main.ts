import { Command, CommanderError, Option } from 'commander';
import { ConfigError, UsageError } from '../errors.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { runScanCommand, type ScanCommandOptions } from './scan-command.js';
import { runRulesCommand } from './rules-command.js';
import { SEVERITIES } from '../types.js';
import { writeError } from './output.js';

/** Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage, config or internal errors. */
export const EXIT_CLEAN = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((item) => item.trim()).filter(Boolean)];
}

function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command();
  program
    .name(TOOL_NAME)
    .description('Finds security faults that health-data back ends must not have, in TypeScript and JavaScript code.')
    .version(TOOL_VERSION, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'print help')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  program
    .command('scan')
    .description('scan files and folders for security faults')
    .argument('[paths...]', 'files and folders to scan', [])
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .option('-c, --config <file>', 'use this config file instead of searching for .keneyaudit.yml')
    .option('--no-config', 'ignore every config file (for CI runs a pull request must not weaken)')
    .option('-r, --rule <id>', 'run only this rule; repeat or separate with commas', collect, [])
    .option('-d, --disable <id>', 'do not run this rule; repeat or separate with commas', collect, [])
    .addOption(
      new Option('--fail-on <severity>', 'exit with 1 when a finding is at or above this severity')
        .choices([...SEVERITIES, 'none'])
        .default('high'),
    )
    .option('--include-suppressed', 'write suppressed findings to SARIF, marked as suppressed')
    .option('--no-color', 'print text without colour (NO_COLOR and FORCE_COLOR are honoured too)')
    .option('-q, --quiet', 'print findings only')
    .option('--verbose', 'also print the config file, disabled rules and skipped files')
    .addHelpText(
      'after',
      `
Exit codes:
  0  no unsuppressed finding at or above --fail-on
  1  at least one such finding
  2  invalid usage or config, paths that match no file, or a rule that failed

Examples:
  $ keney-audit scan
  $ keney-audit scan src --format sarif --output keney-audit.sarif
  $ keney-audit scan --rule sql-injection --rule hardcoded-secret src/db`,
    )
    .action(async (paths: string[], options: ScanCommandOptions) => {
      setExitCode(await runScanCommand(paths, options));
    });

  program
    .command('rules')
    .description('list every rule with its severity, CWE ids and docs page')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((options: { format: 'text' | 'json' }) => {
      setExitCode(runRulesCommand(options));
    });

  return program;
}

/** Runs the command line and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let exitCode = EXIT_CLEAN;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
        return EXIT_CLEAN;
      }
      return EXIT_ERROR;
    }
    if (error instanceof ConfigError) {
      const where = error.line !== undefined ? `${error.file} at line ${error.line}` : error.file;
      writeError(`Invalid config in ${where}: ${error.message}.`, 'Run `keney-audit rules` for rule ids, or see docs/configuration.md for every key.');
      return EXIT_ERROR;
    }
    if (error instanceof UsageError) {
      writeError(error.message);
      return EXIT_ERROR;
    }
    writeError(`Internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return EXIT_ERROR;
  }
}
