import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { packageName } from '../../analysis/origin.js';
import { nodesWithin } from './file-nodes.js';
import {
  getCalleeName,
  getEnclosingFunction,
  getMemberName,
  getPropertyValue,
  propertyNameText,
  skipOuterExpressions,
} from '../../analysis/syntax.js';

/** The two CORS response headers the rules judge. */
export type CorsHeader = 'origin' | 'credentials';

/** A place that sets a CORS response header by hand. */
export interface HeaderSetting {
  header: CorsHeader;
  value: ts.Expression;
  /** The node a finding about this setting starts at: the call, the property or the assignment. */
  target: ts.Node;
}

const HEADER_NAMES: Record<string, CorsHeader> = {
  'access-control-allow-origin': 'origin',
  'access-control-allow-credentials': 'credentials',
};
/** Lengths of the header names, a test that spares lower-casing every property name. */
const HEADER_NAME_LENGTHS = new Set(Object.keys(HEADER_NAMES).map((name) => name.length));

/**
 * Methods and decorators that set a response header from a name and a value:
 * Express `res.setHeader`/`res.header`/`res.set`/`res.append`, Fastify
 * `reply.header`, Koa `ctx.set`, Hono `c.header`, Fetch `headers.set`, NestJS
 * `@Header()`.
 */
const HEADER_SETTERS = new Set(['setHeader', 'header', 'set', 'append', 'appendHeader', 'Header']);

/** HTTP clients: headers passed to them belong to an outgoing request, not to a response. */
const HTTP_CLIENTS = new Set(['axios', 'got', 'node-fetch', 'undici', 'ky', 'superagent', 'supertest', 'request', 'needle', 'cross-fetch']);
const OUTGOING_CALLS = new Set(['fetch', 'Request']);
/** Test assertions, whose objects describe an expected response. */
const ASSERTIONS = new Set([
  'expect',
  'toEqual',
  'toStrictEqual',
  'toMatchObject',
  'toHaveProperty',
  'toMatchInlineSnapshot',
  'deepEqual',
  'deepStrictEqual',
  'equal',
  'strictEqual',
  'include',
  'eql',
]);

/**
 * Recognises a node that sets Access-Control-Allow-Origin or
 * Access-Control-Allow-Credentials: a setter call, a property of a headers
 * object (`{ 'Access-Control-Allow-Origin': '*' }`), a `{ key, value }` entry
 * as Next.js `headers()` returns them, or an assignment
 * `headers['Access-Control-Allow-Origin'] = ...`.
 */
export function getHeaderSetting(sem: FileSemantics, node: ts.Node): HeaderSetting | undefined {
  if (ts.isCallExpression(node)) return getSetterCall(sem, node);
  if (ts.isPropertyAssignment(node)) {
    const name = propertyNameText(node.name);
    const header = name === undefined || !HEADER_NAME_LENGTHS.has(name.length) ? undefined : HEADER_NAMES[name.toLowerCase()];
    if (!header || isOutgoingOrExpected(sem, node.parent)) return undefined;
    return { header, value: node.initializer, target: node };
  }
  if (ts.isObjectLiteralExpression(node)) return getKeyValueEntry(sem, node);
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const left = skipOuterExpressions(node.left);
    if (!ts.isElementAccessExpression(left) && !ts.isPropertyAccessExpression(left)) return undefined;
    const header = getHeaderName(sem, ts.isElementAccessExpression(left) ? left.argumentExpression : undefined) ?? nameOf(getMemberName(left));
    return header ? { header, value: node.right, target: node } : undefined;
  }
  return undefined;
}

/**
 * A cheap test before {@link getHeaderSetting}: false for the nodes whose
 * shape or name rules out a CORS header, which are nearly all of them.
 */
export function maySetHeader(node: ts.Node): boolean {
  if (ts.isCallExpression(node)) {
    const name = getCalleeName(node);
    return name !== undefined && HEADER_SETTERS.has(name) && node.arguments.length >= 2;
  }
  if (ts.isPropertyAssignment(node)) return true;
  if (ts.isObjectLiteralExpression(node)) return node.properties.length >= 2;
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const left = skipOuterExpressions(node.left);
    if (ts.isElementAccessExpression(left)) return true;
    return ts.isPropertyAccessExpression(left) && HEADER_NAME_LENGTHS.has(left.name.text.length);
  }
  return false;
}

function getSetterCall(sem: FileSemantics, call: ts.CallExpression): HeaderSetting | undefined {
  const name = getCalleeName(call);
  if (!name || !HEADER_SETTERS.has(name)) return undefined;
  const [first, second] = call.arguments;
  if (!first || !second) return undefined;
  const header = getHeaderName(sem, first);
  return header ? { header, value: second, target: call } : undefined;
}

/** `{ key: 'Access-Control-Allow-Origin', value: '*' }`; the finding goes on the `value` property. */
function getKeyValueEntry(sem: FileSemantics, object: ts.ObjectLiteralExpression): HeaderSetting | undefined {
  if (object.properties.length < 2) return undefined;
  let key: ts.Expression | undefined;
  let value: ts.ObjectLiteralElementLike | undefined;
  for (const property of object.properties) {
    const name = property.name && propertyNameText(property.name);
    if (name === 'key') key = getPropertyValue(property);
    else if (name === 'value') value = property;
  }
  const header = key ? getHeaderName(sem, key) : undefined;
  const valueExpression = value ? getPropertyValue(value) : undefined;
  if (!header || !value || !valueExpression) return undefined;
  return { header, value: valueExpression, target: value };
}

function getHeaderName(sem: FileSemantics, expression: ts.Expression | undefined): CorsHeader | undefined {
  if (!expression) return undefined;
  const value = sem.evaluate(expression);
  return value.kind === 'string' ? nameOf(value.value) : undefined;
}

function nameOf(text: string | undefined): CorsHeader | undefined {
  return text === undefined ? undefined : HEADER_NAMES[text.toLowerCase()];
}

/** True when a headers object belongs to an outgoing request or to a test's expected response. */
function isOutgoingOrExpected(sem: FileSemantics, object: ts.ObjectLiteralExpression): boolean {
  let child: ts.Node = object;
  for (let hops = 0; hops < 6; hops++) {
    const parent = child.parent;
    if (!parent) return false;
    if (ts.isCallExpression(parent) || ts.isNewExpression(parent)) {
      if (!parent.arguments?.includes(child as ts.Expression)) return false;
      return isOutgoingOrAssertionCall(sem, parent);
    }
    if (!ts.isPropertyAssignment(parent) && !ts.isObjectLiteralExpression(parent) && !ts.isParenthesizedExpression(parent)) {
      return false;
    }
    child = parent;
  }
  return false;
}

function isOutgoingOrAssertionCall(sem: FileSemantics, call: ts.CallExpression | ts.NewExpression): boolean {
  const name = getCalleeName(call);
  if (name && ASSERTIONS.has(name)) return true;
  const origin = sem.originOf(call.expression);
  if (origin.root.kind === 'module') return HTTP_CLIENTS.has(packageName(origin.root.specifier));
  if (origin.root.kind === 'unknown' && name && OUTGOING_CALLS.has(name) && origin.path.length === 0) return true;
  return origin.root.kind === 'global' && origin.root.name === 'fetch';
}

/** True for `true` and `'true'`, the values that allow credentials. */
export function isTrueValue(sem: FileSemantics, expression: ts.Expression): boolean {
  const value = sem.evaluate(expression);
  if (value.kind === 'boolean') return value.value;
  return value.kind === 'string' && value.value.trim().toLowerCase() === 'true';
}

const credentialScopes = new WeakMap<ts.Node, boolean>();

/**
 * True when Access-Control-Allow-Credentials is set to true next to an origin
 * setting: in the same headers object or list, or anywhere in the function
 * that contains it (the whole file for a setting outside any function).
 * `candidates` are the file's calls, properties, object literals and
 * assignments in walk order, the only nodes that can set a header.
 */
export function allowsCredentialsNear(sem: FileSemantics, setting: HeaderSetting, candidates: readonly ts.Node[]): boolean {
  const container = setting.target.parent;
  if (container && ts.isObjectLiteralExpression(container) && hasCredentialsIn(sem, container, candidates)) return true;
  const list = ts.isObjectLiteralExpression(container) ? container.parent : undefined;
  if (list && ts.isArrayLiteralExpression(list) && hasCredentialsIn(sem, list, candidates)) return true;

  const scope: ts.Node = getEnclosingFunction(setting.target) ?? setting.target.getSourceFile();
  let found = credentialScopes.get(scope);
  if (found === undefined) {
    found = hasCredentialsIn(sem, scope, candidates);
    credentialScopes.set(scope, found);
  }
  return found;
}

function hasCredentialsIn(sem: FileSemantics, root: ts.Node, candidates: readonly ts.Node[]): boolean {
  return nodesWithin(candidates, root).some((node) => {
    const setting = getHeaderSetting(sem, node);
    return setting?.header === 'credentials' && isTrueValue(sem, setting.value);
  });
}
