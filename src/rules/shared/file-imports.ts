import { ts } from '../../typescript.js';
import { isRelativeSpecifier, packageName } from '../../analysis/origin.js';
import { skipOuterExpressions } from '../../analysis/syntax.js';
import { getWalkLists, type WalkLists } from './walk-lists.js';

/**
 * Facts about a whole file, computed once and shared by every rule, so that a
 * rule can skip a call before it resolves where the callee comes from. Each
 * fact may be too generous, never too strict: an origin can start at a package
 * only if the file imports or requires it, and at a global only if the file
 * names it.
 */
export interface FileFacts {
  /** Package names of every import declaration, `import x = require()` and literal `require()` in the file. */
  readonly packages: ReadonlySet<string>;
  /** True when a `require` in the text could not be read, so that the file may require any package. */
  readonly anyPackage: boolean;
  /** Results of {@link containsWord} for the file, by word. */
  readonly words: Map<string, boolean>;
}

const cache = new WeakMap<ts.SourceFile, FileFacts>();

/**
 * The facts of a file. Rules ask in `onEnd`, when the walk is over: the
 * `require()` calls come from the calls gathered by the walk when a rule
 * asked for them, which is exact, and otherwise from the text.
 */
export function getFileFacts(sourceFile: ts.SourceFile): FileFacts {
  let facts = cache.get(sourceFile);
  if (!facts) {
    const packages = new Set<string>();
    addImports(sourceFile.statements, packages);
    const lists = getWalkLists(sourceFile);
    const anyPackage = lists?.claimed.has('invocations') ? addRequireCalls(lists, packages) : addRequires(sourceFile.text, packages);
    facts = { packages, anyPackage, words: new Map() };
    cache.set(sourceFile, facts);
  }
  return facts;
}

/** True when an origin in this file can start at one of the packages, by package name (`node:fs` is `fs`). */
export function mayImport(sourceFile: ts.SourceFile, packages: ReadonlySet<string>): boolean {
  const facts = getFileFacts(sourceFile);
  if (facts.anyPackage) return true;
  for (const name of facts.packages) if (packages.has(name)) return true;
  return false;
}

/**
 * True when the file may name the identifier, such as a global. The parser
 * keeps the text of every identifier of the file, escapes decoded, and
 * without that table the text is searched for the word.
 */
export function mayMention(sourceFile: ts.SourceFile, word: string): boolean {
  const identifiers = (sourceFile as unknown as { identifiers?: unknown }).identifiers;
  if (identifiers instanceof Map) return identifiers.has(word);
  return hasWord(sourceFile, word) || hasWord(sourceFile, '\\u');
}

/**
 * True when the file may name the property, as an identifier or as the text
 * of a string key: the word occurs on its own, or an escape may spell it.
 */
export function mayNameProperty(sourceFile: ts.SourceFile, word: string): boolean {
  return hasWord(sourceFile, word) || hasWord(sourceFile, '\\');
}

/** Searches the text once per file and word; a word of other characters than an identifier's is searched as plain text. */
function hasWord(sourceFile: ts.SourceFile, word: string): boolean {
  const words = getFileFacts(sourceFile).words;
  let found = words.get(word);
  if (found === undefined) {
    found = /^[\w$]+$/.test(word) ? containsWord(sourceFile.text, word) : sourceFile.text.includes(word);
    words.set(word, found);
  }
  return found;
}

export function containsWord(text: string, word: string): boolean {
  for (let index = text.indexOf(word); index !== -1; index = text.indexOf(word, index + 1)) {
    if (!isIdentifierCode(text.charCodeAt(index - 1)) && !isIdentifierCode(text.charCodeAt(index + word.length))) return true;
  }
  return false;
}

function isIdentifierCode(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 36 || code === 95;
}

/**
 * Adds the packages of the gathered `require('name')` calls, as the origin
 * of a call reads them: the callee, without parentheses and assertions, is
 * `require`, and the first argument a string literal. Returns false: nothing
 * is left unread.
 */
function addRequireCalls(lists: WalkLists, packages: Set<string>): boolean {
  const { nodes } = lists.calls;
  lists.callNames.forEach((name, index) => {
    if (name !== 'require') return;
    const call = nodes[index]!;
    const argument = call.arguments[0];
    if (ts.isIdentifier(skipOuterExpressions(call.expression)) && argument && ts.isStringLiteralLike(argument)) addPackage(argument.text, packages);
  });
  return false;
}

/** Adds the package a specifier names; a relative path names none, and the rules ask about packages only. */
function addPackage(specifier: string, packages: Set<string>): void {
  if (!isRelativeSpecifier(specifier)) packages.add(packageName(specifier));
}

/** Import declarations of the file and of its `declare module` and namespace blocks, where the scope resolver finds imports too. */
function addImports(statements: readonly ts.Statement[], packages: Set<string>): void {
  for (const statement of statements) {
    if (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) {
      const specifier = statement.moduleSpecifier;
      if (specifier && ts.isStringLiteral(specifier)) addPackage(specifier.text, packages);
    } else if (ts.isImportEqualsDeclaration(statement)) {
      const reference = statement.moduleReference;
      if (ts.isExternalModuleReference(reference) && ts.isStringLiteral(reference.expression)) addPackage(reference.expression.text, packages);
    } else if (ts.isModuleDeclaration(statement)) {
      let body = statement.body;
      while (body && ts.isModuleDeclaration(body)) body = body.body;
      if (body && ts.isModuleBlock(body)) addImports(body.statements, packages);
    }
  }
}

const REQUIRE_LITERAL = /require\s*\(\s*(['"`])([^'"`\\\r\n]*)\1/y;
const AFTER_REQUIRE = /require\s*(\(\s*)?/y;
const WORD = /[A-Za-z_$][\w$]*/y;

/**
 * Adds the packages of `require('name')` calls, found in the text. Returns
 * true when some `require` may be a call whose argument the text does not
 * show plainly: behind a comment, an escape, `(require)(...)`,
 * `require!(...)`, `require?.(...)` or `require as ...`.
 */
function addRequires(text: string, packages: Set<string>): boolean {
  for (let index = text.indexOf('require'); index !== -1; index = text.indexOf('require', index + 7)) {
    if (isIdentifierCode(text.charCodeAt(index - 1)) || isIdentifierCode(text.charCodeAt(index + 7))) continue;
    REQUIRE_LITERAL.lastIndex = index;
    const literal = REQUIRE_LITERAL.exec(text);
    if (literal) {
      addPackage(literal[2]!, packages);
      continue;
    }
    AFTER_REQUIRE.lastIndex = index;
    const after = AFTER_REQUIRE.exec(text)!;
    const next = text[index + after[0].length];
    if (next === undefined) continue;
    if (after[1] !== undefined) {
      // `require(` with an argument that is not a plain literal: a name or an expression is no module.
      if (next === '/' || next === "'" || next === '"' || next === '`') return true;
      continue;
    }
    if (next === ')' || next === '<' || next === '/' || next === '\\') return true;
    if (next === '!' && text[index + after[0].length + 1] !== '=') return true;
    if (next === '?' && text[index + after[0].length + 1] === '.') return true;
    WORD.lastIndex = index + after[0].length;
    const word = WORD.exec(text)?.[0];
    if (word === 'as' || word === 'satisfies') return true;
  }
  return false;
}

/**
 * Wraps a computation about a file so that it runs once per file: rules ask
 * for each node, and the files come one after another.
 */
export function perFile<T>(compute: (sourceFile: ts.SourceFile) => T): (sourceFile: ts.SourceFile) => T {
  const values = new WeakMap<ts.SourceFile, { value: T }>();
  let lastFile: ts.SourceFile | undefined;
  let last: { value: T } | undefined;
  return (sourceFile) => {
    if (sourceFile !== lastFile || !last) {
      let entry = values.get(sourceFile);
      if (!entry) {
        entry = { value: compute(sourceFile) };
        values.set(sourceFile, entry);
      }
      lastFile = sourceFile;
      last = entry;
    }
    return last.value;
  };
}
