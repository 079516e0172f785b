import fs from 'node:fs';
import path from 'node:path';

/**
 * Creates a folder and its missing parents, like `mkdir -p`. Node's own
 * `mkdirSync(folder, { recursive: true })` never returns when the file system
 * reports ENOENT for a folder whose parent exists, as /proc does. This one
 * raises that error instead.
 */
export function makeFolder(folder: string, mode?: number): void {
  const missing: string[] = [];
  let current = path.resolve(folder);
  while (!fs.existsSync(current)) {
    missing.push(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const item of missing.reverse()) {
    try {
      fs.mkdirSync(item, mode === undefined ? {} : { mode });
    } catch (error) {
      // Another process may create the same folder at the same time.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
