import path from 'node:path';

/**
 * True when a path from `path.relative()` leads out of its base folder: `..`,
 * `../x` or another drive. A name that only starts with two dots, such as
 * `..config.ts`, stays inside.
 */
export function isOutside(relative: string): boolean {
  return relative === '..' || relative.startsWith(`..${path.sep}`) || relative.startsWith('../') || path.isAbsolute(relative);
}
