import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { CALL, NEW, packageName, packagePath } from '../../analysis/origin.js';
import { getEnclosingFunction, getMemberName, propertyNameText, skipOuterExpressions } from '../../analysis/syntax.js';
import { findClassField, isConstant } from '../../analysis/values.js';
import { mayImport, mayMention } from './file-imports.js';
import { getPromisifiedFunction } from './promisify.js';

/** A call of a cryptography library, by the library and the path of the function below it. */
export interface CryptoApi {
  /** `node` for node:crypto, or the package name: `crypto-js`, `node-forge`, `bcrypt`. */
  library: string;
  /** Members below the package, calls and `new` left out: `['createCipheriv']`, `['AES', 'encrypt']`, `['md', 'md5', 'create']`. */
  path: string[];
  /**
   * True when the callee is the library's function itself, not a method of
   * something a call returned: `crypto.createHash` but not `crypto.createHash('md5').update`.
   */
  direct: boolean;
}

const PACKAGE_ALIASES: Record<string, string> = {
  crypto: 'node',
  bcryptjs: 'bcrypt',
  'bcrypt-nodejs': 'bcrypt',
  '@node-rs/bcrypt': 'bcrypt',
  '@node-rs/argon2': 'argon2',
};

/**
 * Finds the cryptography API a callee denotes. A sub-path import names its
 * function: `import md5 from 'crypto-js/md5'` gives `crypto-js`, `['md5']`.
 * A global `crypto` with a node:crypto method counts as node:crypto.
 */
export function getCryptoApi(sem: FileSemantics, callee: ts.Expression): CryptoApi | undefined {
  // `const scryptAsync = promisify(scrypt)` takes the arguments of scrypt, less the callback.
  const origin = sem.originOf(getPromisifiedFunction(sem, skipOuterExpressions(callee)) ?? callee);
  const direct = !origin.path.some((step) => step === CALL || step === NEW);
  if (origin.root.kind === 'global' && origin.root.name === 'crypto') {
    return { library: 'node', path: memberPath(origin.path), direct };
  }
  if (origin.root.kind !== 'module' || sem.isProjectModule(origin)) return undefined;
  const specifier = origin.root.specifier.startsWith('node:') ? origin.root.specifier.slice(5) : origin.root.specifier;
  const name = packageName(specifier);
  const library = PACKAGE_ALIASES[name] ?? name;
  const subPath = specifier.slice(name.length + 1).split('/').filter(Boolean);
  return { library, path: [...subPath, ...memberPath(packagePath(origin))], direct };
}

/**
 * True when a callee of the file may be an API of one of the packages, named
 * as in the import (`crypto` for node:crypto), or of the global `crypto`: a
 * file that imports none and never names `crypto` has no call to check.
 */
export function mayUseCryptoApi(sourceFile: ts.SourceFile, packages: ReadonlySet<string>): boolean {
  return mayImport(sourceFile, packages) || mayMention(sourceFile, 'crypto');
}

function memberPath(path: readonly string[]): string[] {
  return path.filter((step) => step !== CALL && step !== NEW);
}

/** Ciphers that are broken or too weak for new data, by OpenSSL name prefix. */
const WEAK_CIPHERS = /^(des|desx|des3|des-ede3?|rc2|rc4|bf|blowfish|cast|cast5|idea|seed)(-|$)/i;

/** Returns why a cipher name is weak: `ecb` for any cipher in ECB mode, `cipher` for a broken cipher. */
export function getCipherWeakness(name: string): 'ecb' | 'cipher' | undefined {
  if (WEAK_CIPHERS.test(name)) return 'cipher';
  if (/(^|-)ecb$/i.test(name)) return 'ecb';
  return undefined;
}

/** Hash algorithm names, as node:crypto and OpenSSL spell them, that collisions have broken. */
const WEAK_HASHES = /^(md2|md4|md5|sha-?1|rsa-md5|rsa-sha1|rsa-sha1-2|sha1withrsaencryption|md5withrsaencryption|ssl3-md5|ssl3-sha1)$/i;

export function isWeakHash(name: string): boolean {
  return WEAK_HASHES.test(name);
}

/** Fast hash algorithms: fine for checksums, too fast to store passwords. */
const FAST_HASHES = /^(md2|md4|md5|sha-?1|sha-?224|sha-?256|sha-?384|sha-?512(-224|-256)?|sha3-(224|256|384|512)|shake(128|256)|ripemd(160)?|rmd160|blake2b512|blake2s256|whirlpool|sm3)$/i;

export function isFastHash(name: string): boolean {
  return FAST_HASHES.test(name);
}

/** Functions of hash packages and crypto-js that hash their first argument in one call, by the name they end in. */
const ONE_CALL_HASHES = /^(md5|sha1|sha224|sha256|sha384|sha512|sha3|ripemd160|MD5|SHA1|SHA224|SHA256|SHA384|SHA512|SHA3|RIPEMD160)$/;

/** Packages whose default export or functions hash a string in one call. */
export const HASH_PACKAGES = new Set(['crypto-js', 'md5', 'js-md5', 'blueimp-md5', 'sha1', 'js-sha1', 'js-sha256', 'js-sha512', 'js-sha3', 'hash.js']);

/**
 * Returns the algorithm of a one-call hash such as `CryptoJS.MD5(text)`,
 * `md5(text)` from the `md5` package or `sha256(text)` from `js-sha256`.
 */
export function getOneCallHash(api: CryptoApi): string | undefined {
  if (!HASH_PACKAGES.has(api.library) || !api.direct) return undefined;
  const named = [...api.path].reverse().find((step) => ONE_CALL_HASHES.test(step));
  if (named) return named.toLowerCase();
  const fromPackage = api.library.replace(/^(js-|blueimp-)/, '');
  if (ONE_CALL_HASHES.test(fromPackage) && api.path.every((step) => step === 'hex' || step === 'array')) return fromPackage;
  return undefined;
}

/** Returns the algorithm of a node-forge message digest: `forge.md.md5.create()` gives `md5`. */
export function getForgeDigest(api: CryptoApi): string | undefined {
  if (api.library !== 'node-forge' || !api.direct) return undefined;
  const [first, algorithm, method] = api.path;
  return first === 'md' && algorithm && method === 'create' ? algorithm : undefined;
}

/**
 * The reason an initialization vector never changes between messages. It is
 * a literal or a buffer of constants, a value from the environment (one IV
 * for every message), a slice of the key, or random bytes drawn once at
 * module or instance level and reused by every call.
 */
export type StaticBytesReason = 'constant' | 'configuration' | 'key' | 'reused';

const MAX_DEPTH = 6;

/** Returns why the bytes an expression yields never change between calls, or undefined when they may. */
export function getStaticBytesReason(sem: FileSemantics, expression: ts.Expression, use: ts.Node, depth = 0): StaticBytesReason | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const node = skipOuterExpressions(expression);
  const value = sem.evaluate(node);
  if (value.kind !== 'unknown' && value.kind !== 'import' && value.kind !== 'null' && value.kind !== 'undefined' && isConstant(value)) return 'constant';
  if (value.kind === 'env' || (value.kind === 'choice' && value.options.some((option) => option.kind === 'env'))) return 'configuration';

  if (ts.isIdentifier(node)) return getStaticIdentifierReason(sem, node, use, depth);
  if (ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const initializer = getFieldInitializer(node);
    if (initializer && isRandomBytes(sem, initializer)) return 'reused';
    return initializer ? getStaticBytesReason(sem, initializer, use, depth + 1) : undefined;
  }
  // `ClinicalNoteVault.IV`, a static field.
  if (ts.isPropertyAccessExpression(node)) {
    const field = findClassField(sem, skipOuterExpressions(node.expression), node.name.text);
    if (field) return isRandomBytes(sem, field) ? 'reused' : getStaticBytesReason(sem, field, use, depth + 1);
  }
  if (ts.isCallExpression(node) || ts.isNewExpression(node)) return getStaticCallReason(sem, node, use, depth);
  return undefined;
}

function getStaticIdentifierReason(sem: FileSemantics, identifier: ts.Identifier, use: ts.Node, depth: number): StaticBytesReason | undefined {
  const declaration = sem.resolve(identifier);
  if (declaration?.kind !== 'variable' || declaration.pattern.length > 0) return undefined;
  const initializer = sem.getSingleValue(declaration);
  if (!initializer) return undefined;
  if (isFilledWithRandomBytes(sem, declaration.name, use)) return undefined;
  if (isRandomBytes(sem, initializer)) {
    // Drawn once where it is declared, then reused by every call of a function that reads it.
    const declaredIn = getEnclosingFunction(declaration.node);
    const usedIn = getEnclosingFunction(use);
    return usedIn && declaredIn !== usedIn && !isInside(usedIn, declaredIn) ? 'reused' : undefined;
  }
  return getStaticBytesReason(sem, initializer, use, depth + 1);
}

/** `const iv = Buffer.alloc(12); crypto.randomFillSync(iv);`: the buffer is random once filled. */
function isFilledWithRandomBytes(sem: FileSemantics, name: ts.Identifier, use: ts.Node): boolean {
  const declaration = sem.resolve(name);
  const scope = getEnclosingFunction(use) ?? use.getSourceFile();
  let filled = false;
  const visit = (node: ts.Node): void => {
    if (filled) return;
    if (ts.isCallExpression(node) && /^(randomFillSync|randomFill|getRandomValues)$/.test(getMemberName(node.expression) ?? (ts.isIdentifier(node.expression) ? node.expression.text : ''))) {
      filled = node.arguments.some((argument) => {
        const target = skipOuterExpressions(argument);
        return ts.isIdentifier(target) && sem.resolve(target) === declaration;
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(scope);
  return filled;
}

function isInside(node: ts.Node, container: ts.Node | undefined): boolean {
  if (!container) return false;
  for (let current: ts.Node | undefined = node; current; current = current.parent) if (current === container) return true;
  return false;
}

/** `Buffer.alloc(16)`, `Buffer.from('0000', 'hex')`, `new Uint8Array(12)`, `key.subarray(0, 16)`. */
function getStaticCallReason(sem: FileSemantics, call: ts.CallExpression | ts.NewExpression, use: ts.Node, depth: number): StaticBytesReason | undefined {
  const callee = skipOuterExpressions(call.expression);
  const name = ts.isIdentifier(callee) ? callee.text : getMemberName(callee);
  const receiver = ts.isPropertyAccessExpression(callee) ? skipOuterExpressions(callee.expression) : undefined;
  const receiverName = receiver && ts.isIdentifier(receiver) ? receiver.text : undefined;
  const args = call.arguments ?? [];

  if (ts.isNewExpression(call) && name && /^(Uint8Array|Buffer|Int8Array)$/.test(name)) {
    return args.every((argument) => isStaticArgument(sem, argument)) ? 'constant' : undefined;
  }
  if (receiverName === 'Buffer' && (name === 'alloc' || name === 'allocUnsafe' || name === 'from' || name === 'of')) {
    if (name === 'allocUnsafe') return undefined;
    const first = args[0];
    if (!first) return undefined;
    if (name === 'from') {
      const source = getStaticBytesReason(sem, first, use, depth + 1);
      if (source) return source;
      return isStaticArgument(sem, first) ? 'constant' : undefined;
    }
    return args.every((argument) => isStaticArgument(sem, argument)) ? 'constant' : undefined;
  }
  if (receiver && (name === 'fill' || name === 'toString')) {
    return args.every((argument) => isStaticArgument(sem, argument)) ? getStaticBytesReason(sem, receiver, use, depth + 1) : undefined;
  }
  if (receiver && (name === 'slice' || name === 'subarray')) {
    const holderName = receiverName ?? getMemberName(receiver);
    if (holderName && /key|secret/i.test(holderName)) return 'key';
    return getStaticBytesReason(sem, receiver, use, depth + 1);
  }
  return undefined;
}

function isStaticArgument(sem: FileSemantics, argument: ts.Expression): boolean {
  const value = sem.evaluate(argument);
  return value.kind !== 'unknown' && isConstant(value);
}

/** `randomBytes(16)`, `crypto.randomBytes(16)`, `crypto.getRandomValues(new Uint8Array(12))`. */
export function isRandomBytes(sem: FileSemantics, expression: ts.Expression): boolean {
  const node = skipOuterExpressions(expression);
  if (!ts.isCallExpression(node)) return false;
  const api = getCryptoApi(sem, node.expression);
  const last = api?.path[api.path.length - 1];
  return api?.library === 'node' && api.direct && (last === 'randomBytes' || last === 'getRandomValues' || last === 'randomFillSync');
}

/** Returns the initializer of the class field that `this.name` reads. */
function getFieldInitializer(access: ts.PropertyAccessExpression): ts.Expression | undefined {
  let current: ts.Node | undefined = access.parent;
  while (current && !ts.isClassLike(current)) current = current.parent;
  if (!current || !ts.isClassLike(current)) return undefined;
  for (const member of current.members) {
    if (ts.isPropertyDeclaration(member) && member.name && propertyNameText(member.name) === access.name.text) return member.initializer;
  }
  return undefined;
}

/** True when the origin is node:crypto's function of that name, however it was imported. */
export function isNodeCryptoFunction(sem: FileSemantics, callee: ts.Expression, names: readonly string[]): string | undefined {
  const api = getCryptoApi(sem, callee);
  if (api?.library !== 'node' || !api.direct || api.path.length !== 1) return undefined;
  return names.includes(api.path[0]!) ? api.path[0] : undefined;
}
