import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import type { Value } from '../analysis/values.js';
import { classifyName } from '../analysis/sensitive.js';
import type { ExportSummary, FileResult } from './facts.js';

/** Bump when the shape of FileResult or the meaning of a cached field changes. */
const CACHE_FORMAT = 1;
const MAX_PACKS = 4;

interface Entry {
  hash: string;
  result: FileResult;
}

/**
 * The default cache folder: `node_modules/.cache/keney-audit` under the scan
 * root when it has node_modules, else `$XDG_CACHE_HOME/keney-audit` (or
 * `~/.cache/keney-audit`) in a subfolder named after the root, so the cache
 * never lands among the user's sources.
 */
export function getDefaultCacheDir(root: string): string {
  if (fs.existsSync(path.join(root, 'node_modules'))) return path.join(root, 'node_modules', '.cache', 'keney-audit');
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const id = createHash('sha256').update(root).digest('hex').slice(0, 16);
  return path.join(base, 'keney-audit', id);
}

export function hashContent(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/**
 * Per-file results keyed by file path and content hash. One pack file holds
 * every entry for one analysis key (tool version, rules and settings), so a
 * change of rules or config starts from an empty pack. Secret-looking string
 * constants in module summaries are masked before they are stored.
 */
export class ResultCache {
  private readonly entries: Map<string, Entry>;
  private readonly used = new Set<string>();
  private changed = false;

  private constructor(
    private readonly file: string,
    entries: Map<string, Entry>,
  ) {
    this.entries = entries;
  }

  static open(dir: string, analysisKey: string): ResultCache {
    const file = path.join(dir, `${createHash('sha256').update(`${CACHE_FORMAT}\0${analysisKey}`).digest('hex').slice(0, 24)}.bin`);
    let entries = new Map<string, Entry>();
    try {
      const loaded = v8.deserialize(fs.readFileSync(file)) as unknown;
      if (loaded instanceof Map) entries = loaded as Map<string, Entry>;
    } catch {
      // A missing or unreadable pack is an empty cache.
    }
    return new ResultCache(file, entries);
  }

  get(file: string, hash: string): FileResult | undefined {
    const entry = this.entries.get(file);
    if (!entry || entry.hash !== hash) return undefined;
    this.used.add(file);
    return entry.result;
  }

  set(file: string, hash: string, result: FileResult): void {
    this.entries.set(file, { hash, result: maskSecrets(result) });
    this.used.add(file);
    this.changed = true;
  }

  /**
   * Writes the pack when anything changed. `complete` says the scan covered
   * the whole tree, so entries of files it did not see can go.
   */
  save(complete: boolean): void {
    if (complete) {
      for (const file of this.entries.keys()) {
        if (!this.used.has(file)) {
          this.entries.delete(file);
          this.changed = true;
        }
      }
    }
    if (!this.changed) return;
    const dir = path.dirname(this.file);
    fs.mkdirSync(dir, { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, v8.serialize(this.entries));
    fs.renameSync(temporary, this.file);
    pruneOldPacks(dir, this.file);
  }
}

/** Keeps the newest packs only, so changing settings back and forth does not fill the disk. */
function pruneOldPacks(dir: string, current: string): void {
  const packs = fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.bin'))
    .map((name) => path.join(dir, name))
    .filter((file) => file !== current)
    .map((file) => ({ file, time: fs.statSync(file).mtimeMs }))
    .sort((a, b) => b.time - a.time);
  for (const pack of packs.slice(MAX_PACKS - 1)) fs.rmSync(pack.file, { force: true });
}

/** Known credential shapes, and long strings without spaces whose characters look random. */
function looksSecret(text: string): boolean {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) return true;
  if (text.length < 16 || /\s/.test(text)) return false;
  if (/^[a-z]+:\/\/[^/\s:@]+:[^/\s@]+@/i.test(text)) return true;
  return shannonEntropy(text) >= 3.5 && /[0-9]/.test(text) && /[a-zA-Z]/.test(text);
}

function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const character of text) counts.set(character, (counts.get(character) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

/** Replaces a secret with bullets of the same length: it stays a constant of that length, with nothing to read. */
function maskValue(value: Value, sensitiveName: boolean): Value {
  switch (value.kind) {
    case 'string':
      return sensitiveName || looksSecret(value.value) ? { kind: 'string', value: '\u2022'.repeat(value.value.length) } : value;
    case 'array':
      return { kind: 'array', items: value.items.map((item) => maskValue(item, sensitiveName)) };
    case 'object': {
      const properties: Record<string, Value> = {};
      for (const [name, item] of Object.entries(value.properties)) properties[name] = maskValue(item, sensitiveName || isSecretName(name));
      return { ...value, properties };
    }
    case 'concat':
      return { kind: 'concat', parts: value.parts.map((part) => maskValue(part, sensitiveName)) };
    case 'choice':
      return { kind: 'choice', options: value.options.map((option) => maskValue(option, sensitiveName)) };
    default:
      return value;
  }
}

function isSecretName(name: string): boolean {
  const kind = classifyName(name);
  return kind === 'credential' || kind === 'token';
}

function maskExport(name: string, summary: ExportSummary): ExportSummary {
  const masked: ExportSummary = { ...summary, value: maskValue(summary.value, isSecretName(name)) };
  if (summary.members) {
    masked.members = Object.fromEntries(Object.entries(summary.members).map(([member, item]) => [member, maskExport(member, item)]));
  }
  return masked;
}

export function maskSecrets(result: FileResult): FileResult {
  const exports: Record<string, ExportSummary> = {};
  for (const [name, summary] of Object.entries(result.summary.exports)) exports[name] = maskExport(name, summary);
  return { ...result, summary: { ...result.summary, exports } };
}
