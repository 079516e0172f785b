import { ts } from '../typescript.js';
import type { FileSemantics } from './semantics.js';
import { getDecoratorName, getDecorators, getFunctionName, skipOuterExpressions } from './syntax.js';

/**
 * What a handler parameter stands for:
 * - `request`: an Express, Fastify, Node or Next.js request object;
 * - `koa-context`: a Koa context, whose `request`, `query` and `params` carry client data;
 * - `hono-context`: a Hono context, whose `req` carries client data;
 * - `data`: a value that is client data as a whole, such as a NestJS `@Body()` parameter.
 */
export type RequestRole = 'request' | 'koa-context' | 'hono-context' | 'data';

/** Properties of a request object that the client controls. */
export const CLIENT_PROPERTIES = new Set([
  'body',
  'query',
  'params',
  'headers',
  'header',
  'cookies',
  'signedCookies',
  'url',
  'originalUrl',
  'path',
  'baseUrl',
  'hostname',
  'host',
  'files',
  'file',
  'rawBody',
  'querystring',
  'search',
  'href',
  'searchParams',
  'nextUrl',
]);

/** Methods of a request object whose result the client controls. */
export const CLIENT_METHODS = new Set([
  'get',
  'header',
  'param',
  'query',
  'queries',
  'json',
  'text',
  'formData',
  'parseBody',
  'arrayBuffer',
  'blob',
  'valid',
]);

const REQUEST_TYPES = new Set([
  'Request',
  'FastifyRequest',
  'NextRequest',
  'IncomingMessage',
  'NextApiRequest',
]);
const KOA_CONTEXT_TYPES = new Set(['Context', 'ParameterizedContext', 'RouterContext', 'DefaultContext']);
/** NestJS parameter decorators that inject client data, `@Args()` of GraphQL resolvers included. */
const NEST_DATA_DECORATORS = new Set(['Body', 'Query', 'Param', 'Headers', 'HostParam', 'UploadedFile', 'UploadedFiles', 'Cookies', 'Args']);
/** Root types of a GraphQL resolver map, whose resolvers take the client's arguments second: `(parent, args, context, info)`. */
const GRAPHQL_ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);
const NEST_REQUEST_DECORATORS = new Set(['Req', 'Request']);

/** Route registration methods whose callbacks receive a request. */
const ROUTE_METHODS = new Set([
  'get',
  'post',
  'put',
  'patch',
  'delete',
  'del',
  'all',
  'use',
  'options',
  'head',
  'route',
  'on',
  'addHook',
  'handle',
]);

const NEXT_ROUTE_EXPORTS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/** True for a function in a resolver map: `Query: { patient: (_parent, args) => ... }`, as Apollo Server and graphql-tools take it. */
function isGraphqlResolver(fn: ts.SignatureDeclaration): boolean {
  const member = ts.isMethodDeclaration(fn) ? fn : ts.isPropertyAssignment(fn.parent) ? fn.parent : undefined;
  const map = member?.parent;
  if (!map || !ts.isObjectLiteralExpression(map) || !ts.isPropertyAssignment(map.parent)) return false;
  const rootName = map.parent.name;
  return (ts.isIdentifier(rootName) || ts.isStringLiteral(rootName)) && GRAPHQL_ROOT_TYPES.has(rootName.text);
}

/** Decides what a parameter stands for in a request handler, or undefined when it is not one. */
export function getRequestRole(sem: FileSemantics, parameter: ts.ParameterDeclaration): RequestRole | undefined {
  const fn = parameter.parent;
  if (!ts.isFunctionLike(fn)) return undefined;
  const index = fn.parameters.indexOf(parameter);
  const name = ts.isIdentifier(parameter.name) ? parameter.name.text : undefined;

  for (const decorator of getDecorators(parameter)) {
    const decoratorName = getDecoratorName(decorator);
    if (decoratorName && NEST_DATA_DECORATORS.has(decoratorName)) return 'data';
    if (decoratorName && NEST_REQUEST_DECORATORS.has(decoratorName)) return 'request';
  }

  const typeRole = getRoleFromType(sem, parameter.type, name);
  if (typeRole) return typeRole;

  if (index === 1 && isGraphqlResolver(fn)) return 'data';

  if (isNextPageProps(fn, parameter, index)) return 'data';
  // `GET(request, { params })`: the dynamic segments of a Next.js route come from the address.
  if (index === 1 && isNextRouteHandler(fn)) return 'data';
  if (isServerAction(fn)) return 'data';

  const registration = getRouteRegistration(fn);
  if (registration !== undefined) {
    const isErrorHandler = fn.parameters.length === 4;
    const requestIndex = isErrorHandler ? 1 : 0;
    if (index !== requestIndex) return undefined;
    if (name === 'ctx' || name === 'context') return 'koa-context';
    if (name === 'c') return 'hono-context';
    return 'request';
  }

  return getRoleFromNames(fn, index, name);
}

function getRoleFromType(sem: FileSemantics, type: ts.TypeNode | undefined, name: string | undefined): RequestRole | undefined {
  if (!type || !ts.isTypeReferenceNode(type)) return undefined;
  const typeName = ts.isIdentifier(type.typeName) ? type.typeName.text : type.typeName.right.text;
  const left = ts.isIdentifier(type.typeName) ? type.typeName : undefined;
  const declaration = left ? sem.scope.resolve(left) : undefined;
  const specifier = declaration?.kind === 'import' ? declaration.specifier : undefined;

  if (REQUEST_TYPES.has(typeName)) {
    // A bare `Request` from nowhere is the Fetch API request of Next.js route handlers and Hono.
    return 'request';
  }
  if (KOA_CONTEXT_TYPES.has(typeName) || typeName === 'Context') {
    if (specifier === 'hono' || name === 'c') return 'hono-context';
    return 'koa-context';
  }
  return undefined;
}

/** `export default function Page({ searchParams })` in a Next.js page receives the query string. */
function isNextPageProps(fn: ts.SignatureDeclaration, parameter: ts.ParameterDeclaration, index: number): boolean {
  if (index !== 0 || !ts.isObjectBindingPattern(parameter.name)) return false;
  const names = parameter.name.elements.map((element) =>
    ts.isIdentifier(element.propertyName ?? element.name) ? (element.propertyName ?? element.name as ts.Identifier).getText() : '',
  );
  if (!names.includes('searchParams') && !names.includes('params')) return false;
  return ts.isFunctionDeclaration(fn) || ts.isArrowFunction(fn) || ts.isFunctionExpression(fn);
}

/** The call that registers a function as a route handler or middleware, if any. */
export function getRouteRegistration(fn: ts.SignatureDeclaration): ts.CallExpression | undefined {
  let node: ts.Node = fn;
  // A handler wrapped in a helper call, like `asyncHandler(async (req, res) => ...)`, still receives the request.
  for (let hops = 0; hops < 3; hops++) {
    const parent = node.parent;
    if (!parent) return undefined;
    if (ts.isCallExpression(parent) && parent.arguments.includes(node as ts.Expression)) {
      const callee = skipOuterExpressions(parent.expression);
      if (ts.isPropertyAccessExpression(callee)) {
        // `items.map(fn)` inside `Promise.all(...)` is not a route, whatever the outer method is called.
        const isPromise = ts.isIdentifier(callee.expression) && callee.expression.text === 'Promise';
        return ROUTE_METHODS.has(callee.name.text) && !isPromise ? parent : undefined;
      }
      node = parent;
      continue;
    }
    if (ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name) && ['handler', 'preHandler', 'onRequest'].includes(parent.name.text)) {
      return parent.parent.parent && ts.isCallExpression(parent.parent.parent) ? parent.parent.parent : undefined;
    }
    return undefined;
  }
  return undefined;
}

function getRoleFromNames(fn: ts.SignatureDeclaration, index: number, name: string | undefined): RequestRole | undefined {
  if (!name) return undefined;
  const names = fn.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : ''));
  const second = names[index + 1];
  if ((name === 'req' || name === 'request') && (second === 'res' || second === 'reply' || second === 'response' || second === 'h')) {
    return 'request';
  }
  if (name === 'req' && index === 0) return 'request';
  if ((name === 'ctx' || name === 'context') && second === 'next' && index === 0) return 'koa-context';
  if (isNextRouteHandler(fn) && index === 0) return 'request';
  return undefined;
}

/**
 * True for a Next.js server action: a function of a module that starts with
 * the `'use server'` directive, or one whose body starts with it. The client
 * calls it with arguments of its choosing, a FormData included.
 */
function isServerAction(fn: ts.SignatureDeclaration): boolean {
  if (!ts.isFunctionDeclaration(fn) && !ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return false;
  if (fn.body && ts.isBlock(fn.body) && startsWithUseServer(fn.body.statements)) return true;
  let node: ts.Node = fn;
  while (node.parent && !ts.isSourceFile(node.parent)) node = node.parent;
  return node.parent !== undefined && ts.isSourceFile(node.parent) && startsWithUseServer(node.parent.statements) && isExported(node);
}

function startsWithUseServer(statements: ts.NodeArray<ts.Statement>): boolean {
  const first = statements[0];
  return first !== undefined && ts.isExpressionStatement(first) && ts.isStringLiteral(first.expression) && first.expression.text === 'use server';
}

function isExported(statement: ts.Node): boolean {
  return ts.canHaveModifiers(statement) && (ts.getModifiers(statement)?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword) ?? false);
}

function isNextRouteHandler(fn: ts.SignatureDeclaration): boolean {
  if (!ts.isFunctionDeclaration(fn) && !ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return false;
  const name = getFunctionName(fn as ts.FunctionLikeDeclaration);
  return name !== undefined && NEXT_ROUTE_EXPORTS.has(name);
}

/** A member access of a request object: `req.body`, `ctx.request.query`, `c.req`. */
export interface RequestAccess {
  /** Text to show in messages, such as `req.body`. */
  label: string;
  /** True when the client controls the value. */
  controlled: boolean;
}

/**
 * Recognises client data read from a request-like value: a property of a
 * request (`req.query`), a Koa context (`ctx.request.body`, `ctx.params`) or a
 * Hono context (`c.req`), or a call of one of their getters (`req.get('x')`).
 */
export function getRequestAccess(sem: FileSemantics, node: ts.Expression): RequestAccess | undefined {
  const expression = skipOuterExpressions(node);
  if (ts.isCallExpression(expression)) {
    const callee = skipOuterExpressions(expression.expression);
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    const method = callee.name.text;
    const base = getRequestBase(sem, callee.expression);
    if (base && CLIENT_METHODS.has(method)) return { label: `${base.label}.${method}()`, controlled: true };
    if (method === 'get' || method === 'getAll') {
      const holder = getRequestAccess(sem, callee.expression);
      if (holder?.controlled) return { label: `${holder.label}.${method}()`, controlled: true };
    }
    return undefined;
  }
  if (!ts.isPropertyAccessExpression(expression) && !ts.isElementAccessExpression(expression)) return undefined;
  const property = ts.isPropertyAccessExpression(expression) ? expression.name.text : undefined;
  if (!property) return undefined;
  const base = getRequestBase(sem, expression.expression);
  if (!base) return undefined;
  return { label: `${base.label}.${property}`, controlled: CLIENT_PROPERTIES.has(property) };
}

/** The request object an expression denotes, through Koa's `ctx.request` and Hono's `c.req`. */
export function getRequestBase(sem: FileSemantics, node: ts.Expression): { label: string } | undefined {
  const expression = skipOuterExpressions(node);
  if (ts.isIdentifier(expression)) {
    const role = sem.getRoleOfIdentifier(expression);
    if (role === 'request') return { label: expression.text };
    if (role === 'koa-context') return { label: expression.text };
    return undefined;
  }
  if (ts.isPropertyAccessExpression(expression) && ts.isIdentifier(expression.expression)) {
    const role = sem.getRoleOfIdentifier(expression.expression);
    const member = expression.name.text;
    if (role === 'koa-context' && member === 'request') return { label: `${expression.expression.text}.request` };
    if (role === 'hono-context' && member === 'req') return { label: `${expression.expression.text}.req` };
  }
  return undefined;
}

/**
 * Upload fields that the server fills in, not the client: multer's
 * `req.file.path` and formidable's `ctx.request.files.scan.filepath`.
 */
const SERVER_FILLED_UPLOAD_FIELD = /^(@UploadedFiles?\(\)|[\w$]+(\.request)?\.files?)(\.[^.]+)*\.(path|filename|destination|size|buffer|filepath|newFilename)$/;

/** True for the label of request data that the server filled in: `req.file.path`, not `req.file.originalname`. */
export function isServerFilledUploadField(label: string): boolean {
  return SERVER_FILLED_UPLOAD_FIELD.test(label);
}
