import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { skipOuterExpressions } from '../../analysis/syntax.js';
import type { Value } from '../../analysis/values.js';

/**
 * The unit in which a library reads a number given as a lifetime:
 * - `seconds`: jsonwebtoken and NestJS `expiresIn`;
 * - `milliseconds`: fast-jwt `expiresIn`;
 * - `timestamp`: jose `setExpirationTime(number)` and an `exp` claim, which are
 *   absolute times in seconds since the epoch.
 * Strings are time spans such as `'2h'` or `'7 days'` for every library.
 */
export type LifetimeUnit = 'seconds' | 'milliseconds' | 'timestamp';

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** A year as the `ms` package and jose count it. */
const YEAR = 365.25 * DAY;

/** Seconds per unit of a time span, in the spellings of the `ms` package and of jose. */
const SPAN_UNITS: Array<[RegExp, number]> = [
  [/^(ms|msecs?|milliseconds?)$/, 0.001],
  [/^(s|secs?|seconds?)$/, 1],
  [/^(m|mins?|minutes?)$/, MINUTE],
  [/^(h|hrs?|hours?)$/, HOUR],
  [/^(d|days?)$/, DAY],
  [/^(w|weeks?)$/, 7 * DAY],
  [/^(y|yrs?|years?)$/, YEAR],
];

/**
 * Parses a time span such as `'30d'`, `'2h'`, `'7 days'` or `'1.5 hours'`
 * into seconds. A number without a unit is milliseconds, as the `ms` package
 * that jsonwebtoken uses reads it (`'120'` is 120 ms).
 */
export function parseTimeSpan(text: string): number | undefined {
  const match = /^\s*\+?\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/i.exec(text);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = match[2]!.toLowerCase();
  if (unit === '') return amount / 1000;
  for (const [pattern, seconds] of SPAN_UNITS) {
    if (pattern.test(unit)) return amount * seconds;
  }
  return undefined;
}

/**
 * Computes the lifetime in seconds that an option value gives a token, or
 * undefined when it cannot be known. `expression` is the option's source, needed for
 * `timestamp` values of the form `Math.floor(Date.now() / 1000) + N`.
 */
export function getLifetime(
  sem: FileSemantics | undefined,
  value: Value,
  unit: LifetimeUnit,
  expression?: ts.Expression,
): number | undefined {
  if (value.kind === 'string') return parseTimeSpan(value.value);
  if (unit === 'timestamp') return sem && expression ? getSecondsFromNow(sem, expression, 0) : undefined;
  if (value.kind !== 'number') return undefined;
  return unit === 'milliseconds' ? value.value / 1000 : value.value;
}

const MAX_DEPTH = 12;

/**
 * Computes how many seconds from now a timestamp (in seconds) built from the clock lies:
 * `Math.floor(Date.now() / 1000) + 3600`, `now + 60 * 60` with
 * `const now = Math.floor(Date.now() / 1000)`, or
 * `Math.floor((Date.now() + 3600 * 1000) / 1000)`.
 */
export function getSecondsFromNow(sem: FileSemantics, expression: ts.Expression, depth: number): number | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const node = skipOuterExpressions(expression);
  if (ts.isCallExpression(node)) {
    const rounded = getRoundedArgument(node);
    return rounded ? getSecondsFromNow(sem, rounded, depth + 1) : undefined;
  }
  if (ts.isIdentifier(node)) {
    const initializer = getConstInitializer(sem, node);
    return initializer ? getSecondsFromNow(sem, initializer, depth + 1) : undefined;
  }
  if (!ts.isBinaryExpression(node)) return undefined;
  const operator = node.operatorToken.kind;
  if (operator === ts.SyntaxKind.SlashToken && getNumber(sem, node.right) === 1000) {
    const milliseconds = getMillisecondsFromNow(sem, node.left, depth + 1);
    return milliseconds === undefined ? undefined : milliseconds / 1000;
  }
  if (operator === ts.SyntaxKind.BarToken && getNumber(sem, node.right) === 0) {
    return getSecondsFromNow(sem, node.left, depth + 1);
  }
  return getOffset(sem, node, depth, getSecondsFromNow);
}

/** Computes how many milliseconds from now `Date.now() + N`, `new Date().getTime() + N` and the like lie. */
function getMillisecondsFromNow(sem: FileSemantics, expression: ts.Expression, depth: number): number | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const node = skipOuterExpressions(expression);
  if (isClockNow(node)) return 0;
  if (ts.isIdentifier(node)) {
    const initializer = getConstInitializer(sem, node);
    return initializer ? getMillisecondsFromNow(sem, initializer, depth + 1) : undefined;
  }
  if (!ts.isBinaryExpression(node)) return undefined;
  return getOffset(sem, node, depth, getMillisecondsFromNow);
}

/** Adds the constant in `clock + N`, `N + clock` and `clock - N` to what `fromNow` reads from `clock`. */
function getOffset(
  sem: FileSemantics,
  node: ts.BinaryExpression,
  depth: number,
  fromNow: (sem: FileSemantics, expression: ts.Expression, depth: number) => number | undefined,
): number | undefined {
  const operator = node.operatorToken.kind;
  if (operator !== ts.SyntaxKind.PlusToken && operator !== ts.SyntaxKind.MinusToken) return undefined;
  const left = fromNow(sem, node.left, depth + 1);
  const right = getNumber(sem, node.right);
  if (left !== undefined && right !== undefined) return operator === ts.SyntaxKind.PlusToken ? left + right : left - right;
  if (operator === ts.SyntaxKind.MinusToken) return undefined;
  const leftNumber = getNumber(sem, node.left);
  const rightFromNow = fromNow(sem, node.right, depth + 1);
  return leftNumber !== undefined && rightFromNow !== undefined ? leftNumber + rightFromNow : undefined;
}

/** True for `Date.now()`, `new Date().getTime()`, `new Date().valueOf()` and `+new Date()`. */
function isClockNow(node: ts.Expression): boolean {
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.PlusToken) {
    return isNewDate(skipOuterExpressions(node.operand));
  }
  if (!ts.isCallExpression(node) || node.arguments.length > 0) return false;
  const callee = skipOuterExpressions(node.expression);
  if (!ts.isPropertyAccessExpression(callee)) return false;
  const receiver = skipOuterExpressions(callee.expression);
  if (callee.name.text === 'now') return ts.isIdentifier(receiver) && receiver.text === 'Date';
  return (callee.name.text === 'getTime' || callee.name.text === 'valueOf') && isNewDate(receiver);
}

function isNewDate(node: ts.Expression): boolean {
  return (
    ts.isNewExpression(node) &&
    ts.isIdentifier(node.expression) &&
    node.expression.text === 'Date' &&
    (node.arguments?.length ?? 0) === 0
  );
}

/** Returns the argument of `Math.floor(x)`, `Math.round(x)`, `Math.ceil(x)`, `Math.trunc(x)` or `parseInt(x)`. */
function getRoundedArgument(call: ts.CallExpression): ts.Expression | undefined {
  const callee = skipOuterExpressions(call.expression);
  const argument = call.arguments[0];
  if (!argument) return undefined;
  if (ts.isIdentifier(callee) && callee.text === 'parseInt') return argument;
  if (
    ts.isPropertyAccessExpression(callee) &&
    ts.isIdentifier(callee.expression) &&
    callee.expression.text === 'Math' &&
    ['floor', 'round', 'ceil', 'trunc'].includes(callee.name.text)
  ) {
    return argument;
  }
  return undefined;
}

function getConstInitializer(sem: FileSemantics, identifier: ts.Identifier): ts.Expression | undefined {
  const declaration = sem.resolve(identifier);
  if (declaration?.kind !== 'variable' || declaration.pattern.length > 0) return undefined;
  return sem.getSingleValue(declaration);
}

function getNumber(sem: FileSemantics, expression: ts.Expression): number | undefined {
  const value = sem.evaluate(expression);
  return value.kind === 'number' ? value.value : undefined;
}

/** Formats a lifetime for messages: `30 days`, `12 hours`, `90 minutes`. */
export function formatLifetime(seconds: number): string {
  const plural = (amount: number, unit: string): string => `${amount} ${unit}${amount === 1 ? '' : 's'}`;
  if (seconds >= YEAR && Number.isInteger(seconds / YEAR)) return plural(seconds / YEAR, 'year');
  if (seconds >= DAY && Number.isInteger(seconds / DAY)) return plural(seconds / DAY, 'day');
  if (seconds >= DAY) return plural(Math.round((seconds / DAY) * 10) / 10, 'day');
  if (seconds >= HOUR && Number.isInteger(seconds / HOUR)) return plural(seconds / HOUR, 'hour');
  if (seconds >= MINUTE && Number.isInteger(seconds / MINUTE)) return plural(seconds / MINUTE, 'minute');
  return plural(Math.round(seconds), 'second');
}

/**
 * The maximum lifetime accepted for a refresh token, in seconds. NIST SP 800-63B (June
 * 2017) asks that a subscriber reauthenticate at least once per 30 days at
 * assurance level 1, the lowest, so a refresh token must not outlive that.
 */
export const REFRESH_TOKEN_MAX_LIFETIME = 30 * DAY;
