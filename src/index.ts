export { scan, type ScanOptions } from './engine/scanner.js';
export { allRules } from './rules/index.js';
export { loadConfig, parseConfig, findConfigFile } from './config/load.js';
export { createDefaultConfig, type ResolvedConfig } from './config/schema.js';
export { formatText } from './reporters/text.js';
export { formatJson } from './reporters/json.js';
export { formatSarif } from './reporters/sarif.js';
export type * from './types.js';
