/** How long a scan runs before the progress line appears. */
const DELAY_MS = 1000;
const INTERVAL_MS = 100;

export interface Progress {
  update: (done: number, total: number) => void;
  /** Removes the line, so the report starts on a clean line. */
  clear: () => void;
}

/**
 * A progress line on standard error for scans that run past a second: files
 * done of the total and the time taken so far, redrawn in place and cleared
 * at the end. None when standard error is not a terminal, in CI, or with
 * `--quiet`.
 */
export function createProgress(env: NodeJS.ProcessEnv, quiet: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  const enabled = !quiet && Boolean(stream.isTTY) && !env.CI;
  const started = Date.now();
  let shown = false;
  let lastDrawn = 0;
  if (!enabled) return { update: () => undefined, clear: () => undefined };
  return {
    update: (done, total) => {
      const now = Date.now();
      if (now - started < DELAY_MS || (now - lastDrawn < INTERVAL_MS && done < total)) return;
      lastDrawn = now;
      shown = true;
      const seconds = ((now - started) / 1000).toFixed(1);
      stream.write(`\r\x1b[2KScanning: ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} files, ${seconds} s`);
    },
    clear: () => {
      if (shown) stream.write('\r\x1b[2K');
    },
  };
}
