import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { splitWords } from '../../analysis/sensitive.js';
import { getEnclosingFunction, getFunctionName, getMemberName, isFunctionNode, propertyNameText, skipOuterExpressions } from '../../analysis/syntax.js';
import { classifySecretName, mentionsPassword } from './secret-value-names.js';

/**
 * The purpose of a digest, judged by the names around it:
 * - `password`: a password is hashed, so a fast hash makes it cheap to crack;
 * - `secret`: a token, key or signature depends on the hash resisting collisions and preimages;
 * - `other`: a cache key, ETag, checksum or anything the names do not mark.
 */
export type HashPurpose = 'password' | 'secret' | 'other';

/** The input and the digest of a hash. */
export interface HashUse {
  /** The hashed values: arguments of `update()`, or of a one-call hash such as `md5(text)`. */
  inputs: ts.Expression[];
  /** The outermost expression of the chain that ends in the digest. */
  output: ts.Expression;
}

const CHAIN_METHODS = new Set(['update', 'digest', 'toString', 'toHex', 'hex', 'slice', 'substring', 'substr', 'toUpperCase', 'toLowerCase', 'end', 'read', 'copy']);

/** Names that mark a digest as an identifier of content, not a secret: `etag`, `cacheKey`, `checksum`. */
const CONTENT_WORDS = new Set([
  'etag',
  'cache',
  'checksum',
  'crc',
  'fingerprint',
  'gravatar',
  'avatar',
  'dedupe',
  'dedup',
  'duplicate',
  'bucket',
  'shard',
  'partition',
  'content',
  'file',
  'filename',
  'image',
  'asset',
  'version',
  'revision',
  'color',
  'colour',
  'seed',
  'variant',
  'experiment',
  'cohort',
  'bloom',
  'lock',
  'idempotency',
  'etl',
  'row',
  'chunk',
]);

/** Words of function names whose output is a signature or an authentication check. */
const SIGNING_WORDS = new Set(['sign', 'signature', 'signed', 'hmac', 'verify', 'authenticate', 'authenticator']);

/** Services that take a SHA-1 prefix of a password to check it against breach lists, which is their documented protocol. */
const BREACH_CHECK = /pwnedpasswords|haveibeenpwned/i;

const MAX_DEPTH = 3;

/**
 * Follows a hash from where it is created to its inputs and its digest:
 * `createHash('md5').update(text).digest('hex')`, or a hash object kept in
 * a variable whose `update()` calls come later.
 */
export function getHashUse(sem: FileSemantics, creation: ts.CallExpression, oneCall: boolean): HashUse {
  if (oneCall) return { inputs: creation.arguments.slice(0, 1), output: getChainEnd(creation, []) };
  const inputs: ts.Expression[] = [];
  const output = getChainEnd(creation, inputs);
  const holder = output.parent;
  if (output === creation && holder && ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name)) {
    const scope = getEnclosingFunction(holder) ?? holder.getSourceFile();
    const declaration = sem.resolve(holder.name);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const callee = skipOuterExpressions(node.expression);
        if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'update' && ts.isIdentifier(callee.expression)) {
          if (sem.resolve(callee.expression) === declaration) inputs.push(...node.arguments.slice(0, 1));
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(scope);
  }
  return { inputs, output };
}

function getChainEnd(start: ts.Expression, inputs: ts.Expression[]): ts.Expression {
  let current: ts.Expression = start;
  for (;;) {
    const parent = current.parent;
    if (ts.isPropertyAccessExpression(parent) && parent.expression === current && CHAIN_METHODS.has(parent.name.text)) {
      const call = parent.parent;
      if (ts.isCallExpression(call) && call.expression === parent) {
        if (parent.name.text === 'update') inputs.push(...call.arguments.slice(0, 1));
        current = call;
        continue;
      }
    }
    if (ts.isParenthesizedExpression(parent) || ts.isAwaitExpression(parent) || ts.isAsExpression(parent) || ts.isNonNullExpression(parent)) {
      current = parent;
      continue;
    }
    return current;
  }
}

/** Judges what a hash is for from the names of its inputs, of where its digest goes, and of the function around it. */
export function getHashPurpose(sem: FileSemantics, use: HashUse): HashPurpose {
  if (BREACH_CHECK.test(sem.sourceFile.text) || isReadAsNumber(use.output)) return 'other';
  const inputNames = use.inputs.flatMap((input) => collectNames(sem, input, 0));
  const holderNames = getHolderNames(use.output);
  const fn = getEnclosingFunction(use.output);
  const functionName = fn ? getFunctionName(fn) : undefined;

  const inputKinds = inputNames.map((name) => classifySecretName(name));
  if (inputKinds.includes('password')) return 'password';
  const holderKinds = holderNames.map((name) => classifySecretName(name, { keepEndings: ['hash', 'digest', 'hashed'] }));
  if (holderKinds.includes('password') && !holderKinds.includes('secret')) return 'password';
  // A token hashed in `createPasswordReset()`: the input's name decides over the function's. A salt goes with any input.
  if (inputNames.some((name, index) => inputKinds[index] === 'secret' && !/salt|pepper/i.test(name))) return 'secret';
  if (functionName && classifySecretName(functionName) === 'password' && inputsComeFromParameters(sem, use, fn)) return 'password';
  if (functionName && mentionsPassword(functionName) && isHashingFunctionName(functionName)) return 'password';

  const names = [...holderNames, ...(functionName ? [functionName] : [])];
  if (names.some(isContentName)) return 'other';
  if (holderKinds.includes('secret')) return 'secret';
  if (functionName && (classifySecretName(functionName) === 'secret' || splitWords(functionName).some((word) => SIGNING_WORDS.has(word)))) {
    return 'secret';
  }
  return 'other';
}

/**
 * True when a digest is turned into a number, as `digest().readUInt32BE(0) % SHARDS`
 * or `parseInt(hex.slice(0, 8), 16)`: a bucket or shard, which protects nothing.
 */
function isReadAsNumber(output: ts.Expression): boolean {
  const parent = output.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.expression === output) {
    if (/^read(U?Int|BigU?Int|Float|Double)/.test(parent.name.text)) return true;
    // `hex.slice(0, 8)` before parseInt().
    const call = parent.parent;
    if (parent.name.text === 'slice' || parent.name.text === 'substring') return ts.isCallExpression(call) && isParsedAsInteger(call);
  }
  return isParsedAsInteger(output);
}

function isParsedAsInteger(node: ts.Expression): boolean {
  const parent = node.parent;
  if (!ts.isCallExpression(parent) || !parent.arguments.includes(node)) return false;
  const callee = skipOuterExpressions(parent.expression);
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
  return name === 'parseInt' || name === 'BigInt';
}

/** `hashPassword`, `digestPassword`, `encryptPassword`: a function that exists to turn a password into a stored value. */
function isHashingFunctionName(name: string): boolean {
  return splitWords(name).some((word) => /^(hash|hashed|digest|encrypt|encode|crypt|store|save|make|create|generate|compute)$/.test(word));
}

function isContentName(name: string): boolean {
  return splitWords(name).some((word) => CONTENT_WORDS.has(word));
}

function inputsComeFromParameters(sem: FileSemantics, use: HashUse, fn: ts.FunctionLikeDeclaration | undefined): boolean {
  if (!fn) return false;
  return use.inputs.some((input) => {
    const node = skipOuterExpressions(input);
    if (!ts.isIdentifier(node)) return false;
    const declaration = sem.resolve(node);
    return declaration?.kind === 'parameter' && declaration.fn === fn;
  });
}

/**
 * Names an expression is built from: identifiers and property names, through
 * `const` bindings and, for a parameter, the arguments that callers of the
 * same file pass.
 */
export function collectNames(sem: FileSemantics, expression: ts.Expression, depth: number): string[] {
  const names: string[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunctionNode(node)) return;
    if (ts.isIdentifier(node)) {
      names.push(node.text);
      if (depth < MAX_DEPTH) names.push(...collectDeclarationNames(sem, node, depth));
      return;
    }
    if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
      const name = getMemberName(node);
      if (name && !isCallee(node)) names.push(name);
      visit(node.expression);
      if (ts.isElementAccessExpression(node)) visit(node.argumentExpression);
      return;
    }
    if (ts.isCallExpression(node)) {
      const callee = skipOuterExpressions(node.expression);
      if (ts.isPropertyAccessExpression(callee)) visit(callee.expression);
      node.arguments.forEach(visit);
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(expression);
  return names;
}

function isCallee(node: ts.Node): boolean {
  return ts.isCallExpression(node.parent) && node.parent.expression === node;
}

function collectDeclarationNames(sem: FileSemantics, identifier: ts.Identifier, depth: number): string[] {
  const declaration = sem.resolve(identifier);
  if (declaration?.kind === 'variable') {
    const initializer = sem.getSingleValue(declaration);
    return initializer ? collectNames(sem, initializer, depth + 1) : [];
  }
  if (declaration?.kind === 'parameter' && isFunctionNode(declaration.fn)) {
    return sem.getLocalCallers(declaration.fn).flatMap((call) => {
      const argument = call.arguments[declaration.index];
      return argument ? collectNames(sem, argument, depth + 1) : [];
    });
  }
  return [];
}

/**
 * Names of where a value goes: the variable, property or assignment target
 * that receives it, the function that returns it, and constant strings passed
 * beside it, such as `'ETag'` in `res.set('ETag', digest)`.
 */
export function getHolderNames(expression: ts.Expression): string[] {
  let current: ts.Node = expression;
  for (let hops = 0; hops < 12; hops++) {
    const parent: ts.Node = current.parent;
    if (!parent) return [];
    if (ts.isVariableDeclaration(parent)) return ts.isIdentifier(parent.name) ? [parent.name.text] : [];
    if (ts.isPropertyAssignment(parent)) {
      const name = propertyNameText(parent.name);
      return name ? [name] : [];
    }
    if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && parent.right === current) {
      const target = skipOuterExpressions(parent.left);
      const name = ts.isIdentifier(target) ? target.text : getMemberName(target);
      return name ? [name] : [];
    }
    if (ts.isReturnStatement(parent) || (ts.isArrowFunction(parent) && parent.body === current)) {
      const fn = ts.isReturnStatement(parent) ? getEnclosingFunction(parent) : parent;
      const name = fn ? getFunctionName(fn) : undefined;
      return name ? [name] : [];
    }
    if (ts.isCallExpression(parent) && parent.arguments.includes(current as ts.Expression)) {
      const labels = parent.arguments.filter((argument) => ts.isStringLiteralLike(argument)).map((argument) => (argument as ts.StringLiteralLike).text);
      const callee = skipOuterExpressions(parent.expression);
      const calleeName = ts.isIdentifier(callee) ? callee.text : getMemberName(callee);
      return [...labels, ...(calleeName ? [calleeName] : [])];
    }
    if (
      ts.isParenthesizedExpression(parent) ||
      ts.isAsExpression(parent) ||
      ts.isAwaitExpression(parent) ||
      ts.isTemplateSpan(parent) ||
      ts.isTemplateExpression(parent) ||
      ts.isConditionalExpression(parent) ||
      (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.PlusToken)
    ) {
      current = parent;
      continue;
    }
    if (ts.isPropertyAccessExpression(parent) && ts.isCallExpression(parent.parent) && parent.parent.expression === parent) {
      current = parent.parent;
      continue;
    }
    return [];
  }
  return [];
}
