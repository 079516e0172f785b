import os from 'node:os';
import path from 'node:path';

/**
 * Returns the user's cache folder: `$XDG_CACHE_HOME`, else `~/.cache`. A
 * relative `XDG_CACHE_HOME` is ignored, as the XDG specification requires, so that
 * no key or cache lands in the folder a scan runs in.
 */
export function getUserCacheHome(): string {
  const configured = process.env.XDG_CACHE_HOME;
  return configured && path.isAbsolute(configured) ? configured : path.join(os.homedir(), '.cache');
}
