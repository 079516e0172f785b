import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { CALL, NEW, packageName, packagePath } from '../../analysis/origin.js';
import {
  findProperty,
  getDecoratorName,
  getDecorators,
  getEnclosingFunction,
  getMemberName,
  getPropertyValue,
  isFunctionNode,
  propertyNameText,
  skipOuterExpressions,
} from '../../analysis/syntax.js';
import { resolveObjectLiteral } from './object-literal.js';
import { mayImport, perFile } from './file-imports.js';

/** A place that sends the browser to a URL, and the expression that contains the URL. */
export interface RedirectSink {
  /** The redirecting call or assignment, for messages: `res.redirect()`, `setHeader()`, `an assignment to location.href`. */
  method: string;
  url: ts.Expression;
}

/** Packages whose `redirect` function throws or returns a redirect: Next.js and Remix. */
const REDIRECT_PACKAGES = new Set(['next', '@remix-run/node', '@remix-run/server-runtime', '@sveltejs/kit', 'react-router']);
const REDIRECT_FUNCTIONS = new Set(['redirect', 'permanentRedirect', 'redirectDocument']);
/** Methods that set a response header by name. */
const HEADER_SETTERS = new Set(['setHeader', 'set', 'header', 'append', 'appendHeader']);
/** The page's own location, whose assignment navigates. */
const LOCATION_TARGET = /^((window|self|top|parent|document|globalThis)\.)?location(\.href)?$/;
const LOCATION_HOLDERS = new Set(['window', 'self', 'top', 'parent', 'document', 'globalThis', 'location']);

/** Every name of a call that {@link getRedirectCall} can recognise, so that other calls cost one lookup. */
const CALL_NAMES = new Set(['redirect', ...REDIRECT_FUNCTIONS, ...HEADER_SETTERS, 'headers', 'location', 'writeHead', 'assign', 'replace', 'push']);

const mayImportRedirect = perFile((sourceFile) => mayImport(sourceFile, REDIRECT_PACKAGES));
const NEXT = new Set(['next']);
const mayImportNext = perFile((sourceFile) => mayImport(sourceFile, NEXT));

/**
 * True when a call or `new` expression of this name may redirect, as
 * {@link getRedirectCall} names them: other invocations need no look.
 */
export function mayRedirect(name: string | undefined, isNew: boolean): boolean {
  if (name === undefined) return false;
  return isNew ? name === 'Response' || name === 'NextResponse' : CALL_NAMES.has(name);
}

/** True when an assignment may set the page's location: its target ends in `location` or `href`. */
export function mayAssignLocation(binary: ts.BinaryExpression): boolean {
  if (binary.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
  const left = skipOuterExpressions(binary.left);
  const last = ts.isIdentifier(left) ? left.text : ts.isPropertyAccessExpression(left) ? left.name.text : undefined;
  return last === 'location' || last === 'href';
}

/** Recognises a call or `new` expression that redirects. */
export function getRedirectCall(sem: FileSemantics, node: ts.CallExpression | ts.NewExpression): RedirectSink | undefined {
  const callee = skipOuterExpressions(node.expression);
  const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
  if (!method) return undefined;
  if (ts.isNewExpression(node) ? method !== 'Response' && method !== 'NextResponse' : !CALL_NAMES.has(method)) return undefined;
  const args = (node.arguments ?? []).filter((argument): argument is ts.Expression => !ts.isSpreadElement(argument));
  if (args.length === 0) return undefined;

  if (ts.isNewExpression(node)) {
    if (method !== 'Response' && method !== 'NextResponse') return undefined;
    const location = args[1] && getLocationHeader(sem, args[1], true);
    return location ? { method: `new ${method}()`, url: location } : undefined;
  }

  if (method === 'redirect' && ts.isPropertyAccessExpression(callee)) {
    const url = args.find((argument) => !isNumber(sem, argument));
    return url ? { method: `${getReceiverName(callee.expression)}.redirect()`, url } : undefined;
  }
  if (REDIRECT_FUNCTIONS.has(method) && ts.isIdentifier(callee)) {
    if (!mayImportRedirect(sem.sourceFile)) return undefined;
    const origin = sem.originOf(callee);
    if (origin.root.kind !== 'module' || !REDIRECT_PACKAGES.has(packageName(origin.root.specifier))) return undefined;
    // SvelteKit takes the status first: `redirect(303, url)`.
    const url = args.find((argument) => !isNumber(sem, argument));
    return url ? { method: `${method}()`, url } : undefined;
  }
  if (HEADER_SETTERS.has(method) && args.length >= 2 && isLocationName(sem, args[0]!)) {
    return answersWithSuccess(sem, node) ? undefined : { method: `${method}('Location')`, url: args[1]! };
  }
  if ((method === 'set' || method === 'header' || method === 'headers') && args.length === 1) {
    const location = getLocationHeader(sem, args[0]!, false);
    return location && !answersWithSuccess(sem, node) ? { method: `${method}()`, url: location } : undefined;
  }
  if (method === 'location' && ts.isPropertyAccessExpression(callee) && args.length === 1) {
    return answersWithSuccess(sem, node) ? undefined : { method: 'res.location()', url: args[0]! };
  }
  if (method === 'writeHead') {
    const location = args.slice(1).map((argument) => getLocationHeader(sem, argument, false)).find(Boolean);
    return location && !answersWithSuccess(sem, node) ? { method: 'writeHead()', url: location } : undefined;
  }
  if ((method === 'assign' || method === 'replace') && ts.isPropertyAccessExpression(callee) && isPageLocation(sem, callee.expression)) {
    return { method: `location.${method}()`, url: args[0]! };
  }
  if ((method === 'push' || method === 'replace') && ts.isPropertyAccessExpression(callee) && isAppRouter(sem, callee.expression)) {
    return { method: `router.${method}()`, url: args[0]! };
  }
  return undefined;
}

/** `location.href = url` and `window.location = url` in browser code. */
export function getLocationAssignment(sem: FileSemantics, binary: ts.BinaryExpression): RedirectSink | undefined {
  // The target must end in `location` or `href` before its text is worth reading.
  if (!mayAssignLocation(binary)) return undefined;
  const left = skipOuterExpressions(binary.left);
  if (!LOCATION_TARGET.test(left.getText()) || !isPageLocation(sem, left)) return undefined;
  return { method: `an assignment to ${left.getText()}`, url: binary.right };
}

/** True when an expression is the page's `location`, not a local variable of that name. */
function isPageLocation(sem: FileSemantics, expression: ts.Expression): boolean {
  let root = skipOuterExpressions(expression);
  while (ts.isPropertyAccessExpression(root)) root = skipOuterExpressions(root.expression);
  return ts.isIdentifier(root) && LOCATION_HOLDERS.has(root.text) && !sem.resolve(root) && /(^|\.)location(\.href)?$/.test(expression.getText());
}

/** Checks for a Next.js router, whose `push` navigates to absolute URLs too. */
function isAppRouter(sem: FileSemantics, receiver: ts.Expression): boolean {
  if (!mayImportNext(sem.sourceFile)) return false;
  const origin = sem.originOf(receiver);
  if (origin.root.kind !== 'module') return false;
  const module = packageName(origin.root.specifier);
  const path = packagePath(origin).filter((step) => step !== CALL && step !== NEW);
  return module === 'next' && path[0] === 'useRouter';
}

function isNumber(sem: FileSemantics, expression: ts.Expression): boolean {
  const value = sem.evaluate(expression);
  return value.kind === 'number' || ts.isNumericLiteral(skipOuterExpressions(expression));
}

function isLocationName(sem: FileSemantics, expression: ts.Expression): boolean {
  const value = sem.evaluate(expression);
  return value.kind === 'string' && value.value.toLowerCase() === 'location';
}

/**
 * Finds the `Location` value of a headers object: `{ Location: url }`, or with
 * `nested`, of `{ status: 302, headers: { Location: url } }`.
 */
function getLocationHeader(sem: FileSemantics, argument: ts.Expression, nested: boolean): ts.Expression | undefined {
  const object = resolveObjectLiteral(sem, argument);
  if (!object) return undefined;
  if (nested) {
    const headers = findProperty(object, 'headers');
    const value = headers && getPropertyValue(headers);
    return value ? getLocationHeader(sem, value, false) : undefined;
  }
  for (const property of object.properties) {
    const name = property.name && propertyNameText(property.name);
    if (name?.toLowerCase() === 'location') return getPropertyValue(property);
  }
  return undefined;
}

function getReceiverName(receiver: ts.Expression): string {
  let base = skipOuterExpressions(receiver);
  while (ts.isCallExpression(base) || ts.isPropertyAccessExpression(base)) {
    base = skipOuterExpressions(ts.isCallExpression(base) ? base.expression : base.expression);
  }
  return ts.isIdentifier(base) ? base.text : 'response';
}

/**
 * True when the handler around a `Location` header sets only 2xx statuses,
 * as `res.status(201)` after creating a resource: browsers follow `Location`
 * on redirects, not on `201 Created`.
 */
function answersWithSuccess(sem: FileSemantics, node: ts.Node): boolean {
  const fn = getEnclosingFunction(node);
  if (!fn?.body) return false;
  const statuses: number[] = [];
  const visit = (current: ts.Node): void => {
    if (current !== fn && isFunctionNode(current)) return;
    if (ts.isCallExpression(current) && current.arguments[0]) {
      const callee = skipOuterExpressions(current.expression);
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
      if (name && STATUS_METHODS.has(name)) statuses.push(...getStatusNumbers(sem, current.arguments[0]));
    }
    if (ts.isBinaryExpression(current) && current.operatorToken.kind === ts.SyntaxKind.EqualsToken && getMemberName(skipOuterExpressions(current.left)) === 'statusCode') {
      statuses.push(...getStatusNumbers(sem, current.right));
    }
    ts.forEachChild(current, visit);
  };
  visit(fn.body);
  return statuses.length > 0 && statuses.every((status) => status >= 200 && status < 300);
}

/** Lists the statuses an expression may be, `json.created ? 201 : 200` included, with NaN for one not known. */
function getStatusNumbers(sem: FileSemantics, expression: ts.Expression): number[] {
  const value = sem.evaluate(expression);
  const options = value.kind === 'choice' ? value.options : [value];
  return options.map((option) => (option.kind === 'number' ? option.value : Number.NaN));
}

/** Methods that set a response's status: Express `status()` and `sendStatus()`, Fastify `code()`, Node `writeHead()`. */
const STATUS_METHODS = new Set(['status', 'sendStatus', 'code', 'writeHead']);

/** Lists the values an expression may take: both branches of `returnTo ? { url: returnTo } : undefined`. */
function getBranches(expression: ts.Expression): ts.Expression[] {
  const node = skipOuterExpressions(expression);
  if (ts.isConditionalExpression(node)) return [...getBranches(node.whenTrue), ...getBranches(node.whenFalse)];
  return [node];
}

/**
 * Finds the `url` of the objects a NestJS handler with `@Redirect()` returns,
 * which Nest sends as the redirect target.
 */
export function getNestRedirectReturns(sem: FileSemantics, method: ts.MethodDeclaration): RedirectSink[] {
  if (!method.body || !getDecorators(method).some((decorator) => getDecoratorName(decorator) === 'Redirect')) return [];
  const sinks: RedirectSink[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node)) return;
    if (ts.isReturnStatement(node) && node.expression) {
      for (const returned of getBranches(node.expression)) {
        const object = resolveObjectLiteral(sem, returned);
        const url = object && findProperty(object, 'url');
        const value = url && getPropertyValue(url);
        if (value) sinks.push({ method: '@Redirect()', url: value });
      }
    }
    ts.forEachChild(node, visit);
  };
  method.body.statements.forEach(visit);
  return sinks;
}
