import { Chalk } from 'chalk';

/**
 * Decides whether to colour text output, in this order: `--no-color`, then
 * NO_COLOR, then FORCE_COLOR, then whether the stream is a terminal. Chalk on
 * its own does not read NO_COLOR.
 */
export function shouldColor(flag: boolean | undefined, stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return Boolean(stream.isTTY);
}

/** Prints an error to standard error with an `ERROR:` prefix and an optional hint line. */
export function writeError(message: string, hint?: string): void {
  const chalk = new Chalk({ level: shouldColor(undefined, process.stderr) ? 1 : 0 });
  process.stderr.write(`${chalk.red.bold('ERROR:')} ${message}\n`);
  if (hint) process.stderr.write(`${hint}\n`);
}

export function writeWarning(message: string): void {
  const chalk = new Chalk({ level: shouldColor(undefined, process.stderr) ? 1 : 0 });
  process.stderr.write(`${chalk.yellow('WARNING:')} ${message}\n`);
}
