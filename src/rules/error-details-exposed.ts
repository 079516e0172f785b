import { ts } from '../typescript.js';
import type { FileSemantics } from '../analysis/semantics.js';
import type { Declaration } from '../analysis/scope.js';
import { getCalleeName, getDecoratorName, getDecorators, getEnclosingFunction, getMemberName, getReturnedExpressions, isFunctionNode, propertyNameText, skipOuterExpressions } from '../analysis/syntax.js';
import { defineRule, type RuleContext } from './rule.js';
import { exits } from '../analysis/guards.js';
import { isEnvironmentDependent } from './shared/environment-guards.js';
import { getNumber } from './shared/numeric-settings.js';
import { getCallTarget } from './shared/report-target.js';
import { gatherWalkLists, WalkPicks } from './shared/walk-lists.js';

/**
 * How much of a caught error a response shows:
 * - `stack`: the stack trace, or internals such as the SQL of a database error;
 * - `raw`: the error object itself, with every property the library put on it;
 * - `message`: the message text, which only a 5xx response makes an internal detail.
 */
type Exposure = 'stack' | 'raw' | 'message';

/**
 * Error properties that carry internals: the stack, the SQL, query and driver
 * error of database errors, the path and address of system errors, and an
 * HTTP client error's `config`, which contains the request headers and their tokens.
 */
const INTERNAL_PROPERTIES = new Set(['stack', 'sql', 'sqlMessage', 'sqlState', 'query', 'original', 'parent', 'parameters', 'errno', 'syscall', 'address', 'path', 'config']);

/** Error properties that contain the message. */
const MESSAGE_PROPERTIES = new Set(['message', 'detail', 'hint', 'description', 'reason']);

/** Error properties that tell what kind of error it is, which handlers test before sending an error meant for clients. */
const CLASSIFYING_PROPERTIES = /^(expose|isOperational|status|statusCode|code|name|isBoom|isAxiosError|type|kind|resourceType)$/;

/** Response methods that send a body. */
const SEND_METHODS = new Set(['send', 'json', 'end', 'write', 'jsonp', 'render', 'html', 'text', 'body']);

/** Member names of the assignments that can send a body: Koa's `ctx.body` and Express's `res.locals.error`. */
const ASSIGNED_NAMES = new Set(['body', 'error']);

/** Names of objects that send responses: Express `res`, Fastify `reply`, Hono `c`, Nest `response`. */
const RESPONSE_NAME = /^(res|resp|response|reply|rep|c|ctx|context|httpResponse)$/;

/** Calls whose callbacks receive array items or events, not a Node-style error: `errors.map((error) => ...)`. */
const NOT_CALLBACK_METHODS = new Set(['map', 'forEach', 'filter', 'reduce', 'find', 'some', 'every', 'flatMap', 'sort', 'findIndex', 'on', 'once', 'addListener']);

const MAX_DEPTH = 3;

type MessageId = 'stack' | 'raw' | 'message';

export default defineRule<MessageId>({
  meta: {
    id: 'error-details-exposed',
    title: 'Error details sent to the client',
    summary:
      'Flags responses that send a caught error’s stack trace, the raw error object, or, with a 5xx status, its message: in `catch` blocks, Express error handlers, Fastify `setErrorHandler`, Hono `onError`, promise `.catch` callbacks and NestJS exception filters. Stack traces and driver errors reveal file paths, library versions, SQL and sometimes the data that failed to save.',
    severity: 'medium',
    precision: 'high',
    cwe: [209],
    owasp: 'A04:2021-Insecure Design',
    messages: {
      stack: 'The response includes {{detail}} of the caught error; log it and send a generic message with an error id.',
      raw: 'The response includes the caught error object `{{name}}`, with every property its library set; log it and send a generic message with an error id.',
      message: 'A {{status}} response includes `{{detail}}`, the internal message of the caught error; log it and send a generic message with an error id.',
    },
  },
  create(context) {
    const sem = context.semantics;
    const checkAssignment = (binary: ts.BinaryExpression): void => {
      // Koa's `ctx.body = err`, and Express's `res.locals.error = err` before res.render().
      if (binary.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
      const target = skipOuterExpressions(binary.left);
      const name = getMemberName(target);
      if (name !== 'body' && !(name === 'error' && /\.locals\.error$/.test(target.getText()))) return;
      if (name === 'body' && !/^(ctx|context)\.(body|response\.body)$/.test(target.getText().replace(/\s+/g, ''))) return;
      checkSink(context, binary, binary, [binary.right]);
    };
    const { lists, visitors } = gatherWalkLists(context, ['invocations', 'assignments']);
    return {
      ...visitors,
      onEnd() {
        const picks = new WalkPicks();
        picks.addWhere(lists.calls, (_, index) => SEND_METHODS.has(lists.callNames[index]!));
        picks.addWhere(lists.assignments, (binary) => ASSIGNED_NAMES.has(getMemberName(skipOuterExpressions(binary.left))!));
        picks.addWhere(lists.invocations, (node) => ts.isNewExpression(node) && ts.isIdentifier(node.expression) && /Exception$/.test(node.expression.text));
        // In walk order, so that findings come in the order of the code.
        for (const node of picks.inWalkOrder()) {
          if (ts.isCallExpression(node)) {
            const payloads = getResponsePayloads(sem, node);
            if (payloads.length > 0) checkSink(context, node, getCallTarget(node), payloads);
          } else if (ts.isNewExpression(node)) {
            const status = getNestExceptionStatus(sem, node);
            if (status !== undefined && node.arguments?.[0]) checkSink(context, node, node, node.arguments.slice(0, 1), status);
          } else if (ts.isBinaryExpression(node)) {
            checkAssignment(node);
          }
        }
      },
    };
  },
});

/** The expressions a call sends to the client, when it is a response method or a Response constructor. */
function getResponsePayloads(sem: FileSemantics, call: ts.CallExpression): ts.Expression[] {
  const callee = skipOuterExpressions(call.expression);
  const method = getMemberName(callee);
  if (!method || !ts.isPropertyAccessExpression(callee) || !SEND_METHODS.has(method)) return [];
  // Only a plain name can have the text `Response`, so other receivers need not be read.
  if ((method === 'json' || method === 'text') && isResponseClassName(callee.expression) && /^(NextResponse|Response)$/.test(callee.expression.getText())) return call.arguments.slice(0, 1);
  if (!SEND_METHODS.has(method) || !isResponse(callee.expression)) return [];
  if (method === 'render') return call.arguments.slice(1, 2);
  return call.arguments.slice(0, 1);
}

function isResponseClassName(expression: ts.Expression): boolean {
  return ts.isIdentifier(expression) && (expression.text === 'Response' || expression.text === 'NextResponse');
}

/** `res`, `res.status(500)`, `reply.code(500)`, `this.response`: the root of the chain has a response's name. */
function isResponse(expression: ts.Expression): boolean {
  let node = skipOuterExpressions(expression);
  for (let hops = 0; hops < 6 && ts.isCallExpression(node); hops++) {
    const callee = skipOuterExpressions(node.expression);
    if (!ts.isPropertyAccessExpression(callee)) return false;
    node = skipOuterExpressions(callee.expression);
  }
  const name = ts.isIdentifier(node) ? node.text : getMemberName(node);
  return name !== undefined && RESPONSE_NAME.test(name);
}

/** NestJS exceptions that send a 5xx response with the text they are given, by the status they send. */
const NEST_SERVER_EXCEPTIONS: Record<string, number> = {
  InternalServerErrorException: 500,
  NotImplementedException: 501,
  BadGatewayException: 502,
  ServiceUnavailableException: 503,
  GatewayTimeoutException: 504,
};

/**
 * Returns the status of a NestJS exception, whose message NestJS sends as the
 * response body: `new InternalServerErrorException(err.message)`, or
 * `new HttpException(err.message, 500)`.
 */
function getNestExceptionStatus(sem: FileSemantics, node: ts.NewExpression): number | undefined {
  const origin = sem.originOf(node.expression);
  if (origin.root.kind !== 'module' || origin.root.specifier !== '@nestjs/common') return undefined;
  const name = origin.path[0] ?? '';
  if (name === 'HttpException') return node.arguments?.[1] ? getNumber(sem, node.arguments[1]) : undefined;
  return NEST_SERVER_EXCEPTIONS[name];
}

function checkSink(
  context: RuleContext<MessageId>,
  sink: ts.Node,
  target: ts.Node | { start: number; end: number },
  payloads: ts.Expression[],
  knownStatus?: number,
): void {
  const sem = context.semantics;
  let found: { exposure: Exposure; detail: string; name: string } | undefined;
  for (const payload of payloads) {
    for (const use of findErrorUses(sem, payload, 0)) {
      if (isEnvironmentDependent(sem, use.node) || isClassifiedError(sem, sink, use.declaration)) continue;
      if (!found || rank(use.exposure) > rank(found.exposure)) found = use;
    }
  }
  // The environment guard is the dearer test, so it waits until an error reaches the response.
  if (!found || isEnvironmentDependent(sem, sink)) return;
  const status = knownStatus ?? getStatus(sem, sink);
  if (found.exposure === 'message') {
    if (status === undefined || status < 500) return;
    context.report({ node: target, messageId: 'message', data: { status, detail: found.detail } });
    return;
  }
  // A 4xx response sends a client error, such as a validation error, which is written for the client.
  if (found.exposure === 'raw' && status !== undefined && status >= 400 && status < 500) return;
  context.report({ node: target, messageId: found.exposure, data: { detail: found.detail, name: found.name } });
}

/** Orders exposures from the message, the least revealing, to the stack. */
const EXPOSURE_RANK: Record<Exposure, number> = { message: 1, raw: 2, stack: 3 };

function rank(exposure: Exposure): number {
  return EXPOSURE_RANK[exposure];
}

interface ErrorUse {
  exposure: Exposure;
  /** For messages: `err.stack`, `String(error)`. */
  detail: string;
  name: string;
  node: ts.Node;
  declaration: Declaration;
}

/** Finds reads of caught errors in a payload, through `const` variables of the same function. */
function findErrorUses(sem: FileSemantics, payload: ts.Expression, depth: number): ErrorUse[] {
  const uses: ErrorUse[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunctionNode(node)) return;
    if (ts.isCallExpression(node) && depth < MAX_DEPTH) uses.push(...findUsesInLocalHelper(sem, node));
    if (!ts.isIdentifier(node)) {
      ts.forEachChild(node, visit);
      return;
    }
    if (isPropertyName(node)) return;
    const declaration = sem.resolve(node);
    if (!declaration) return;
    // `const dbErr = err as DatabaseError` names the caught error again: `dbErr.sql` reads the error's SQL.
    const caught = isCaughtError(sem, declaration) ? declaration : getCaughtAlias(sem, declaration);
    if (caught) {
      const use = classifyUse(node, caught, payload);
      if (use) uses.push(use);
      return;
    }
    if (declaration.kind === 'variable' && depth < MAX_DEPTH && declaration.pattern.length === 0) {
      const initializer = sem.getSingleValue(declaration);
      if (initializer) uses.push(...findErrorUses(sem, initializer, depth + 1));
    }
  };
  visit(payload);
  return uses;
}

/**
 * `toErrorBody(err)` with `function toErrorBody(e) { return { stack: e.stack } }`
 * in this file: what the helper returns of its parameter is what the
 * response shows of the caught error.
 */
function findUsesInLocalHelper(sem: FileSemantics, call: ts.CallExpression): ErrorUse[] {
  const fn = sem.getLocalFunction(sem.originOf(call.expression));
  if (!fn?.body) return [];
  const uses: ErrorUse[] = [];
  call.arguments.forEach((argument, index) => {
    const node = skipOuterExpressions(argument);
    if (!ts.isIdentifier(node)) return;
    const declaration = sem.resolve(node);
    const caught = declaration && (isCaughtError(sem, declaration) ? declaration : getCaughtAlias(sem, declaration));
    const parameter = fn.parameters[index];
    if (!caught || !parameter || !ts.isIdentifier(parameter.name)) return;
    const parameterDeclaration = sem.resolve(parameter.name);
    for (const returned of getReturnedExpressions(fn)) {
      const visit = (inner: ts.Node): void => {
        if (isFunctionNode(inner)) return;
        if (ts.isIdentifier(inner) && !isPropertyName(inner) && sem.resolve(inner) === parameterDeclaration) {
          const use = classifyUse(inner, caught, returned);
          if (use) uses.push({ ...use, node: call, detail: use.detail.replace(inner.text, node.text) });
          return;
        }
        ts.forEachChild(inner, visit);
      };
      visit(returned);
    }
  });
  return uses;
}

/** Returns the caught error that a variable names again unchanged: `const dbErr = err as DatabaseError`, `const error = e`. */
function getCaughtAlias(sem: FileSemantics, declaration: Declaration): Declaration | undefined {
  if (declaration.kind !== 'variable' || declaration.pattern.length > 0) return undefined;
  const value = sem.getSingleValue(declaration);
  const node = value && skipOuterExpressions(value);
  if (!node || !ts.isIdentifier(node)) return undefined;
  const original = sem.resolve(node);
  return original && isCaughtError(sem, original) ? original : undefined;
}

function isPropertyName(identifier: ts.Identifier): boolean {
  const parent = identifier.parent;
  return (ts.isPropertyAccessExpression(parent) && parent.name === identifier) || (ts.isPropertyAssignment(parent) && parent.name === identifier);
}

/** Classifies how a read of the error shows it: `err.stack`, `err.message`, `String(err)`, or `err` whole. */
function classifyUse(identifier: ts.Identifier, declaration: Declaration, payload: ts.Expression): ErrorUse | undefined {
  const name = identifier.text;
  const base = { name, node: identifier, declaration };
  // `(err as Error).stack` reads the same error.
  let outer: ts.Node = identifier;
  while (ts.isAsExpression(outer.parent) || ts.isParenthesizedExpression(outer.parent) || ts.isNonNullExpression(outer.parent)) outer = outer.parent;
  // `res.send(err)`, `ctx.body = err`: the error is the payload itself.
  if (outer === payload || skipOuterExpressions(payload) === identifier) return { ...base, exposure: 'raw', detail: name };
  const parent = outer.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.expression === outer) {
    const property = parent.name.text;
    if (INTERNAL_PROPERTIES.has(property)) return { ...base, exposure: 'stack', detail: `${name}.${property}` };
    if (MESSAGE_PROPERTIES.has(property)) return { ...base, exposure: 'message', detail: `${name}.${property}` };
    if (property === 'toString') return { ...base, exposure: 'message', detail: `${name}.toString()` };
    return undefined;
  }
  if (ts.isTemplateSpan(parent) || (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.PlusToken)) {
    return { ...base, exposure: 'message', detail: `String(${name})` };
  }
  if (ts.isCallExpression(parent) && parent.arguments.includes(outer as ts.Expression)) {
    const callee = getCalleeName(parent);
    if (callee === 'String') return { ...base, exposure: 'message', detail: `String(${name})` };
    if (callee === 'inspect' || callee === 'serializeError' || callee === 'getOwnPropertyNames') return { ...base, exposure: 'stack', detail: `the stack trace (${callee}(${name}))` };
    if (callee === 'stringify' && parent.arguments.length > 1) return { ...base, exposure: 'stack', detail: `every property (JSON.stringify(${name}, ...))` };
    if (callee === 'stringify') return { ...base, exposure: 'raw', detail: name };
    return undefined;
  }
  if (ts.isPropertyAssignment(parent) || ts.isShorthandPropertyAssignment(parent) || ts.isSpreadAssignment(parent) || ts.isArrayLiteralExpression(parent)) {
    return { ...base, exposure: 'raw', detail: name };
  }
  return undefined;
}

/**
 * True for a caught exception: a `catch` binding, the error parameter of an
 * Express error handler `(err, req, res, next)`, of Fastify's
 * `setErrorHandler`, Hono's `onError` and promise `.catch()` callbacks, of a
 * Node callback `(err, result) => ...`, or of a NestJS exception filter's `catch()`.
 */
function isCaughtError(sem: FileSemantics, declaration: Declaration): boolean {
  if (declaration.kind === 'catch') return true;
  if (declaration.kind !== 'parameter' || declaration.index !== 0 || declaration.pattern.length > 0) return false;
  const fn = declaration.fn;
  const names = fn.parameters.map((parameter) => (ts.isIdentifier(parameter.name) ? parameter.name.text : ''));
  if (isExpressErrorHandler(fn, names)) return true;
  if (ts.isMethodDeclaration(fn) && fn.name && propertyNameText(fn.name) === 'catch') {
    const owner = fn.parent;
    return ts.isClassLike(owner) && getDecorators(owner).some((decorator) => getDecoratorName(decorator) === 'Catch');
  }
  const call = fn.parent;
  if (ts.isCallExpression(call) && call.arguments.includes(fn as ts.Expression)) {
    const method = getCalleeName(call);
    if (method === 'setErrorHandler' || method === 'onError' || method === 'catch') return true;
    return /^(err|error)$/.test(names[0]!) && !NOT_CALLBACK_METHODS.has(method ?? '');
  }
  return false;
}

/**
 * True for an Express error handler wherever it is declared, since Express
 * recognises one by its four parameters: `(err, req, res, next)`, with names such
 * as `_req` and `_next`, a `NextFunction` type, or an `ErrorRequestHandler`
 * type on the variable that contains it.
 */
function isExpressErrorHandler(fn: ts.SignatureDeclaration, names: string[]): boolean {
  const holder = fn.parent;
  if (ts.isVariableDeclaration(holder) && holder.type && ts.isTypeReferenceNode(holder.type)) {
    if (typeNameText(holder.type.typeName) === 'ErrorRequestHandler') return true;
  }
  if (fn.parameters.length !== 4) return false;
  if (/^_?(req|request)$/.test(names[1]!) && /^_?(res|response)$/.test(names[2]!)) return true;
  const next = fn.parameters[3]!;
  if (/^_?next$/.test(names[3]!)) return true;
  return next.type !== undefined && ts.isTypeReferenceNode(next.type) && typeNameText(next.type.typeName) === 'NextFunction';
}

function typeNameText(name: ts.EntityName): string {
  return ts.isIdentifier(name) ? name.text : name.right.text;
}

/**
 * True when the sink runs only for errors the code has classified:
 * `if (err instanceof ValidationError)`, `if (err.expose)`, `err.status < 500 ? ... : ...`.
 * Such errors are written for clients.
 */
function isClassifiedError(sem: FileSemantics, sink: ts.Node, declaration: Declaration): boolean {
  const fn = getEnclosingFunction(sink);
  let child: ts.Node = sink;
  for (let current: ts.Node | undefined = sink.parent; current && current !== fn?.parent; current = current.parent) {
    if (ts.isIfStatement(current) && child !== current.expression && testsError(sem, current.expression, declaration)) return true;
    if (ts.isConditionalExpression(current) && child !== current.condition && testsError(sem, current.condition, declaration)) return true;
    if ((ts.isBlock(current) || ts.isCaseClause(current)) && followsErrorExit(sem, current.statements, child, declaration)) return true;
    if (ts.isCaseBlock(current) && testsError(sem, current.parent.expression, declaration)) return true;
    child = current;
  }
  return false;
}

/**
 * True when an earlier `if` leaves the block for every error that is not of a
 * known kind, so the code after it handles only classified errors:
 * `if (!(err instanceof HttpError)) return next(err);`. After
 * `if (err instanceof HttpError) return ...;` the code handles all other errors.
 */
function followsErrorExit(sem: FileSemantics, statements: ts.NodeArray<ts.Statement>, child: ts.Node, declaration: Declaration): boolean {
  for (const statement of statements) {
    if (statement === child || statement.pos >= child.pos) return false;
    if (ts.isIfStatement(statement) && exits(statement.thenStatement) && leavesUnclassified(sem, statement.expression, declaration)) return true;
  }
  return false;
}

/** True when a condition holds for errors of no known kind: `!(err instanceof X)`, `err.name !== 'ZodError'`, `err.status >= 500`. */
function leavesUnclassified(sem: FileSemantics, condition: ts.Expression, declaration: Declaration): boolean {
  const node = skipOuterExpressions(condition);
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) return testsError(sem, node.operand, declaration);
  if (!ts.isBinaryExpression(node)) return false;
  switch (node.operatorToken.kind) {
    case ts.SyntaxKind.BarBarToken:
      return leavesUnclassified(sem, node.left, declaration) || leavesUnclassified(sem, node.right, declaration);
    case ts.SyntaxKind.ExclamationEqualsEqualsToken:
    case ts.SyntaxKind.ExclamationEqualsToken:
    case ts.SyntaxKind.GreaterThanToken:
    case ts.SyntaxKind.GreaterThanEqualsToken:
    case ts.SyntaxKind.LessThanToken:
    case ts.SyntaxKind.LessThanEqualsToken:
      return testsError(sem, node, declaration);
    default:
      return false;
  }
}

/** True when a condition reads the error's class or one of its classifying properties. */
function testsError(sem: FileSemantics, condition: ts.Expression, declaration: Declaration): boolean {
  let found = false;
  const isError = (node: ts.Node): boolean => ts.isIdentifier(node) && sem.resolve(node) === declaration;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.InstanceOfKeyword && isError(skipOuterExpressions(node.left))) found = true;
    else if (ts.isPropertyAccessExpression(node) && isError(skipOuterExpressions(node.expression)) && CLASSIFYING_PROPERTIES.test(node.name.text)) found = true;
    else if (ts.isCallExpression(node) && node.arguments.some((argument) => isError(skipOuterExpressions(argument)))) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(condition);
  return found;
}

/**
 * Returns the status code a response is sent with: `res.status(500)` in the chain,
 * `reply.code(500)`, Hono's `c.json(body, 500)`, `NextResponse.json(body, { status: 500 })`,
 * or an earlier `res.status(500)`, `res.statusCode = 500` or `ctx.status = 500`
 * in the same block.
 */
function getStatus(sem: FileSemantics, sink: ts.Node): number | undefined {
  if (ts.isCallExpression(sink)) {
    const second = sink.arguments[1];
    if (second) {
      const direct = getNumber(sem, second);
      if (direct !== undefined) return direct;
      const status = sem.evaluate(second);
      if (status.kind === 'object' && status.properties.status?.kind === 'number') return status.properties.status.value;
    }
    let node: ts.Expression = skipOuterExpressions(sink.expression);
    for (let hops = 0; hops < 6; hops++) {
      if (!ts.isPropertyAccessExpression(node)) break;
      const receiver = skipOuterExpressions(node.expression);
      if (!ts.isCallExpression(receiver)) break;
      const method = getCalleeName(receiver);
      if ((method === 'status' || method === 'code' || method === 'sendStatus') && receiver.arguments[0]) return getNumber(sem, receiver.arguments[0]);
      node = skipOuterExpressions(receiver.expression);
    }
  }
  return getEarlierStatus(sem, sink);
}

function getEarlierStatus(sem: FileSemantics, sink: ts.Node): number | undefined {
  let statement: ts.Node = sink;
  while (statement.parent && !ts.isBlock(statement.parent) && !ts.isSourceFile(statement.parent)) statement = statement.parent;
  const block = statement.parent;
  if (!block || !(ts.isBlock(block) || ts.isSourceFile(block))) return undefined;
  let status: number | undefined;
  for (const current of block.statements) {
    if (current === statement) break;
    if (!ts.isExpressionStatement(current)) continue;
    const expression = skipOuterExpressions(current.expression);
    if (ts.isCallExpression(expression) && /^(status|code)$/.test(getCalleeName(expression) ?? '') && expression.arguments[0]) {
      status = getNumber(sem, expression.arguments[0]) ?? status;
    } else if (ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.EqualsToken && /^(status|statusCode)$/.test(getMemberName(skipOuterExpressions(expression.left)) ?? '')) {
      status = getNumber(sem, expression.right) ?? status;
    }
  }
  return status;
}
