import { Chalk } from 'chalk';

/**
 * Decides whether to colour text output, in this order: `--no-color`, then
 * NO_COLOR (any non-empty value), then FORCE_COLOR (`0` and `false` turn
 * colour off, any other value on), then whether the stream is a terminal.
 * Chalk on its own does not read NO_COLOR.
 */
export function shouldColor(flag: boolean | undefined, stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return Boolean(stream.isTTY);
}

let stderrColorFlag: boolean | undefined;

/** Applies `--no-color` to errors and warnings on standard error as well. */
export function setStderrColorFlag(flag: boolean | undefined): void {
  stderrColorFlag = flag;
}

function stderrChalk(): InstanceType<typeof Chalk> {
  return new Chalk({ level: shouldColor(stderrColorFlag, process.stderr) ? 1 : 0 });
}

/** Prints an error to standard error with an `ERROR:` prefix and an optional hint line. */
export function writeError(message: string, hint?: string): void {
  process.stderr.write(`${stderrChalk().red.bold('ERROR:')} ${message}\n`);
  if (hint) process.stderr.write(`${hint}\n`);
}

/** Prints a warning to standard error with a `WARNING:` prefix. */
export function writeWarning(message: string): void {
  process.stderr.write(`${stderrChalk().yellow('WARNING:')} ${message}\n`);
}
