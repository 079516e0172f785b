import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

let yaml: typeof Yaml | undefined;

/** Returns the yaml package, loaded when the first YAML file is read: most scans read none, and loading it costs about 40 ms. */
export function loadYaml(): typeof Yaml {
  return (yaml ??= createRequire(import.meta.url)('yaml') as typeof Yaml);
}
