import fs from 'node:fs';
import path from 'node:path';
import type { Node as YamlNode, Pair, YAMLMap } from 'yaml';
import { loadYaml } from './yaml.js';
import { ConfigError } from '../errors.js';
import { SEVERITIES, type Severity } from '../types.js';
import { createDefaultConfig, SANITIZER_KINDS, type DeclaredExport, type ResolvedConfig } from './schema.js';
import type { SanitizerKind } from '../analysis/sanitizers.js';

export const CONFIG_FILE_NAMES = ['.keneyaudit.yml', '.keneyaudit.yaml'];

/** Every top-level key a config file may contain, in the order docs/configuration.md describes them. */
export const CONFIG_KEYS = [
  'rules',
  'include',
  'exclude',
  'maxFileSize',
  'sensitiveFields',
  'authRoutes',
  'minSecretLength',
  'maxTokenLifetime',
  'wrappers',
  'testSecrets',
] as const;
const WRAPPER_KEYS = ['rateLimiters', 'redactors', 'sanitizers', 'sqlHelpers'] as const;
const RULE_SETTING_KEYS = ['enabled', 'severity'];
const RULE_SHORTHANDS = ['on', 'off', ...SEVERITIES];

/**
 * Finds the config file for a scan: the first `.keneyaudit.yml` in the folder
 * that holds every scanned path or one of its parents, stopping at the git top
 * level (or the file system root outside git).
 */
export function findConfigFile(startFolder: string, stopFolder: string | undefined): string | undefined {
  let folder = path.resolve(startFolder);
  const stop = stopFolder ? path.resolve(stopFolder) : undefined;
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = path.join(folder, name);
      if (fs.existsSync(candidate)) return candidate;
    }
    if (folder === stop) return undefined;
    const parent = path.dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
}

/** The deepest folder that contains every path. */
export function commonFolder(cwd: string, paths: string[]): string {
  const folders = (paths.length > 0 ? paths : ['.']).map((given) => {
    const absolute = path.resolve(cwd, given);
    try {
      return fs.statSync(absolute).isDirectory() ? absolute : path.dirname(absolute);
    } catch {
      return path.dirname(absolute);
    }
  });
  let common = folders[0]!;
  for (const folder of folders.slice(1)) {
    while (common !== path.dirname(common) && !(folder === common || folder.startsWith(common + path.sep))) {
      common = path.dirname(common);
    }
  }
  return common;
}

/**
 * Reads and validates a config file. Invalid YAML, an unknown key or a value of
 * the wrong type raises a ConfigError that names the file, the line and the
 * valid choices.
 */
export function loadConfig(file: string, knownRuleIds: readonly string[]): ResolvedConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`, file);
  }
  return parseConfig(text, file, knownRuleIds);
}

export function parseConfig(text: string, file: string, knownRuleIds: readonly string[]): ResolvedConfig {
  const { LineCounter, isMap, isScalar, parseDocument } = loadYaml();
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOf = (node: { range?: [number, number, number] | null } | null | undefined): number | undefined =>
    node?.range ? lineCounter.linePos(node.range[0]).line : undefined;

  const firstError = document.errors[0];
  if (firstError) {
    const line = lineCounter.linePos(firstError.pos[0]).line;
    throw new ConfigError(`invalid YAML: ${firstError.message.split('\n')[0]}`, file, line);
  }

  const config = createDefaultConfig();
  config.file = file;
  config.globBase = path.dirname(path.resolve(file));
  const contents = document.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) return config;
  if (!isMap(contents)) {
    throw new ConfigError(`the top level must be a mapping of keys such as ${CONFIG_KEYS.join(', ')}`, file, lineOf(contents));
  }

  const fail = (node: YamlNode | Pair | null | undefined, message: string): never => {
    const target = node && 'key' in node ? (node.key as YamlNode) : (node as YamlNode | undefined);
    throw new ConfigError(message, file, lineOf(target));
  };

  for (const pair of (contents as YAMLMap).items) {
    const key = scalarKey(pair);
    const value = pair.value as YamlNode | null;
    switch (key) {
      case 'rules':
        config.rules = readRules(value, knownRuleIds, fail);
        break;
      case 'include':
      case 'exclude':
      case 'sensitiveFields':
        config[key] = readStringList(value, key, fail);
        break;
      case 'authRoutes':
        config.authRoutes = readRegexList(value, key, 'i', fail);
        break;
      case 'maxFileSize':
        config.maxFileSize = readSize(value, fail);
        break;
      case 'minSecretLength':
        config.minSecretLength = readPositiveInteger(value, key, fail);
        break;
      case 'maxTokenLifetime':
        config.maxTokenLifetime = readDuration(value, fail);
        break;
      case 'wrappers':
        config.wrappers = readWrappers(value, file, fail);
        break;
      case 'testSecrets':
        config.testSecrets = readTestSecrets(value, fail);
        break;
      default:
        fail(pair, `unknown key '${key}'. Valid keys: ${CONFIG_KEYS.join(', ')}`);
    }
  }
  return config;
}

type Fail = (node: YamlNode | Pair | null | undefined, message: string) => never;

function scalarKey(pair: Pair): string {
  const { isScalar } = loadYaml();
  const key = pair.key;
  return isScalar(key) ? String(key.value) : String(key);
}

function readRules(node: YamlNode | null, knownRuleIds: readonly string[], fail: Fail): ResolvedConfig['rules'] {
  const { isMap, isScalar } = loadYaml();
  if (node === null || (isScalar(node) && node.value === null)) return {};
  if (!isMap(node)) return fail(node, `'rules' must map rule ids to on, off, a severity or { enabled, severity }`);
  const rules: ResolvedConfig['rules'] = {};
  for (const pair of node.items) {
    const id = scalarKey(pair);
    if (!knownRuleIds.includes(id)) {
      fail(pair, `unknown rule id '${id}' under 'rules'; there are ${knownRuleIds.length} rule ids`);
    }
    const value = pair.value as YamlNode | null;
    if (isScalar(value)) {
      const raw = value.value;
      if (raw === true || raw === 'on') rules[id] = { enabled: true };
      else if (raw === false || raw === 'off') rules[id] = { enabled: false };
      else if (typeof raw === 'string' && (SEVERITIES as readonly string[]).includes(raw)) rules[id] = { enabled: true, severity: raw as Severity };
      else fail(value, `rule '${id}' is set to '${String(raw)}'. Valid values: ${RULE_SHORTHANDS.join(', ')}, or { enabled, severity }`);
      continue;
    }
    if (!isMap(value)) {
      fail(value ?? pair, `rule '${id}' must be one of ${RULE_SHORTHANDS.join(', ')}, or { enabled, severity }`);
      continue;
    }
    const setting: { enabled: boolean; severity?: Severity } = { enabled: true };
    for (const item of value.items) {
      const key = scalarKey(item);
      const itemValue = item.value as YamlNode | null;
      const raw = isScalar(itemValue) ? itemValue.value : undefined;
      if (key === 'enabled') {
        if (typeof raw !== 'boolean') fail(itemValue ?? item, `'enabled' of rule '${id}' must be true or false`);
        setting.enabled = raw as boolean;
      } else if (key === 'severity') {
        if (typeof raw !== 'string' || !(SEVERITIES as readonly string[]).includes(raw)) {
          fail(itemValue ?? item, `'severity' of rule '${id}' must be one of ${SEVERITIES.join(', ')}`);
        }
        setting.severity = raw as Severity;
      } else {
        fail(item, `unknown key '${key}' in rule '${id}'. Valid keys: ${RULE_SETTING_KEYS.join(', ')}`);
      }
    }
    rules[id] = setting;
  }
  return rules;
}

function readStringList(node: YamlNode | null, key: string, fail: Fail): string[] {
  const { isScalar, isSeq } = loadYaml();
  if (node === null || (isScalar(node) && node.value === null)) return [];
  if (!isSeq(node)) return fail(node, `'${key}' must be a list of strings`);
  return node.items.map((item) => {
    if (!isScalar(item) || typeof item.value !== 'string' || item.value === '') {
      return fail(item as YamlNode, `every entry of '${key}' must be a non-empty string`);
    }
    return item.value;
  });
}

/** Reads a list of regular expressions and reports an invalid one at its own line. */
function readRegexList(node: YamlNode | null, key: string, flags: string, fail: Fail): string[] {
  const { isSeq } = loadYaml();
  const patterns = readStringList(node, key, fail);
  patterns.forEach((pattern, index) => {
    try {
      new RegExp(pattern, flags);
    } catch (error) {
      const item = isSeq(node) ? (node.items[index] as YamlNode) : node;
      fail(item, `'${key}' entry '${pattern}' is not a valid regular expression (${(error as Error).message})`);
    }
  });
  return patterns;
}

function readPositiveInteger(node: YamlNode | null, key: string, fail: Fail): number {
  const { isScalar } = loadYaml();
  const raw = isScalar(node) ? node.value : undefined;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw <= 0) {
    return fail(node, `'${key}' must be a positive whole number, got '${String(raw)}'`);
  }
  return raw;
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, kib: 1024, mb: 1024 ** 2, mib: 1024 ** 2 };

/** Larger files cannot be read as one string by every Node version, and no source file of a real code base comes near. */
const MAX_FILE_SIZE_LIMIT = 256 * 1024 ** 2;

function readSize(node: YamlNode | null, fail: Fail): number {
  const { isScalar } = loadYaml();
  const raw = isScalar(node) ? node.value : undefined;
  const match = typeof raw === 'string' ? /^(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib)$/i.exec(raw.trim()) : null;
  let size: number | undefined;
  if (typeof raw === 'number' && Number.isInteger(raw)) size = raw;
  else if (match) size = Math.round(Number(match[1]) * SIZE_UNITS[match[2]!.toLowerCase()]!);
  if (size === undefined || size <= 0) {
    return fail(node, `'maxFileSize' must be a number of bytes or a size such as 512KB or 2MB, got '${String(raw)}'`);
  }
  if (size > MAX_FILE_SIZE_LIMIT) return fail(node, `'maxFileSize' can be at most 256MB, got '${String(raw)}'`);
  return size;
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

function readDuration(node: YamlNode | null, fail: Fail): number {
  const { isScalar } = loadYaml();
  const raw = isScalar(node) ? node.value : undefined;
  const match = typeof raw === 'string' ? /^(\d+)\s*(s|m|h|d)$/i.exec(raw.trim()) : null;
  let seconds: number | undefined;
  if (typeof raw === 'number') seconds = raw;
  else if (match) seconds = Number(match[1]) * DURATION_UNITS[match[2]!.toLowerCase()]!;
  if (seconds === undefined || seconds <= 0 || !Number.isSafeInteger(seconds)) {
    return fail(node, `'maxTokenLifetime' must be a whole number of seconds above 0 or a duration such as 15m, 12h or 1d, got '${String(raw)}'`);
  }
  return seconds;
}

function readWrappers(node: YamlNode | null, file: string, fail: Fail): ResolvedConfig['wrappers'] {
  const { isMap, isScalar, isSeq } = loadYaml();
  const wrappers: ResolvedConfig['wrappers'] = { rateLimiters: [], redactors: [], sanitizers: [], sqlHelpers: [] };
  if (node === null || (isScalar(node) && node.value === null)) return wrappers;
  if (!isMap(node)) return fail(node, `'wrappers' must be a mapping with keys ${WRAPPER_KEYS.join(', ')}`);
  for (const pair of node.items) {
    const key = scalarKey(pair) as (typeof WRAPPER_KEYS)[number];
    if (!WRAPPER_KEYS.includes(key)) fail(pair, `unknown key '${key}' under 'wrappers'. Valid keys: ${WRAPPER_KEYS.join(', ')}`);
    const list = pair.value as YamlNode | null;
    if (!isSeq(list)) fail(list ?? pair, `'wrappers.${key}' must be a list of { module, export }`);
    for (const item of (list as { items: unknown[] }).items) {
      const entry = readDeclaredExport(item as YamlNode, `wrappers.${key}`, key === 'sanitizers', fail);
      const declared = { ...entry, module: normalizeModule(entry.module, file) };
      if (key === 'sanitizers') wrappers.sanitizers.push(declared as DeclaredExport & { kind: SanitizerKind });
      else wrappers[key].push(declared);
    }
  }
  return wrappers;
}

function readDeclaredExport(node: YamlNode, where: string, needsKind: boolean, fail: Fail): DeclaredExport & { kind?: SanitizerKind } {
  const { isMap, isScalar } = loadYaml();
  if (!isMap(node)) return fail(node, `every entry of '${where}' must be { module, export${needsKind ? ', kind' : ''} }`);
  const entry: Partial<DeclaredExport & { kind: SanitizerKind }> = {};
  const allowed = needsKind ? ['module', 'export', 'kind'] : ['module', 'export'];
  for (const pair of node.items) {
    const key = scalarKey(pair);
    const value = pair.value as YamlNode | null;
    const raw = isScalar(value) ? value.value : undefined;
    if (!allowed.includes(key)) fail(pair, `unknown key '${key}' in '${where}'. Valid keys: ${allowed.join(', ')}`);
    if (typeof raw !== 'string' || raw === '') fail(value ?? pair, `'${key}' in '${where}' must be a non-empty string`);
    if (key === 'kind' && !(SANITIZER_KINDS as readonly string[]).includes(raw as string)) {
      fail(value, `'kind' in '${where}' must be one of ${SANITIZER_KINDS.join(', ')}`);
    }
    (entry as Record<string, string>)[key] = raw as string;
  }
  if (!entry.module) fail(node, `an entry of '${where}' has no 'module'`);
  if (!entry.export) fail(node, `an entry of '${where}' has no 'export'; use 'default' for a default export`);
  if (needsKind && !entry.kind) fail(node, `an entry of '${where}' has no 'kind'. Valid kinds: ${SANITIZER_KINDS.join(', ')}`);
  return entry as DeclaredExport & { kind?: SanitizerKind };
}

/** Keeps package names as they are and makes `./src/x` relative to the folder of the config file. */
function normalizeModule(module: string, file: string): string {
  if (!module.startsWith('.')) return module;
  return path.resolve(path.dirname(file), module);
}

function readTestSecrets(node: YamlNode | null, fail: Fail): ResolvedConfig['testSecrets'] {
  const { isMap, isScalar } = loadYaml();
  const result = { paths: [] as string[], patterns: [] as string[] };
  if (node === null || (isScalar(node) && node.value === null)) return result;
  if (!isMap(node)) return fail(node, `'testSecrets' must be a mapping with keys paths, patterns`);
  for (const pair of node.items) {
    const key = scalarKey(pair);
    if (key !== 'paths' && key !== 'patterns') fail(pair, `unknown key '${key}' under 'testSecrets'. Valid keys: paths, patterns`);
    const list = pair.value as YamlNode | null;
    if (key === 'patterns') result.patterns = readRegexList(list, 'testSecrets.patterns', '', fail);
    else result.paths = readStringList(list, 'testSecrets.paths', fail);
  }
  return result;
}
