import fs from 'node:fs';
import path from 'node:path';
import { createBaseline } from '../engine/baseline.js';
import { getDefaultCacheDir } from '../engine/cache.js';
import { findScanRoot, scan } from '../engine/scanner.js';
import { defaultJobs } from '../engine/worker-pool.js';
import { UsageError } from '../errors.js';
import { resolveConfig } from './scan-command.js';
import { makeFolder } from '../files/make-folder.js';

/** Scans and writes every unsuppressed finding to a baseline file; exit code 0 on success. */
export async function runBaselineCreateCommand(
  paths: string[],
  options: { output: string; config?: string | false },
  cwd = process.cwd(),
): Promise<number> {
  const config = resolveConfig(paths, { config: options.config }, cwd);
  const result = await scan({
    paths,
    cwd,
    config,
    jobs: defaultJobs(),
    cacheDir: getDefaultCacheDir(findScanRoot(cwd, paths).root),
    types: 'auto',
  });
  const baseline = createBaseline(result.findings);
  const target = path.resolve(cwd, options.output);
  try {
    makeFolder(path.dirname(target));
    fs.writeFileSync(target, `${JSON.stringify(baseline, null, 2)}\n`);
  } catch (error) {
    throw new UsageError(`Cannot write the baseline to '${options.output}' (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
  }
  const count = baseline.findings.length;
  process.stderr.write(`Recorded ${count} finding${count === 1 ? '' : 's'} in ${path.relative(cwd, target) || target}.\n`);
  return 0;
}
