import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { getConstantText } from '../../analysis/values.js';
import { skipOuterExpressions } from '../../analysis/syntax.js';
import { judgeAll, judgeTaint, type SourceLeaf, type Taint, type TaintOptions } from './injection.js';

/** A piece of a URL built by concatenation: constant text, or an expression. */
type UrlPart = { text: string } | { expression: ts.Expression };

const MAX_DEPTH = 6;

/** Text that fixes the host: a scheme and an authority closed by `/`, `?` or `#`. */
const ABSOLUTE_WITH_HOST = /^[a-z][a-z\d+.-]*:\/\/[^/?#\\]+[/?#\\]/i;
/** Text that starts a path on the same site: one slash, then something other than a slash. */
const SAME_SITE_PATH = /^\/[^/\\]/;
/** Text that follows a base URL and closes its authority. */
const AUTHORITY_END = /^[/?#]/;

/**
 * Parts of the request's own address, which the client sends but cannot point
 * at another site: `req.url`, `req.originalUrl`, `ctx.request.host`,
 * `request.nextUrl`, the Host header, `location.origin`. Redirects and fetches
 * built on them stay on this site. A field of the body or query string that
 * happens to be called `url` or `host` is not one of them.
 */
const OWN_ADDRESS = [
  /^(req|request|ctx|context|c|event)(\.request|\.req)?\.(url|originalUrl|baseUrl|path|href|origin|host|hostname|protocol|secure)$/,
  /^(req|request|ctx|context|c|event)(\.request|\.req)?\.nextUrl(\.(href|origin|host|hostname|protocol|pathname))?$/,
  /^(req|request|ctx|context|c|event)(\.request|\.req)?\.headers\.(host|x-forwarded-host|x-forwarded-proto)$/,
  /^((window|document|self)\.)?location(\.(href|origin|pathname|host|hostname|protocol|port))?$/,
];
/** `req.get('host')` and `req.header('x-forwarded-proto')`, whose labels do not name the header. */
const HOST_HEADER_CALL = /^[\w$.]+\.(get|header)\(\s*['"](host|x-forwarded-host|x-forwarded-proto)['"]\s*\)$/i;

/** True for a source that is the request's own address, see {@link OWN_ADDRESS}. */
export function isOwnAddress(source: SourceLeaf): boolean {
  if (OWN_ADDRESS.some((pattern) => pattern.test(source.label))) return true;
  return source.label.endsWith('()') && HOST_HEADER_CALL.test(source.node.getText());
}

/**
 * Judges the parts of a URL that can choose its host. Parts after a constant
 * origin such as `https://api.example.com/` or `${API_URL}/`, or after a path
 * such as `/patients/`, only fill the path or the query, so they are left out.
 * `new URL(path, base)` takes its host from `base` when `path` is such a path.
 */
export function judgeUrlHost(sem: FileSemantics, url: ts.Expression, options: TaintOptions): Taint {
  return judgeAll(sem, getHostExpressions(sem, url, options, 0), options);
}

/** Lists the expressions of a URL that can set its host. */
export function getHostExpressions(sem: FileSemantics, url: ts.Expression, options: TaintOptions, depth: number): ts.Expression[] {
  const expression = skipOuterExpressions(url);
  if (depth > MAX_DEPTH) return [expression];

  const target = getUrlObjectTarget(expression) ?? getUrlObjectValue(sem, expression, options);
  if (target) return getHostExpressions(sem, target, options, depth + 1);

  if (isNewUrl(expression)) {
    const [input, base] = expression.arguments ?? [];
    if (!input) return [];
    const inputHost = getHostExpressions(sem, input, options, depth + 1);
    if (base && isSameSitePath(sem, input, depth)) return getHostExpressions(sem, base, options, depth + 1);
    return inputHost;
  }

  const parts = getUrlParts(sem, expression, options, depth);
  const host: ts.Expression[] = [];
  let text = '';
  for (const part of parts) {
    if (closesHost(text)) break;
    if ('text' in part) {
      text += part.text;
      continue;
    }
    host.push(part.expression);
    text += EXPRESSION_MARK;
  }
  return host;
}

/** Stands for an expression in the text of a URL while its host is being read. */
const EXPRESSION_MARK = '\u0000';

/**
 * True when the text read so far fixes the host: a scheme and an authority,
 * a path on the same site, or a base URL from an expression followed by `/`,
 * as in `${API_URL}/patients`.
 */
function closesHost(text: string): boolean {
  return ABSOLUTE_WITH_HOST.test(text) || SAME_SITE_PATH.test(text) || (text.startsWith(EXPRESSION_MARK) && AUTHORITY_END.test(text.slice(1)));
}

function isNewUrl(expression: ts.Expression): expression is ts.NewExpression {
  return ts.isNewExpression(expression) && ts.isIdentifier(expression.expression) && expression.expression.text === 'URL';
}

/**
 * Returns the `new URL(...)` a name is bound to, unless the name is already
 * safe where it is read: `const target = new URL(path, BASE)`.
 */
function getUrlObjectValue(sem: FileSemantics, expression: ts.Expression, options: TaintOptions): ts.Expression | undefined {
  if (!ts.isIdentifier(expression)) return undefined;
  const declaration = sem.resolve(expression);
  const initializer = declaration?.kind === 'variable' && declaration.pattern.length === 0 ? sem.getSingleValue(declaration) : undefined;
  const value = initializer && skipOuterExpressions(initializer);
  if (!value || !isNewUrl(value)) return undefined;
  return judgeTaint(sem, expression, options).sources.length > 0 ? value : undefined;
}

/** `url.href`, `url.toString()` and `String(url)` are the URL itself. */
function getUrlObjectTarget(expression: ts.Expression): ts.Expression | undefined {
  if (ts.isPropertyAccessExpression(expression) && expression.name.text === 'href') return expression.expression;
  if (!ts.isCallExpression(expression) || expression.arguments.length > 1) return undefined;
  const callee = skipOuterExpressions(expression.expression);
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'toString' && expression.arguments.length === 0) return callee.expression;
  if (ts.isIdentifier(callee) && callee.text === 'String' && expression.arguments[0]) return expression.arguments[0];
  return undefined;
}

/** True when a URL starts with constant text such as `/patients/`, a path on whatever base it is resolved against. */
function isSameSitePath(sem: FileSemantics, input: ts.Expression, depth: number): boolean {
  const parts = getUrlParts(sem, skipOuterExpressions(input), { safe: [] }, depth + 1);
  let text = '';
  for (const part of parts) {
    if (!('text' in part)) break;
    text += part.text;
  }
  if (SAME_SITE_PATH.test(text)) return true;
  // A constant with no scheme, such as `patients/1` or `?page=2`.
  return parts.every((part) => 'text' in part) && !/^[a-z][a-z\d+.-]*:|^\/\/|^\\/i.test(text);
}

/**
 * Splits a URL into constant text and expressions, through template literals,
 * `+` and `const` bindings. A name that is already safe where it is read, for
 * instance after an allowlist check, stays whole so the check still applies.
 */
function getUrlParts(sem: FileSemantics, expression: ts.Expression, options: TaintOptions, depth: number): UrlPart[] {
  const constant = getConstantText(sem.evaluate(expression));
  if (constant !== undefined) return [{ text: constant }];
  if (depth > MAX_DEPTH) return [{ expression }];

  if (ts.isTemplateExpression(expression)) {
    const parts: UrlPart[] = [{ text: expression.head.text }];
    for (const span of expression.templateSpans) {
      parts.push(...getUrlParts(sem, skipOuterExpressions(span.expression), options, depth + 1));
      parts.push({ text: span.literal.text });
    }
    return parts;
  }
  if (ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    return [
      ...getUrlParts(sem, skipOuterExpressions(expression.left), options, depth + 1),
      ...getUrlParts(sem, skipOuterExpressions(expression.right), options, depth + 1),
    ];
  }
  if (ts.isIdentifier(expression)) {
    const declaration = sem.resolve(expression);
    const initializer = declaration?.kind === 'variable' && declaration.pattern.length === 0 ? sem.getSingleValue(declaration) : undefined;
    if (initializer && judgeTaint(sem, expression, options).sources.length > 0) {
      return getUrlParts(sem, skipOuterExpressions(initializer), options, depth + 1);
    }
  }
  return [{ expression }];
}
