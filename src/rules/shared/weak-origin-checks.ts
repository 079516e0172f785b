import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { skipOuterExpressions } from '../../analysis/syntax.js';
import { isOriginValue, type OriginParameters } from './cors-origin.js';

/**
 * Origin checks that let other sites through. An origin is a scheme, a host
 * and a port, so a test of part of it must stop at a dot or at `://`.
 * `origin.endsWith('mediportal.com')` accepts https://evilmediportal.com.
 * `origin.startsWith('https://mediportal.com')` and a pattern without `$`
 * accept https://mediportal.com.attacker.example. An unescaped dot in a
 * pattern matches any character. Each function returns an origin the check
 * wrongly accepts, or undefined when the check is sound or too complex to read.
 */

const ATTACKER_SUFFIX = '.attacker.example';

/** Returns an origin that `origin.<method>(text)` accepts though it is not the site meant. */
export function getWeakMethodExample(method: string, text: string): string | undefined {
  if (text === '') return undefined;
  switch (method) {
    case 'endsWith':
      if (text.startsWith('.') || text.includes('//') || !isRegistrable(text)) return undefined;
      return `https://evil${text}`;
    case 'startsWith':
      // A prefix that ends inside the host lets longer hosts through. One that ends with `/` or `:` does not.
      if (!/:\/\/[^/]*[a-z0-9]$/i.test(text)) return undefined;
      return `${text}${ATTACKER_SUFFIX}`;
    case 'includes':
    case 'indexOf':
      return text.includes('://') ? `${text}${ATTACKER_SUFFIX}` : `https://${text.replace(/^\.+/, '')}${ATTACKER_SUFFIX}`;
    default:
      return undefined;
  }
}

/** Returns an origin that the pattern `source` accepts though its author did not mean it to. */
export function getWeakPatternExample(source: string): string | undefined {
  const sample = samplePattern(source);
  if (!sample) return undefined;
  const withScheme = (text: string): string => (/^[a-z]+:\/\//i.test(text) ? text : `https://${text.replace(/^\/\//, '')}`);
  if (sample.looseDot) return withScheme(sample.text);
  const anchoredEnd = /(^|[^\\])\$$/.test(source);
  if (!anchoredEnd) return `${withScheme(sample.text)}${ATTACKER_SUFFIX}`;
  const anchoredStart = source.startsWith('^');
  const boundedStart = /^(\.|\/\/|:\/\/|[a-z]+:\/\/)/i.test(sample.text);
  if (!anchoredStart && !boundedStart && isRegistrable(sample.text)) return `https://evil${sample.text}`;
  return undefined;
}

/** Returns true for text that ends in a domain whose look-alikes can be registered: `mediportal.com`, not `localhost:3000`. */
function isRegistrable(text: string): boolean {
  const host = text.replace(/:\d+$/, '');
  return /[a-z0-9-]\.[a-z]{2,}$/i.test(host);
}

/**
 * Builds a text the pattern matches, for patterns made of literal characters,
 * escapes, anchors, classes, optional or repeated groups and `.*`. A lone
 * unescaped `.` becomes `x`, and `looseDot` records that it was there.
 * Alternatives at the top level and nested groups are not read.
 */
function samplePattern(source: string): { text: string; looseDot: boolean } | undefined {
  let text = '';
  let looseDot = false;
  let index = 0;
  const body = source.replace(/^\^/, '');
  while (index < body.length) {
    const char = body[index]!;
    let piece: string;
    let next = index + 1;
    let groupLooseDot = false;
    if (char === '\\') {
      const escaped = body[index + 1];
      if (escaped === undefined) return undefined;
      if (escaped === 'd') piece = '1';
      else if (escaped === 'w') piece = 'a';
      else if (escaped === 's') piece = '';
      else if (/[A-Za-z]/.test(escaped)) return undefined;
      else piece = escaped;
      next = index + 2;
    } else if (char === '(') {
      const close = body.indexOf(')', index);
      const inner = body.slice(index + 1, close).replace(/^\?:/, '');
      if (close === -1 || inner.includes('(')) return undefined;
      const first = samplePattern(inner.split('|')[0]!);
      if (!first) return undefined;
      piece = first.text;
      groupLooseDot = first.looseDot && !inner.includes('|');
      looseDot ||= groupLooseDot;
      next = close + 1;
    } else if (char === '[') {
      const close = body.indexOf(']', index);
      if (close === -1) return undefined;
      piece = 'a';
      next = close + 1;
    } else if (char === '.') {
      piece = 'x';
    } else if (char === '|') {
      return undefined;
    } else if (char === '$') {
      piece = '';
    } else if ('*+?{'.includes(char)) {
      return undefined;
    } else {
      piece = char;
    }
    const quantifier = body[next];
    if (quantifier === '?' || quantifier === '*') {
      // An optional or repeated part can be left out, unless its loose dot is the example.
      if (groupLooseDot) text += piece;
      next += 1;
    } else if (quantifier === '+') {
      text += char === '.' ? 'app' : piece;
      next += 1;
    } else if (quantifier === '{') {
      const close = body.indexOf('}', next);
      if (close === -1) return undefined;
      text += piece;
      next = close + 1;
    } else {
      if (char === '.') looseDot = true;
      text += piece;
    }
    index = next;
  }
  return { text, looseDot };
}

/** A weak check of the origin in a function: the call or pattern test, and an origin it wrongly accepts. */
export interface WeakCheck {
  check: string;
  example: string;
}

/**
 * Finds a weak test of the origin parameter in an origin function:
 * `origin.endsWith('mediportal.com')`, `origin.includes('mediportal')`,
 * `/mediportal\.com$/.test(origin)` or `origin.match(pattern)`.
 */
export function findWeakOriginCheck(sem: FileSemantics, fn: ts.FunctionLikeDeclaration, parameters: OriginParameters): WeakCheck | undefined {
  let found: WeakCheck | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(node)) found = readCheck(sem, node, parameters);
    if (!found) ts.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  return found;
}

function readCheck(sem: FileSemantics, call: ts.CallExpression, parameters: OriginParameters): WeakCheck | undefined {
  const callee = skipOuterExpressions(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.name.text;
  const receiver = skipOuterExpressions(callee.expression);
  const argument = call.arguments[0];
  if (!argument) return undefined;
  const check = call.getText().replace(/\s+/g, ' ');
  if (method === 'test' && isOriginValue(sem, argument, parameters)) {
    const pattern = sem.evaluate(receiver);
    const example = pattern.kind === 'regexp' ? getWeakPatternExample(pattern.source) : undefined;
    return example ? { check, example } : undefined;
  }
  if (!isOriginValue(sem, receiver, parameters)) return undefined;
  const value = sem.evaluate(argument);
  if (method === 'match' && value.kind === 'regexp') {
    const example = getWeakPatternExample(value.source);
    return example ? { check, example } : undefined;
  }
  if (value.kind !== 'string') return undefined;
  const example = getWeakMethodExample(method, value.value);
  return example ? { check, example } : undefined;
}
