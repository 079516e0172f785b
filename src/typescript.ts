import { createHash } from 'node:crypto';
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { threadId } from 'node:worker_threads';
import type { ts as Ts } from 'ts-morph';
import { makeFolder } from './files/make-folder.js';
import { getUserCacheHome } from './files/cache-home.js';

/**
 * The TypeScript compiler API that ts-morph bundles, loaded on first need.
 * Loading it costs about a quarter of a second, which a scan that takes every
 * file from the cache does not pay. Modules import `ts` from here and use it
 * only inside functions, and every entry point that parses or checks code
 * calls {@link loadTypeScript} first.
 */
export let ts = undefined as unknown as typeof Ts;

const pending: Array<() => void> = [];

/** False under --no-cache: the code cache is then neither read nor written. */
let codeCacheEnabled = true;

/** Turns the compiler's code cache on or off for this thread; call it before {@link loadTypeScript}. */
export function setCodeCacheEnabled(enabled: boolean): void {
  codeCacheEnabled = enabled;
}

/** The compiled script and where its code cache goes, while this thread may still save it. */
let unsaved: { script: vm.Script; file: string } | undefined;

/**
 * Loads the compiler API once and returns it. The file is the one ts-morph
 * loads, and it is registered in the module cache under its own name, so that
 * ts-morph, when the type checker runs, shares this copy. V8 compiles its 9 MB
 * faster from a code cache kept beside the user key (see
 * {@link saveTypeScriptCodeCache}); a missing, stale or damaged one is ignored.
 */
export function loadTypeScript(): typeof Ts {
  if (ts !== undefined) return ts;
  const fromTsMorph = createRequire(createRequire(import.meta.url).resolve('ts-morph'));
  const file = fromTsMorph.resolve('@ts-morph/common/dist/typescript.js');
  const loaded = (Module as unknown as { _cache: Record<string, Module> })._cache[file];
  if (loaded) {
    ts = toPlainObject(loaded.exports as typeof Ts);
  } else {
    const source = fs.readFileSync(file, 'utf8');
    const cacheFile = codeCacheEnabled ? getCodeCacheFile(file) : undefined;
    const cachedData = readCodeCache(cacheFile);
    const script = new vm.Script(Module.wrap(source), { filename: file, ...(cachedData ? { cachedData } : {}) });
    const module = new Module(file);
    module.filename = file;
    module.paths = (Module as unknown as { _nodeModulePaths(folder: string): string[] })._nodeModulePaths(path.dirname(file));
    const run = script.runInThisContext() as (...args: unknown[]) => void;
    run.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
    module.loaded = true;
    (Module as unknown as { _cache: Record<string, Module> })._cache[file] = module;
    ts = toPlainObject(module.exports as typeof Ts);
    if (cacheFile && (!cachedData || script.cachedDataRejected)) unsaved = { script, file: cacheFile };
  }
  for (const initialize of pending.splice(0)) initialize();
  return ts;
}

/**
 * Copies the compiler's exports into an object of plain properties. The
 * bundle defines each export as a getter, so every `ts.isIdentifier` or
 * `ts.SyntaxKind` in a hot loop was a function call. The analysis reads only
 * functions and enums, which never change once the module has loaded.
 */
function toPlainObject(exports: typeof Ts): typeof Ts {
  const plain: Record<string, unknown> = {};
  for (const key of Object.keys(exports)) plain[key] = (exports as unknown as Record<string, unknown>)[key];
  return plain as unknown as typeof Ts;
}

/**
 * Writes the compiler's code cache when this thread compiled it without one.
 * Called after files were parsed, so the cache contains the parser's functions
 * too, which V8 compiles only when first called. A cache that cannot be
 * written costs the next scan a quarter of a second and nothing else.
 */
export function saveTypeScriptCodeCache(): void {
  if (!unsaved) return;
  const { script, file } = unsaved;
  unsaved = undefined;
  // Worker threads of one process may write at the same time, so the temporary name has the thread too.
  const temporary = `${file}.${process.pid}.${threadId}.tmp`;
  try {
    makeFolder(path.dirname(file), 0o700);
    const data = script.createCachedData();
    fs.writeFileSync(temporary, Buffer.concat([digest(data), data]), { mode: 0o600 });
    fs.renameSync(temporary, file);
  } catch {
    // Without the cache file the next scan compiles from source, which is slower and nothing else.
    removeQuietly(temporary);
  }
}

function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true, recursive: true });
  } catch {
    // A folder that cannot be entered has no temporary file of ours.
  }
}

/** A code cache larger than this is not one V8 wrote for this file: it is about 3 MB. */
const MAX_CODE_CACHE_BYTES = 64 * 1024 * 1024;
const DIGEST_BYTES = 32;

function digest(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

/**
 * Returns the code cache's path: in the user's cache home, never in a
 * project, because V8 trusts what it reads there. Its name changes with the compiler file's
 * size, time and inode (an install rewrites it), Node's version and the
 * platform, so another build never reads it.
 */
function getCodeCacheFile(file: string): string | undefined {
  const home = getUserCacheHome();
  const stat = fs.statSync(file);
  const identity = [process.version, process.arch, file, stat.size, stat.mtimeMs, stat.ino].join('\0');
  const key = createHash('sha256').update(identity).digest('hex').slice(0, 24);
  return path.join(home, 'keney-audit', 'compiled', `typescript-${key}.bin`);
}

/**
 * Reads a code cache and checks the SHA-256 digest it starts with. V8 checks
 * a cache's version and source length but not its contents, and a damaged
 * cache crashes the process, so a cache that does not match is not used.
 */
function readCodeCache(file: string | undefined): Buffer | undefined {
  if (!file) return undefined;
  let descriptor: number | undefined;
  try {
    descriptor = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    const stat = fs.fstatSync(descriptor);
    if (!stat.isFile() || stat.size <= DIGEST_BYTES || stat.size > MAX_CODE_CACHE_BYTES) return undefined;
    const content = Buffer.alloc(stat.size);
    if (fs.readSync(descriptor, content, 0, stat.size, 0) !== stat.size) return undefined;
    const data = content.subarray(DIGEST_BYTES);
    return digest(data).equals(content.subarray(0, DIGEST_BYTES)) ? data : undefined;
  } catch {
    return undefined;
  } finally {
    if (descriptor !== undefined) fs.closeSync(descriptor);
  }
}

/**
 * Runs `initialize` once the compiler API is loaded, or now if it is. Module
 * tables built from its values, such as sets of syntax kinds, are filled here.
 */
export function whenTypeScriptLoads(initialize: () => void): void {
  if (ts === undefined) pending.push(initialize);
  else initialize();
}

/** Returns a table indexed by syntax kind, 1 for each kind given: a lookup for code that runs on every node. */
export function createKindTable(kinds: readonly Ts.SyntaxKind[]): Uint8Array {
  const table = new Uint8Array(ts.SyntaxKind.Count);
  for (const kind of kinds) table[kind] = 1;
  return table;
}

/** The compiler API's type names, so that `ts.Node` reads as it does with ts-morph's namespace. */
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace ts {
  export type ArrayLiteralExpression = Ts.ArrayLiteralExpression;
  export type ArrowFunction = Ts.ArrowFunction;
  export type BinaryExpression = Ts.BinaryExpression;
  export type BindingElement = Ts.BindingElement;
  export type BindingName = Ts.BindingName;
  export type Block = Ts.Block;
  export type CallExpression = Ts.CallExpression;
  export type CatchClause = Ts.CatchClause;
  export type ClassDeclaration = Ts.ClassDeclaration;
  export type ClassExpression = Ts.ClassExpression;
  export type ClassLikeDeclaration = Ts.ClassLikeDeclaration;
  export type ConditionalExpression = Ts.ConditionalExpression;
  export type ConstructorDeclaration = Ts.ConstructorDeclaration;
  export type Decorator = Ts.Decorator;
  export type Diagnostic = Ts.Diagnostic;
  export type ElementAccessExpression = Ts.ElementAccessExpression;
  export type EntityName = Ts.EntityName;
  export type EnumDeclaration = Ts.EnumDeclaration;
  export type EnumMember = Ts.EnumMember;
  export type ExportAssignment = Ts.ExportAssignment;
  export type ExportDeclaration = Ts.ExportDeclaration;
  export type Expression = Ts.Expression;
  export type FunctionDeclaration = Ts.FunctionDeclaration;
  export type FunctionExpression = Ts.FunctionExpression;
  export type FunctionLikeDeclaration = Ts.FunctionLikeDeclaration;
  export type FunctionLikeDeclarationBase = Ts.FunctionLikeDeclarationBase;
  export type Identifier = Ts.Identifier;
  export type InterfaceDeclaration = Ts.InterfaceDeclaration;
  export type JsxAttribute = Ts.JsxAttribute;
  export type MethodDeclaration = Ts.MethodDeclaration;
  export type ModuleBlock = Ts.ModuleBlock;
  export type ModuleExportName = Ts.ModuleExportName;
  export type NewExpression = Ts.NewExpression;
  export type NoSubstitutionTemplateLiteral = Ts.NoSubstitutionTemplateLiteral;
  export type Node = Ts.Node;
  export type NumericLiteral = Ts.NumericLiteral;
  export type ObjectLiteralElementLike = Ts.ObjectLiteralElementLike;
  export type ObjectLiteralExpression = Ts.ObjectLiteralExpression;
  export type ParameterDeclaration = Ts.ParameterDeclaration;
  export type ParenthesizedExpression = Ts.ParenthesizedExpression;
  export type PrefixUnaryExpression = Ts.PrefixUnaryExpression;
  export type PropertyAccessExpression = Ts.PropertyAccessExpression;
  export type PropertyAssignment = Ts.PropertyAssignment;
  export type PropertyDeclaration = Ts.PropertyDeclaration;
  export type PropertyName = Ts.PropertyName;
  export type QualifiedName = Ts.QualifiedName;
  export type RegularExpressionLiteral = Ts.RegularExpressionLiteral;
  export type ReturnStatement = Ts.ReturnStatement;
  export type ScriptKind = Ts.ScriptKind;
  export type ShorthandPropertyAssignment = Ts.ShorthandPropertyAssignment;
  export type SignatureDeclaration = Ts.SignatureDeclaration;
  export type SourceFile = Ts.SourceFile;
  export type Statement = Ts.Statement;
  export type StringLiteral = Ts.StringLiteral;
  export type StringLiteralLike = Ts.StringLiteralLike;
  export type SyntaxKind = Ts.SyntaxKind;
  export type TaggedTemplateExpression = Ts.TaggedTemplateExpression;
  export type TemplateExpression = Ts.TemplateExpression;
  export type TypeAliasDeclaration = Ts.TypeAliasDeclaration;
  export type TypeNode = Ts.TypeNode;
  export type UnionTypeNode = Ts.UnionTypeNode;
  export type VariableDeclaration = Ts.VariableDeclaration;
  export type VariableDeclarationList = Ts.VariableDeclarationList;
  export type TypeLiteralNode = Ts.TypeLiteralNode;
  export type NodeArray<T extends Ts.Node> = Ts.NodeArray<T>;
}
