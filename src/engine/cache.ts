import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import type { FileResult } from './facts.js';
import { makeFolder } from '../files/make-folder.js';
import { getUserCacheHome } from '../files/cache-home.js';

/** Bump when the shape of FileResult, the meaning of a cached field or the entry encoding changes. */
const CACHE_FORMAT = 6;
const MAX_PACKS = 4;
const CIPHER = 'aes-256-gcm';

/** One file's result, encrypted with a key derived from the file's content or its git object id. */
interface Entry {
  /** A keyed hash of the content (see {@link deriveEntryKeys}), to find out whether the entry matches the file as it is now. */
  hash: string;
  iv: Uint8Array;
  tag: Uint8Array;
  data: Uint8Array;
}

/**
 * The default cache folder: `node_modules/.cache/keney-audit` under the scan
 * root when it has node_modules, else `$XDG_CACHE_HOME/keney-audit` (or
 * `~/.cache/keney-audit`) in a subfolder named after the root, so the cache
 * never lands among the user's sources.
 */
export function getDefaultCacheDir(root: string): string {
  if (fs.existsSync(path.join(root, 'node_modules'))) return path.join(root, 'node_modules', '.cache', 'keney-audit');
  const base = getUserCacheHome();
  const id = createHash('sha256').update(root).digest('hex').slice(0, 16);
  return path.join(base, 'keney-audit', id);
}

let userKey: Buffer | undefined;

/**
 * Returns a random key of this user's, created on first use and kept outside
 * every project (`$XDG_CACHE_HOME/keney-audit/user.key`, else
 * `~/.cache/keney-audit/user.key`). Entries are keyed and encrypted with it, so
 * a pack committed to a repository or copied from another machine matches no
 * file. Without the key, no one can forge an entry that hides a finding, or
 * test guesses of a file's content against its hash. Without a writable cache
 * home the key lasts one run, and the cache then helps no later run.
 */
function getUserKey(): Buffer {
  if (userKey) return userKey;
  const base = getUserCacheHome();
  const file = path.join(base, 'keney-audit', 'user.key');
  const read = (): Buffer | undefined => {
    try {
      const key = fs.readFileSync(file);
      return key.length === 32 ? key : undefined;
    } catch {
      return undefined;
    }
  };
  let key = read();
  if (!key) {
    const fresh = randomBytes(32);
    try {
      makeFolder(path.dirname(file), 0o700);
      // `wx` fails when another scan created the key first; that scan's key is then read back.
      fs.writeFileSync(file, fresh, { mode: 0o600, flag: 'wx' });
    } catch {
      // Read below: the key of a concurrent scan, or none when the folder is not writable.
    }
    key = read() ?? fresh;
  }
  userKey = key;
  return key;
}

/**
 * The identity an entry is stored and found under: the file's text, or the id
 * of the git object whose content the file has. A git object id names its content as
 * surely as the text does, so a file git reports as unchanged is found
 * without being read.
 */
export type ContentIdentity = { text: string } | { blob: string };

/**
 * Returns the git object id of a text, as `git hash-object` computes it, so
 * that a result is stored under an id only when the text read is that object.
 * The id's length shows whether the repository uses SHA-1 or SHA-256.
 */
export function gitBlobId(text: string, like: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return createHash(like.length === 64 ? 'sha256' : 'sha1')
    .update(`blob ${bytes.length}\0`)
    .update(bytes)
    .digest('hex');
}

/**
 * Derives from the user key and a file's content both the hash that finds the
 * file's entry and the key that encrypts it. The key is never stored, so only
 * this user, holding the file, can decrypt the entry: the pack shows no
 * snippet, fact or constant of the scanned code, secrets included, to anyone
 * else. Both come from one HMAC-SHA-256 of the content, because a warm scan
 * hashes every file, and SHA-256 runs at twice the speed of SHA-512 on
 * processors with SHA extensions.
 */
function deriveEntryKeys(identity: ContentIdentity): { hash: string; key: Buffer } {
  const userKey = getUserKey();
  const digest =
    'blob' in identity
      ? createHmac('sha256', userKey).update('git object\0').update(identity.blob).digest()
      : createHmac('sha256', userKey).update('content\0').update(identity.text).digest();
  return {
    hash: createHmac('sha256', userKey).update('entry hash\0').update(digest).digest('hex'),
    key: createHmac('sha256', userKey).update('entry key\0').update(digest).digest(),
  };
}

/**
 * Per-file results keyed by file path and content hash. One pack file holds
 * every entry for one analysis key (tool version, rules and settings), so a
 * change of rules or config starts from an empty pack. Results are stored
 * whole and encrypted (see deriveEntryKeys), so a cached scan gives exactly the
 * findings of a fresh one.
 */
export class ResultCache {
  private readonly entries: Map<string, Entry>;
  private readonly used = new Set<string>();
  private changed = false;

  private constructor(
    /** The pack file. */
    readonly file: string,
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

  /** Number of files with a stored result. */
  get size(): number {
    return this.entries.size;
  }

  /** Returns the cached result of `file` when it was stored for this exact content. */
  get(file: string, identity: ContentIdentity): FileResult | undefined {
    const entry = this.entries.get(file);
    if (!entry) return undefined;
    const { hash, key } = deriveEntryKeys(identity);
    if (entry.hash !== hash) return undefined;
    try {
      const decipher = createDecipheriv(CIPHER, key, entry.iv);
      decipher.setAuthTag(entry.tag);
      const plain = Buffer.concat([decipher.update(entry.data), decipher.final()]);
      const result = v8.deserialize(plain) as FileResult;
      this.used.add(file);
      return result;
    } catch {
      // A damaged entry counts as missing, so the file is analysed again and its entry replaced.
      return undefined;
    }
  }

  set(file: string, identity: ContentIdentity, result: FileResult): void {
    const { hash, key } = deriveEntryKeys(identity);
    const iv = randomBytes(12);
    const cipher = createCipheriv(CIPHER, key, iv);
    const data = Buffer.concat([cipher.update(v8.serialize(result)), cipher.final()]);
    this.entries.set(file, { hash, iv, tag: cipher.getAuthTag(), data });
    this.used.add(file);
    this.changed = true;
  }

  /**
   * Writes the pack when anything changed. `complete` means the scan covered
   * the whole tree, so entries of files it did not see can go. Raises the
   * file system's error when the pack cannot be written.
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
    makeFolder(dir);
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
