import { ts } from '../typescript.js';
import type { FileSemantics } from '../analysis/semantics.js';
import { packageName, packagePath } from '../analysis/origin.js';
import { splitWords } from '../analysis/sensitive.js';
import { getEnclosingClass, getEnclosingFunction, getFunctionName, getMemberName, isFunctionNode, propertyNameText, skipOuterExpressions } from '../analysis/syntax.js';
import { defineRule } from './rule.js';
import { getCryptoApi } from './shared/crypto-apis.js';
import { mayImport, mayMention, mayNameProperty } from './shared/file-imports.js';
import { classifySecretName, isDescriptiveName } from './shared/secret-value-names.js';
import { gatherWalkLists } from './shared/walk-lists.js';
import { isTestSourceFile } from './shared/test-files.js';

/** A source of values that an attacker can predict. */
interface WeakSource {
  /** For messages: `Math.random()`, `uuid v1`, `Date.now()`. */
  label: string;
  /** A clock reading is predictable but not random, so it is reported only when nothing random is mixed in. */
  clock: boolean;
}

/** The destination of a weak value: the name that marks it as a secret, and the node that receives it. */
interface Holder {
  name: string;
  node: ts.Node;
}

/** Methods of a value that hand on what it was built from. */
const TRANSPARENT_METHODS = new Set([
  'toString',
  'slice',
  'substring',
  'substr',
  'padStart',
  'padEnd',
  'toUpperCase',
  'toLowerCase',
  'replace',
  'replaceAll',
  'toFixed',
  'join',
  'concat',
  'split',
  'repeat',
  'digest',
  'update',
  'trim',
  'map',
  'reduce',
]);

/** Functions whose result carries their argument's randomness. */
const TRANSPARENT_FUNCTIONS = new Set(['floor', 'round', 'ceil', 'trunc', 'abs', 'String', 'Number', 'parseInt', 'parseFloat', 'BigInt', 'fromCharCode', 'from', 'encodeURIComponent', 'btoa']);

/** Functions that take a callback and return what it builds: `Array.from({ length }, () => pick())`, lodash `times(n, pick)`. */
const CALLBACK_BUILDERS = new Set(['from', 'map', 'flatMap', 'fill', 'replace', 'replaceAll', 'reduce', 'times']);

/** Bare names that need context: a `key` in code about API keys, a `code` in code about one-time codes, an `id` of a session. */
const CONTEXT_QUALIFIERS: Record<string, RegExp> = {
  key: /api[-_ ]?keys?|access[-_ ]?keys?|secret[-_ ]?keys?|license/i,
  code: /otp|verif|reset|confirm|2fa|mfa|one[-_ ]?time|login|sign[-_ ]?in|activation|invite/i,
  id: /session/i,
  sid: /session/i,
};

const MAX_DEPTH = 3;
const MAX_HOPS = 24;

export default defineRule({
  meta: {
    id: 'insecure-randomness',
    title: 'Predictable value used as a secret',
    summary:
      'Flags tokens, passwords, API keys, session ids, reset and one-time codes, nonces and salts made with `Math.random()`, lodash `random`, uuid v1, non-secure nanoid or the clock. These values can be predicted from a few samples; use `crypto.randomBytes`, `crypto.randomInt` or `crypto.randomUUID`.',
    severity: 'high',
    precision: 'high',
    cwe: [338],
    owasp: 'A02:2021-Cryptographic Failures',
    messages: {
      predictable: '{{source}} is not a cryptographically secure source, and it makes `{{holder}}`; use crypto.randomBytes(), crypto.randomInt() or crypto.randomUUID().',
      clock: '`{{holder}}` is built from {{source}}, which an attacker can guess to the millisecond; use crypto.randomBytes() or crypto.randomUUID().',
    },
  },
  create(context) {
    const sem = context.semantics;
    const reported = new Set<ts.Node>();
    const { lists, visitors } = gatherWalkLists(context, ['invocations']);
    return {
      ...visitors,
      onEnd() {
        // Values made in a test protect nothing: `const token = fakeMrn()` in `patients.test.ts`.
        if (!mayHaveWeakSource(sem.sourceFile) || isTestSourceFile(context.file)) return;
        for (const call of lists.calls.nodes) {
          const source = getWeakSource(sem, call);
          if (!source || (source.clock && isTimeDifference(call))) continue;
          const holder = findSecretHolder(sem, call, 0, new Set());
          if (!holder || reported.has(holder.node)) continue;
          if (source.clock && mixesInRandomSource(sem, holder.node)) continue;
          reported.add(holder.node);
          context.report({
            node: call,
            messageId: source.clock ? 'clock' : 'predictable',
            data: { source: source.label, holder: holder.name },
            related: holder.node === call ? [] : [{ node: holder.node, message: `${holder.name} is given the value here.` }],
          });
        }
      },
    };
  },
});

/** Packages of the weak sources {@link getWeakSource} knows. */
const WEAK_PACKAGES = new Set(['lodash', 'lodash-es', 'underscore', 'uuid', 'nanoid', 'shortid', 'seedrandom']);

/**
 * True when a call of the file may be a weak source: the file imports one of
 * their packages, or names a global with one of its weak members. A global's
 * origin starts at its name, and each step of the path at a property name.
 */
function mayHaveWeakSource(sourceFile: ts.SourceFile): boolean {
  if (mayImport(sourceFile, WEAK_PACKAGES)) return true;
  const named = (global: string, ...members: string[]): boolean =>
    mayMention(sourceFile, global) && members.some((member) => mayNameProperty(sourceFile, member));
  return named('Math', 'random') || named('Date', 'now', 'getTime', 'valueOf') || named('performance', 'now') || named('process', 'hrtime');
}

/** `Math.random()`, lodash's `random()`, uuid's `v1()`, nanoid's non-secure generators, and `Date.now()`. */
function getWeakSource(sem: FileSemantics, call: ts.CallExpression): WeakSource | undefined {
  const origin = sem.originOf(call.expression);
  const path = origin.root.kind === 'module' ? packagePath(origin) : origin.path;
  if (origin.root.kind === 'global') {
    const name = `${origin.root.name}.${origin.path.join('.')}`;
    if (name === 'Math.random') return { label: 'Math.random()', clock: false };
    if (name === 'Date.now') return { label: 'Date.now()', clock: true };
    if (name === 'performance.now' || name === 'process.hrtime' || name === 'process.hrtime.bigint') return { label: `${name}()`, clock: true };
    if ((name === 'Date.new.getTime' || name === 'Date.new.valueOf') && isCurrentTime(call)) return { label: 'new Date().getTime()', clock: true };
    return undefined;
  }
  if (origin.root.kind !== 'module' || sem.isProjectModule(origin)) return undefined;
  const specifier = origin.root.specifier;
  const pkg = packageName(specifier);
  const last = path[path.length - 1];
  if ((pkg === 'lodash' || pkg === 'lodash-es' || pkg === 'underscore') && (last === 'random' || specifier.endsWith('/random'))) {
    return { label: 'lodash random()', clock: false };
  }
  if (pkg === 'uuid' && (last === 'v1' || specifier === 'uuid/v1')) return { label: 'uuid v1, which encodes the time and the host,', clock: false };
  if (specifier === 'nanoid/non-secure') return { label: 'nanoid/non-secure, which uses Math.random(),', clock: false };
  if (pkg === 'shortid' || pkg === 'seedrandom') return { label: pkg, clock: false };
  return undefined;
}

/** `new Date().getTime()` reads the clock; `new Date(value).getTime()` converts a given date. */
function isCurrentTime(call: ts.CallExpression): boolean {
  const callee = skipOuterExpressions(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return false;
  const receiver = skipOuterExpressions(callee.expression);
  return ts.isNewExpression(receiver) && !receiver.arguments?.length;
}

/**
 * Follows a value up the tree until something names it: a variable, a
 * property, an assignment target, a function that returns it, or a call it
 * is passed to. Variables and functions that do not name a secret are
 * followed to their uses and callers in this file.
 */
function findSecretHolder(sem: FileSemantics, start: ts.Node, depth: number, seen: Set<ts.Node>): Holder | undefined {
  if (depth > MAX_DEPTH || seen.has(start)) return undefined;
  seen.add(start);
  let current: ts.Node = start;
  for (let hops = 0; hops < MAX_HOPS; hops++) {
    const parent: ts.Node = current.parent;
    if (!parent) return undefined;
    const next = getCarrier(sem, current, parent);
    if (next) {
      current = next;
      continue;
    }
    return judgeHolder(sem, current, parent, depth, seen);
  }
  return undefined;
}

/**
 * Returns true when a clock reading is part of a subtraction, as in
 * `payload.exp * 1000 - Date.now()`. The result is then a duration, not an
 * identifier, whatever the variable that receives it is called.
 */
function isTimeDifference(call: ts.CallExpression): boolean {
  let current: ts.Node = call;
  while (ts.isParenthesizedExpression(current.parent) || (ts.isBinaryExpression(current.parent) && isArithmetic(current.parent.operatorToken.kind))) {
    const parent: ts.Node = current.parent;
    if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.MinusToken) return true;
    current = parent;
  }
  return false;
}

/** Returns the node that carries the value one step further, or undefined when `parent` receives it. */
function getCarrier(sem: FileSemantics, current: ts.Node, parent: ts.Node): ts.Node | undefined {
  if (
    ts.isParenthesizedExpression(parent) ||
    ts.isAsExpression(parent) ||
    ts.isNonNullExpression(parent) ||
    ts.isAwaitExpression(parent) ||
    ts.isTypeAssertionExpression(parent) ||
    ts.isSatisfiesExpression(parent) ||
    ts.isTemplateSpan(parent) ||
    ts.isTemplateExpression(parent) ||
    ts.isArrayLiteralExpression(parent) ||
    ts.isSpreadElement(parent)
  ) {
    return parent;
  }
  if (ts.isConditionalExpression(parent)) return parent.condition === current ? undefined : parent;
  if (ts.isBinaryExpression(parent) && isArithmetic(parent.operatorToken.kind)) return parent;
  if (ts.isPropertyAccessExpression(parent) && parent.expression === current) {
    const call = parent.parent;
    return ts.isCallExpression(call) && call.expression === parent && TRANSPARENT_METHODS.has(parent.name.text) ? call : undefined;
  }
  if (ts.isElementAccessExpression(parent) && parent.argumentExpression === current) {
    // ALPHABET[Math.floor(Math.random() * ALPHABET.length)] picks a character: the result is as random as the index.
    const table = sem.evaluate(parent.expression);
    return table.kind === 'string' || table.kind === 'array' ? parent : undefined;
  }
  if (ts.isCallExpression(parent) && parent.arguments.includes(current as ts.Expression)) return getCallCarrier(sem, parent);
  if ((ts.isArrowFunction(parent) && parent.body === current) || ts.isReturnStatement(parent)) {
    const fn = ts.isArrowFunction(parent) ? parent : getEnclosingFunction(parent);
    const builder = fn?.parent;
    if (fn && builder && ts.isCallExpression(builder) && builder.arguments.includes(fn as ts.Expression)) {
      const callee = skipOuterExpressions(builder.expression);
      const name = ts.isIdentifier(callee) ? callee.text : getMemberName(callee);
      if (name && CALLBACK_BUILDERS.has(name)) return builder;
    }
  }
  return undefined;
}

function getCallCarrier(sem: FileSemantics, call: ts.CallExpression): ts.Node | undefined {
  const callee = skipOuterExpressions(call.expression);
  const name = ts.isIdentifier(callee) ? callee.text : getMemberName(callee);
  if (!name) return undefined;
  if (TRANSPARENT_FUNCTIONS.has(name) || TRANSPARENT_METHODS.has(name)) return call;
  if (name === 'charAt' || name === 'at' || name === 'codePointAt') {
    const receiver = ts.isPropertyAccessExpression(callee) ? sem.evaluate(callee.expression) : undefined;
    return receiver?.kind === 'string' || receiver?.kind === 'array' ? call : undefined;
  }
  return undefined;
}

function isArithmetic(kind: ts.SyntaxKind): boolean {
  switch (kind) {
    case ts.SyntaxKind.PlusToken:
    case ts.SyntaxKind.MinusToken:
    case ts.SyntaxKind.AsteriskToken:
    case ts.SyntaxKind.SlashToken:
    case ts.SyntaxKind.PercentToken:
    case ts.SyntaxKind.BarToken:
    case ts.SyntaxKind.CaretToken:
    case ts.SyntaxKind.AmpersandToken:
    case ts.SyntaxKind.LessThanLessThanToken:
    case ts.SyntaxKind.GreaterThanGreaterThanToken:
    case ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken:
    case ts.SyntaxKind.AsteriskAsteriskToken:
    case ts.SyntaxKind.QuestionQuestionToken:
    case ts.SyntaxKind.BarBarToken:
      return true;
    default:
      return false;
  }
}

/** Decides whether what receives the value names a secret, following neutral names to their uses. */
function judgeHolder(sem: FileSemantics, current: ts.Node, parent: ts.Node, depth: number, seen: Set<ts.Node>): Holder | undefined {
  if (ts.isVariableDeclaration(parent) && parent.initializer === current && ts.isIdentifier(parent.name)) {
    // `const passwordChangedAt = Date.now()` is a time, whatever the function that returns it is called.
    if (isDescriptiveName(parent.name.text)) return undefined;
    return judgeName(sem, parent.name.text, parent) ?? followVariable(sem, parent.name, depth, seen);
  }
  if (ts.isBinaryExpression(parent) && parent.right === current && isAssignment(parent.operatorToken.kind)) {
    const target = skipOuterExpressions(parent.left);
    if (ts.isIdentifier(target)) return judgeName(sem, target.text, parent) ?? followVariable(sem, target, depth, seen);
    const name = getMemberName(target);
    return name ? judgeName(sem, name, parent) : undefined;
  }
  if (ts.isPropertyAssignment(parent) && parent.initializer === current) {
    const name = propertyNameText(parent.name);
    if (!name) return undefined;
    const own = judgeName(sem, name, parent);
    if (own) return own;
    // `return { id: random() }` from `createSession()`: the object's holder qualifies the member.
    const outer = findSecretHolder(sem, parent.parent, depth + 1, seen);
    return outer && CONTEXT_QUALIFIERS[name.toLowerCase()] ? { name: `${outer.name}.${name}`, node: outer.node } : undefined;
  }
  if (ts.isReturnStatement(parent) || (ts.isArrowFunction(parent) && parent.body === current)) {
    const fn = ts.isReturnStatement(parent) ? getEnclosingFunction(parent) : parent;
    if (!fn) return undefined;
    const name = getFunctionName(fn);
    const own = name ? judgeName(sem, name, parent) : undefined;
    if (own) return own;
    for (const caller of [...sem.getLocalCallers(fn), ...getBuildersGiven(sem, fn)]) {
      const found = findSecretHolder(sem, caller, depth + 1, seen);
      if (found) return found;
    }
    return undefined;
  }
  if (ts.isCallExpression(parent) && parent.arguments.includes(current as ts.Expression)) return judgeCallArgument(sem, parent);
  if (ts.isShorthandPropertyAssignment(parent)) return judgeName(sem, parent.name.text, parent);
  return undefined;
}

/** Calls that build a value from the function passed by name: `Array.from({ length: 6 }, randomDigit)`. */
function getBuildersGiven(sem: FileSemantics, fn: ts.FunctionLikeDeclaration): ts.CallExpression[] {
  const name = getFunctionName(fn);
  if (!name) return [];
  const builders: ts.CallExpression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && node.text === name) {
      const call = node.parent;
      if (ts.isCallExpression(call) && call.arguments.includes(node)) {
        const callee = skipOuterExpressions(call.expression);
        const method = ts.isIdentifier(callee) ? callee.text : getMemberName(callee);
        if (method && CALLBACK_BUILDERS.has(method) && sem.getLocalFunction(sem.originOf(node)) === fn) builders.push(call);
      }
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sem.sourceFile);
  return builders;
}

/** `res.cookie('sid', value)`, `saveResetToken(value)`, `redis.set(`otp:${id}`, value)`: the callee and constant labels name the value. */
function judgeCallArgument(sem: FileSemantics, call: ts.CallExpression): Holder | undefined {
  const callee = skipOuterExpressions(call.expression);
  const calleeName = ts.isIdentifier(callee) ? callee.text : getMemberName(callee);
  const labels = call.arguments.flatMap((argument) => {
    if (ts.isStringLiteralLike(argument)) return [argument.text];
    if (ts.isTemplateExpression(argument)) return [argument.head.text];
    return [];
  });
  for (const label of labels) {
    const holder = judgeName(sem, label, call);
    if (holder) return holder;
  }
  if (calleeName && /^(set|save|store|create|issue|send|generate|make|new)/i.test(calleeName)) return judgeName(sem, calleeName, call);
  return undefined;
}

function isAssignment(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

/** Returns a holder when the name marks a secret, or when a bare `key`, `code` or `id` sits in code about secrets. */
function judgeName(sem: FileSemantics, name: string, node: ts.Node): Holder | undefined {
  if (classifySecretName(name, { keepEndings: ['link', 'url'] })) return { name, node };
  const words = splitWords(name);
  const last = words[words.length - 1];
  const qualifier = last ? CONTEXT_QUALIFIERS[last] : undefined;
  if (!qualifier || words.length > 2) return undefined;
  return qualifier.test(getContextText(node, last!)) ? { name, node } : undefined;
}

/**
 * Names of the enclosing functions and class, and the path of the route they
 * handle. For `key` and `code`, the text of the innermost function counts
 * too, so `insert({ key })` into `apiKeys` marks the key.
 */
function getContextText(node: ts.Node, word: string): string {
  const parts: string[] = [];
  const innermost = getEnclosingFunction(node);
  for (let fn = innermost; fn; fn = getEnclosingFunction(fn)) {
    const name = getFunctionName(fn);
    if (name) parts.push(name);
    const registration = fn.parent;
    if (ts.isCallExpression(registration)) {
      const path = registration.arguments[0];
      if (path && ts.isStringLiteralLike(path)) parts.push(path.text);
    }
  }
  const owner = getEnclosingClass(node);
  if (owner?.name) parts.push(owner.name.text);
  if ((word === 'key' || word === 'code') && innermost?.body) parts.push(innermost.body.getText().slice(0, 4000));
  return parts.join(' ');
}

/** Follows a variable whose name marks nothing to the places that read it. */
function followVariable(sem: FileSemantics, name: ts.Identifier, depth: number, seen: Set<ts.Node>): Holder | undefined {
  const declaration = sem.resolve(name);
  if (!declaration || (declaration.kind !== 'variable' && declaration.kind !== 'parameter')) return undefined;
  const scope = getEnclosingFunction(declaration.node) ?? name.getSourceFile();
  let found: Holder | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(node) && node !== declaration.name && node.text === name.text && !isWriteTarget(node) && sem.resolve(node) === declaration) {
      found = findSecretHolder(sem, node, depth + 1, seen);
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(scope);
  return found;
}

function isWriteTarget(identifier: ts.Identifier): boolean {
  const parent = identifier.parent;
  return ts.isBinaryExpression(parent) && parent.left === identifier && isAssignment(parent.operatorToken.kind);
}

/**
 * True when the value the holder receives also draws on a random source,
 * such as `${Date.now()}-${randomBytes(8).toString('hex')}`: the clock then
 * only keeps values unique, and a `Math.random()` beside it is reported on its own.
 */
function mixesInRandomSource(sem: FileSemantics, holder: ts.Node): boolean {
  let random = false;
  const visit = (node: ts.Node): void => {
    if (random || isFunctionNode(node)) return;
    if (ts.isCallExpression(node)) {
      const api = getCryptoApi(sem, node.expression);
      const last = api?.path[api.path.length - 1];
      if (api && ((api.library === 'node' && /^(randomBytes|randomUUID|randomInt|getRandomValues|randomFillSync)$/.test(last ?? '')) || api.library === 'nanoid' || (api.library === 'uuid' && last === 'v4'))) {
        random = true;
        return;
      }
      const origin = sem.originOf(node.expression);
      if (origin.root.kind === 'global' && origin.root.name === 'Math' && origin.path[0] === 'random') {
        random = true;
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(holder);
  return random;
}
