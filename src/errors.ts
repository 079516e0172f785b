/** An error in how the tool was called: a wrong option, a path with no files. Exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';

  constructor(
    message: string,
    /** The next step for the user, printed on its own line after the message. */
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** An invalid configuration file. Exit code 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
  ) {
    super(message);
  }
}
