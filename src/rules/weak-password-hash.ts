import { ts } from '../typescript.js';
import type { FileSemantics } from '../analysis/semantics.js';
import { getEnclosingFunction } from '../analysis/syntax.js';
import { defineRule, type RuleContext } from './rule.js';
import { getCallTarget } from './shared/report-target.js';
import { getCryptoApi, getForgeDigest, getOneCallHash, getStaticBytesReason, HASH_PACKAGES, isFastHash, mayUseCryptoApi, type CryptoApi } from './shared/crypto-apis.js';
import { getHashPurpose, getHashUse } from './shared/hash-purpose.js';
import { getNumber } from './shared/numeric-settings.js';
import { getStrings, lookupOption } from './shared/option-lookup.js';
import { gatherWalkLists } from './shared/walk-lists.js';
import { getFactPlace, type FactPlace } from './shared/fact-place.js';
import type { Value } from '../analysis/values.js';

/** The packages whose APIs this rule checks, as the file imports them. */
const PACKAGES = new Set(['crypto', 'bcrypt', 'bcryptjs', 'bcrypt-nodejs', '@node-rs/bcrypt', 'argon2', '@node-rs/argon2', 'crypto-js', 'node-forge', ...HASH_PACKAGES]);

/**
 * PBKDF2 iteration counts below this are reported. It is a floor, not the
 * target: OWASP's Password Storage Cheat Sheet (2023) recommends 600,000
 * iterations with HMAC-SHA-256 and 210,000 with HMAC-SHA-512.
 */
const MIN_PBKDF2_ITERATIONS = 100_000;

/** OWASP's Password Storage Cheat Sheet: a bcrypt work factor of at least 10. */
const MIN_BCRYPT_COST = 10;

/** scrypt's N below 2^14, Node's default and the scrypt paper's setting for interactive logins. */
const MIN_SCRYPT_COST = 2 ** 14;

/**
 * OWASP's Argon2id settings: the least memory, in KiB, for each number of
 * passes. Fewer passes need more memory.
 */
const ARGON2_MIN_MEMORY: Record<number, number> = { 1: 47_104, 2: 19_456, 3: 12_288, 4: 9_216, 5: 7_168 };

type MessageId = 'fastHash' | 'pbkdf2Iterations' | 'bcryptCost' | 'scryptCost' | 'argon2Memory' | 'constantSalt';

/** A cost read from another module, `bcrypt.hash(password, authSettings.saltRounds)`, that the project step settles. */
interface ImportedCostFact extends FactPlace {
  value: Value;
  messageId: 'bcryptCost' | 'pbkdf2Iterations';
}

export default defineRule<MessageId, ImportedCostFact>({
  meta: {
    id: 'weak-password-hash',
    title: 'Password hashed with a fast or weakened algorithm',
    summary:
      'Flags passwords hashed with fast digests (MD5, SHA-1, SHA-256 and the like, with or without HMAC), PBKDF2 with fewer than 100,000 iterations or a constant salt, bcrypt with a cost below 10, scrypt with N below 2^14, and Argon2 below the OWASP memory settings. A stolen table of such hashes is cracked at billions of guesses per second.',
    severity: 'high',
    precision: 'high',
    cwe: [916, 759, 760],
    owasp: 'A02:2021-Cryptographic Failures',
    messages: {
      fastHash: 'Password hashed with {{algorithm}}, a fast digest that GPUs compute billions of times a second; use bcrypt, scrypt or Argon2id.',
      pbkdf2Iterations: 'PBKDF2 with {{iterations}} iterations; OWASP recommends 600,000 with SHA-256 or 210,000 with SHA-512.',
      bcryptCost: 'bcrypt cost {{cost}} is below 10; use a cost of at least 10, and raise it as hardware gets faster.',
      scryptCost: 'scrypt N = {{cost}} is below 2^14 (16384); use at least 2^15, or 2^17 as OWASP recommends.',
      argon2Memory: 'Argon2 with {{memory}} KiB of memory and {{passes}} passes is below OWASP’s settings ({{required}} KiB for {{passes}} passes).',
      constantSalt: 'The salt passed to {{method}}() is the same for every password, so equal passwords get equal hashes; generate a random salt for each password.',
    },
  },
  create(context) {
    const sem = context.semantics;
    const { lists, visitors } = gatherWalkLists(context, ['invocations']);
    return {
      ...visitors,
      onEnd() {
        if (!mayUseCryptoApi(sem.sourceFile, PACKAGES)) return;
        for (const call of lists.calls.nodes) checkCall(context, call);
      },
    };
  },
  project(context) {
    for (const { file, facts } of context.facts<ImportedCostFact>()) {
      for (const fact of facts) {
        const value = context.resolveValue(file, fact.value);
        if (value.kind !== 'number') continue;
        const weak = fact.messageId === 'bcryptCost' ? value.value < MIN_BCRYPT_COST : value.value < MIN_PBKDF2_ITERATIONS;
        if (!weak) continue;
        const data: Record<string, string | number> =
          fact.messageId === 'bcryptCost' ? { cost: value.value } : { iterations: value.value.toLocaleString('en-US') };
        context.report({ file, location: fact.location, messageId: fact.messageId, data, fingerprintKey: fact.key });
      }
    }
  },
});

/** Records a cost that another module sets, so that the project step can judge it. */
function recordImportedCost(context: RuleContext<MessageId>, argument: ts.Expression, messageId: ImportedCostFact['messageId']): void {
  const value = context.semantics.evaluate(argument);
  if (value.kind !== 'import') return;
  context.addFact({ ...getFactPlace(context.sourceFile, argument), value, messageId });
}

function checkCall(context: RuleContext<MessageId>, call: ts.CallExpression): void {
  const api = getCryptoApi(context.semantics, call.expression);
  if (!api?.direct) return;
  const path = api.path.join('.');
  switch (api.library) {
    case 'node':
      checkNodeCrypto(context, call, path);
      return;
    case 'bcrypt':
      checkBcrypt(context, call, path);
      return;
    case 'argon2':
      if (path === 'hash' && call.arguments[1]) checkArgon2(context, call.arguments[1]);
      return;
    case 'crypto-js':
      if (path === 'PBKDF2' && call.arguments[2]) checkIterationsOption(context, call.arguments[2]);
      else checkFastHash(context, call, getOneCallHash(api), true);
      return;
    case 'node-forge':
      checkForge(context, call, api, path);
      return;
    default:
      checkFastHash(context, call, getOneCallHash(api), true);
  }
}

function checkNodeCrypto(context: RuleContext<MessageId>, call: ts.CallExpression, path: string): void {
  const sem = context.semantics;
  const [first, second, third] = call.arguments;
  if (path === 'createHash' || path === 'createHmac') {
    checkFastHash(context, call, first ? getStrings(sem.evaluate(first)).find(isFastHash) : undefined, false);
    return;
  }
  if (path === 'pbkdf2' || path === 'pbkdf2Sync') {
    checkSalt(context, second, call, path);
    if (third) checkIterations(context, third);
    return;
  }
  if (path === 'scrypt' || path === 'scryptSync') {
    checkSalt(context, second, call, path);
    const options = call.arguments[3];
    if (options && !ts.isFunctionLike(options)) checkScrypt(context, options);
    return;
  }
  if (/^(webcrypto\.)?subtle\.(deriveBits|deriveKey)$/.test(path) && first) {
    const name = getStrings(sem.evaluate(first).kind === 'object' ? lookupValue(sem, first, 'name') : undefined);
    if (name.some((algorithm) => algorithm.toUpperCase() === 'PBKDF2')) checkIterationsOption(context, first);
  }
}

function lookupValue(sem: FileSemantics, options: ts.Expression, name: string) {
  const lookup = lookupOption(sem, options, [name]);
  return lookup.kind === 'set' ? lookup.value : undefined;
}

/** bcrypt.hash(password, 8), bcrypt.hashSync(password, 8), bcrypt.genSalt(8). */
function checkBcrypt(context: RuleContext<MessageId>, call: ts.CallExpression, path: string): void {
  let argument: ts.Expression | undefined;
  if (path === 'genSalt' || path === 'genSaltSync') argument = call.arguments[0];
  else if (path === 'hash' || path === 'hashSync') argument = call.arguments[1];
  if (!argument) return;
  const cost = getNumber(context.semantics, argument);
  if (cost === undefined) recordImportedCost(context, argument, 'bcryptCost');
  if (cost === undefined || cost >= MIN_BCRYPT_COST) return;
  if (context.semantics.evaluate(argument).kind === 'string') return;
  context.report({ node: argument, messageId: 'bcryptCost', data: { cost } });
}

function checkForge(context: RuleContext<MessageId>, call: ts.CallExpression, api: CryptoApi, path: string): void {
  if (path === 'pkcs5.pbkdf2') {
    checkSalt(context, call.arguments[1], call, 'pbkdf2');
    if (call.arguments[2]) checkIterations(context, call.arguments[2]);
    return;
  }
  const digest = getForgeDigest(api);
  checkFastHash(context, call, digest && isFastHash(digest) ? digest : undefined, false);
}

/** Reports a fast digest whose input or output the names mark as a password. */
function checkFastHash(context: RuleContext<MessageId>, call: ts.CallExpression, algorithm: string | undefined, oneCall: boolean): void {
  if (!algorithm) return;
  const use = getHashUse(context.semantics, call, oneCall);
  if (getHashPurpose(context.semantics, use) !== 'password' || feedsSlowHash(context.semantics, use.output, 0)) return;
  context.report({ node: getCallTarget(call), messageId: 'fastHash', data: { algorithm: algorithm.toUpperCase() } });
}

/**
 * True when the digest is hashed again by bcrypt, scrypt, Argon2 or PBKDF2:
 * a pepper applied with HMAC, or SHA-256 to fit bcrypt's 72-byte limit.
 */
function feedsSlowHash(sem: FileSemantics, output: ts.Expression, depth: number): boolean {
  let node: ts.Node = output;
  while (ts.isParenthesizedExpression(node.parent) || ts.isAsExpression(node.parent) || ts.isAwaitExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  if (ts.isCallExpression(parent) && parent.arguments.includes(node as ts.Expression)) return isSlowHash(sem, parent);
  if (!ts.isVariableDeclaration(parent) || !ts.isIdentifier(parent.name) || depth > 2) return false;
  const declaration = sem.resolve(parent.name);
  const scope = getEnclosingFunction(parent) ?? sem.sourceFile;
  let feeds = false;
  const visit = (current: ts.Node): void => {
    if (feeds) return;
    if (ts.isIdentifier(current) && current !== parent.name && sem.resolve(current) === declaration) feeds = feedsSlowHash(sem, current, depth + 1);
    else ts.forEachChild(current, visit);
  };
  visit(scope);
  return feeds;
}

function isSlowHash(sem: FileSemantics, call: ts.CallExpression): boolean {
  const api = getCryptoApi(sem, call.expression);
  if (!api) return false;
  if (api.library === 'bcrypt' || api.library === 'argon2') return true;
  return api.library === 'node' && /^(pbkdf2|pbkdf2Sync|scrypt|scryptSync)$/.test(api.path.join('.'));
}

function checkIterations(context: RuleContext<MessageId>, argument: ts.Expression): void {
  const iterations = getNumber(context.semantics, argument);
  if (iterations === undefined) recordImportedCost(context, argument, 'pbkdf2Iterations');
  if (iterations === undefined || iterations >= MIN_PBKDF2_ITERATIONS) return;
  context.report({ node: argument, messageId: 'pbkdf2Iterations', data: { iterations: iterations.toLocaleString('en-US') } });
}

function checkIterationsOption(context: RuleContext<MessageId>, options: ts.Expression): void {
  const lookup = lookupOption(context.semantics, options, ['iterations']);
  if (lookup.kind !== 'set' || !lookup.expression) return;
  const iterations = getNumber(context.semantics, lookup.expression);
  if (iterations === undefined || iterations >= MIN_PBKDF2_ITERATIONS) return;
  context.report({ node: lookup.node, messageId: 'pbkdf2Iterations', data: { iterations: iterations.toLocaleString('en-US') } });
}

/** scrypt's cost is `N` or its alias `cost`. */
function checkScrypt(context: RuleContext<MessageId>, options: ts.Expression): void {
  for (const name of ['N', 'cost']) {
    const lookup = lookupOption(context.semantics, options, [name]);
    if (lookup.kind !== 'set' || !lookup.expression) continue;
    const cost = getNumber(context.semantics, lookup.expression);
    if (cost !== undefined && cost < MIN_SCRYPT_COST) context.report({ node: lookup.node, messageId: 'scryptCost', data: { cost } });
    return;
  }
}

function checkArgon2(context: RuleContext<MessageId>, options: ts.Expression): void {
  const sem = context.semantics;
  const memory = lookupOption(sem, options, ['memoryCost']);
  if (memory.kind !== 'set' || !memory.expression) return;
  const memoryCost = getNumber(sem, memory.expression);
  const time = lookupOption(sem, options, ['timeCost']);
  // node-argon2 and @node-rs/argon2 both default to 3 passes.
  const passes = time.kind === 'set' && time.expression ? getNumber(sem, time.expression) : time.kind === 'missing' ? 3 : undefined;
  if (memoryCost === undefined || passes === undefined) return;
  const required = ARGON2_MIN_MEMORY[Math.min(Math.max(Math.floor(passes), 1), 5)]!;
  if (memoryCost >= required) return;
  context.report({ node: memory.node, messageId: 'argon2Memory', data: { memory: memoryCost, passes, required } });
}

/**
 * Reports a salt that never changes. A key derived from one configured
 * secret (`pbkdf2Sync(process.env.MASTER_KEY, process.env.SALT, ...)`) has a
 * single input, so a fixed salt costs nothing there and is left alone.
 */
function checkSalt(context: RuleContext<MessageId>, salt: ts.Expression | undefined, call: ts.CallExpression, method: string): void {
  const input = call.arguments[0];
  if (!salt || !input) return;
  const inputValue = context.semantics.evaluate(input);
  if (inputValue.kind !== 'unknown' && inputValue.kind !== 'concat') return;
  const reason = getStaticBytesReason(context.semantics, salt, call);
  if (reason !== 'constant' && reason !== 'configuration') return;
  context.report({ node: salt, messageId: 'constantSalt', data: { method } });
}
