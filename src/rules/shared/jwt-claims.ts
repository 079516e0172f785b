import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { getRouteRegistration } from '../../analysis/request.js';
import {
  getCalleeName,
  getDecoratorName,
  getDecorators,
  getEnclosingClass,
  getFunctionName,
  isFunctionNode,
  propertyNameText,
  skipOuterExpressions,
} from '../../analysis/syntax.js';
import { findReferences, getJwtOperation, type JwtOperation } from './jwt.js';

/** A place where decoded claims decide who the caller is or what they may do. */
export interface ClaimUse {
  node: ts.Node;
  /** Completes "its claims ...": `are stored in req.user`, `decide access`. */
  description: string;
}

/** Registered claims and header fields that do not identify the caller. */
const METADATA_CLAIMS = new Set(['exp', 'iat', 'nbf', 'jti', 'iss', 'aud', 'header', 'signature', 'kid', 'alg', 'typ']);

/** Claims that name the caller. Testing that one is present is input validation, not an access decision. */
const IDENTIFIER_CLAIM = /^(sub|id|_id|uid|userId|user_id|email|username|length)$/;

/** Array and string methods whose result on a claim decides access: `claims.roles.includes('admin')`. */
const TEST_METHODS = new Set(['includes', 'indexOf', 'some', 'every', 'find', 'has', 'startsWith', 'endsWith']);

/** Callbacks that hand an identity to a framework: Passport's `done`, Node's `callback`, a promise's `resolve`. */
const CALLBACK_NAMES = new Set(['done', 'cb', 'callback', 'next', 'resolve']);

/** Property names under which a whole payload stands for the caller: `{ user: payload }`. */
const IDENTITY_PROPERTY = /^(user|currentUser|auth|identity|principal|claims|account|viewer|actor|caller|session)$/i;

/** Names of functions whose result identifies the caller. */
const AUTH_FUNCTION_NAME = /auth|user|identity|principal|session|claims|current|account|whoami|guard|permission|role|canActivate|login/i;

/** Names of calls that check a token, such as a project's own `verifyToken(token)`. */
const VERIFY_NAME = /verif|validat|authenticat/i;

/** Names of route middleware that authenticate, as in `router.get('/me', requireAuth, handler)`. */
const AUTH_MIDDLEWARE_NAME = /auth|jwt|token|guard|protect|verif|session|passport|login|ensure|require/i;

const MAX_DEPTH = 4;

/**
 * Finds where the result of a decode call is trusted: stored on the request
 * or context (`req.user = claims`), compared or tested (`claims.role ===
 * 'admin'`), passed to a function other than a logger (`findById(claims.sub)`),
 * or returned. Reading only `exp`, `iat` or the header does not count.
 */
export function findClaimUse(sem: FileSemantics, call: ts.CallExpression): ClaimUse | undefined {
  return findUse(sem, call, { held: 'payload' }, 0);
}

/** The decoded data a node carries: the whole payload, or one claim (or data built from it). */
type Holding = { held: 'payload' } | { held: 'claim'; claim: string };

function findUse(sem: FileSemantics, start: ts.Node, holding: Holding, depth: number): ClaimUse | undefined {
  if (depth > MAX_DEPTH) return undefined;
  let node = start;
  let current = holding;
  for (;;) {
    const parent: ts.Node | undefined = node.parent;
    if (!parent) return undefined;
    if (isTransparent(parent)) {
      node = parent;
      continue;
    }
    if ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === node) {
      const name = getAccessedName(parent);
      if (current.held === 'claim') {
        if (TEST_METHODS.has(name) && ts.isCallExpression(parent.parent) && parent.parent.expression === parent) {
          return { node: parent.parent, description: 'decide access' };
        }
        node = parent;
        continue;
      }
      // `jwt.decode(token, { complete: true }).payload` contains the claims.
      if (name === 'payload') {
        node = parent;
        continue;
      }
      if (METADATA_CLAIMS.has(name)) return undefined;
      current = { held: 'claim', claim: name };
      node = parent;
      continue;
    }
    const step = stepThroughParent(sem, node, parent, current, depth);
    if (step.kind === 'use') return step.use;
    if (step.kind === 'stop') return undefined;
    node = step.node;
    current = step.holding ?? current;
  }
}

type Step =
  | { kind: 'use'; use: ClaimUse | undefined }
  | { kind: 'stop' }
  | { kind: 'climb'; node: ts.Node; holding?: Holding };

const STOP: Step = { kind: 'stop' };

/** Decides what the parent of a node does with the decoded data it carries. */
function stepThroughParent(sem: FileSemantics, node: ts.Node, parent: ts.Node, holding: Holding, depth: number): Step {
  if (ts.isBinaryExpression(parent)) return stepThroughBinary(sem, node, parent, holding, depth);

  // Conditions: `if (claims.isAdmin)`, `!claims.verified`, `claims.admin ? a : b`.
  if (ts.isPrefixUnaryExpression(parent) && parent.operator === ts.SyntaxKind.ExclamationToken) {
    return { kind: 'use', use: getConditionUse(parent, holding) };
  }
  if (ts.isIfStatement(parent) || ts.isWhileStatement(parent)) return { kind: 'use', use: getConditionUse(node, holding) };
  if (ts.isConditionalExpression(parent)) {
    return parent.condition === node ? { kind: 'use', use: getConditionUse(node, holding) } : { kind: 'climb', node: parent };
  }

  // Containers that carry the data on: variables, object and array literals, templates.
  if (ts.isVariableDeclaration(parent) && parent.initializer === node) {
    return { kind: 'use', use: findUseThroughDeclaration(sem, parent, holding, depth) };
  }
  if (ts.isPropertyAssignment(parent) || ts.isShorthandPropertyAssignment(parent)) {
    // `return { user: payload }` hands the whole payload on as the caller's identity.
    const key = propertyNameText(parent.name);
    const holdsIdentity = holding.held === 'payload' && key !== undefined && IDENTITY_PROPERTY.test(key);
    return { kind: 'climb', node: parent.parent, holding: holdsIdentity ? { held: 'claim', claim: key } : undefined };
  }
  if (ts.isSpreadAssignment(parent)) return { kind: 'climb', node: parent.parent };
  if (ts.isSpreadElement(parent) || ts.isArrayLiteralExpression(parent) || ts.isTemplateExpression(parent)) {
    return { kind: 'climb', node: parent };
  }
  if (ts.isTemplateSpan(parent)) return { kind: 'climb', node: parent.parent };

  // Ends: an argument of a call, or the function's result.
  if (ts.isCallExpression(parent) || ts.isNewExpression(parent)) {
    if (parent.expression === node) return STOP;
    return getArgumentUse(parent, holding);
  }
  if (ts.isReturnStatement(parent) || (ts.isArrowFunction(parent) && parent.body === node)) {
    return { kind: 'use', use: getReturnUse(sem, parent, holding) };
  }
  return STOP;
}

function stepThroughBinary(sem: FileSemantics, node: ts.Node, parent: ts.BinaryExpression, holding: Holding, depth: number): Step {
  const operator = parent.operatorToken.kind;
  switch (operator) {
    case ts.SyntaxKind.QuestionQuestionToken:
    case ts.SyntaxKind.BarBarToken:
    case ts.SyntaxKind.PlusToken:
      return { kind: 'climb', node: parent };
    case ts.SyntaxKind.AmpersandAmpersandToken:
      return parent.right === node ? { kind: 'climb', node: parent } : { kind: 'use', use: getConditionUse(node, holding) };
    case ts.SyntaxKind.EqualsToken:
      if (parent.right !== node) return STOP;
      return { kind: 'use', use: getAssignmentUse(sem, parent, holding, depth) };
    case ts.SyntaxKind.EqualsEqualsEqualsToken:
    case ts.SyntaxKind.ExclamationEqualsEqualsToken:
    case ts.SyntaxKind.EqualsEqualsToken:
    case ts.SyntaxKind.ExclamationEqualsToken:
    case ts.SyntaxKind.LessThanToken:
    case ts.SyntaxKind.LessThanEqualsToken:
    case ts.SyntaxKind.GreaterThanToken:
    case ts.SyntaxKind.GreaterThanEqualsToken: {
      const other = skipOuterExpressions(parent.left === node ? parent.right : parent.left);
      if (holding.held !== 'claim' || isNullish(other)) return STOP;
      return { kind: 'use', use: { node: parent, description: 'decide access' } };
    }
    default:
      return STOP;
  }
}

/** Treats a claim tested on its own as an access decision, unless the test only checks that an identifier is present. */
function getConditionUse(node: ts.Node, holding: Holding): ClaimUse | undefined {
  if (holding.held !== 'claim' || IDENTIFIER_CLAIM.test(holding.claim)) return undefined;
  return { node, description: 'decide access' };
}

function getAssignmentUse(sem: FileSemantics, assignment: ts.BinaryExpression, holding: Holding, depth: number): ClaimUse | undefined {
  const target = skipOuterExpressions(assignment.left);
  if (ts.isIdentifier(target)) return findUseOfVariable(sem, target, holding, depth);
  return { node: assignment, description: `are stored in ${shorten(target.getText())}` };
}

function findUseThroughDeclaration(
  sem: FileSemantics,
  declaration: ts.VariableDeclaration,
  holding: Holding,
  depth: number,
): ClaimUse | undefined {
  const name = declaration.name;
  if (ts.isIdentifier(name)) return findUseOfVariable(sem, name, holding, depth);
  if (!ts.isObjectBindingPattern(name)) return undefined;
  for (const element of name.elements) {
    if (!ts.isIdentifier(element.name)) continue;
    const key = element.propertyName ? propertyNameText(element.propertyName) : element.name.text;
    if (key === undefined) continue;
    let inner: Holding;
    if (holding.held === 'claim') inner = holding;
    else if (key === 'payload') inner = holding;
    else if (METADATA_CLAIMS.has(key)) continue;
    else inner = { held: 'claim', claim: key };
    const use = findUseOfVariable(sem, element.name, inner, depth);
    if (use) return use;
  }
  return undefined;
}

function findUseOfVariable(sem: FileSemantics, name: ts.Identifier, holding: Holding, depth: number): ClaimUse | undefined {
  for (const reference of findReferences(sem, name)) {
    const use = findUse(sem, reference, holding, depth + 1);
    if (use) return use;
  }
  return undefined;
}

function getArgumentUse(call: ts.CallExpression | ts.NewExpression, holding: Holding): Step {
  const name = getCalleeName(call) ?? 'a function';
  if (isLoggerCall(call)) return STOP;
  if (['String', 'Number', 'parseInt', 'BigInt'].includes(name)) return { kind: 'climb', node: call };
  if (holding.held === 'payload' && !CALLBACK_NAMES.has(name) && !AUTH_FUNCTION_NAME.test(name)) return STOP;
  return { kind: 'use', use: { node: call, description: `are passed to ${name}()` } };
}

/**
 * Treats returned claims as trusted by the caller. A whole payload counts only
 * when the function's name reads as authentication or it handles a request.
 */
function getReturnUse(sem: FileSemantics, node: ts.Node, holding: Holding): ClaimUse | undefined {
  let fn: ts.Node | undefined = node;
  while (fn && !isFunctionNode(fn)) fn = fn.parent;
  if (!fn || !isFunctionNode(fn)) return undefined;
  if (holding.held === 'payload' && !isAuthFunction(sem, fn)) return undefined;
  const name = getFunctionName(fn);
  return { node, description: name ? `are returned from ${name}()` : 'are returned' };
}

function isAuthFunction(sem: FileSemantics, fn: ts.FunctionLikeDeclaration): boolean {
  const name = getFunctionName(fn);
  if (name && AUTH_FUNCTION_NAME.test(name)) return true;
  return fn.parameters.some((parameter) => sem.getRoleOfParameter(parameter) === 'request');
}

function isLoggerCall(call: ts.CallExpression | ts.NewExpression): boolean {
  const callee = skipOuterExpressions(call.expression);
  if (ts.isIdentifier(callee)) return /^(debug|log|trace)$/.test(callee.text);
  if (!ts.isPropertyAccessExpression(callee)) return false;
  const receiver = skipOuterExpressions(callee.expression);
  const receiverName = ts.isIdentifier(receiver) ? receiver.text : ts.isPropertyAccessExpression(receiver) ? receiver.name.text : '';
  return receiverName === 'console' || /log/i.test(receiverName);
}

function isTransparent(node: ts.Node): boolean {
  return (
    ts.isParenthesizedExpression(node) ||
    ts.isAsExpression(node) ||
    ts.isTypeAssertionExpression(node) ||
    ts.isNonNullExpression(node) ||
    ts.isSatisfiesExpression(node) ||
    ts.isAwaitExpression(node)
  );
}

function getAccessedName(access: ts.PropertyAccessExpression | ts.ElementAccessExpression): string {
  if (ts.isPropertyAccessExpression(access)) return access.name.text;
  const argument = access.argumentExpression;
  return ts.isStringLiteralLike(argument) || ts.isNumericLiteral(argument) ? argument.text : '[]';
}

function isNullish(node: ts.Expression): boolean {
  return node.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(node) && node.text === 'undefined');
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= 40 ? flat : `${flat.slice(0, 37)}...`;
}

/**
 * True when the token is verified in the same function (or an enclosing
 * one): a JWT verify call on the same token, or a call named like
 * `verifyToken(token)`. A route handler behind authentication middleware
 * (`router.get('/me', requireAuth, handler)`) or a NestJS `@UseGuards()`
 * counts too, because the middleware verified the token first.
 */
export function isTokenVerified(sem: FileSemantics, operation: Extract<JwtOperation, { kind: 'decode' }>): boolean {
  const token = operation.token;
  if (!token) return true;
  const functions = getEnclosingFunctions(operation.node);
  if (functions.some((fn) => isBehindAuthentication(fn))) return true;
  const scope: ts.Node = functions[functions.length - 1] ?? sem.sourceFile;
  const key = getTokenKey(sem, token);
  let verified = false;
  const visit = (node: ts.Node): void => {
    if (verified) return;
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && node !== operation.node && verifiesToken(sem, node, key)) {
      if (!decodesDespiteError(sem, node, operation.node)) {
        verified = true;
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(scope);
  return verified;
}

/**
 * True when the decode runs in the verify call's own callback without a
 * check of its error: `jwt.verify(token, key, (err, claims) => { req.user =
 * claims ?? jwt.decode(token); })` falls back to the unverified claims
 * exactly when verification failed.
 */
function decodesDespiteError(sem: FileSemantics, verify: ts.CallExpression | ts.NewExpression, decode: ts.Node): boolean {
  const callback = verify.arguments?.find((argument) => isFunctionNode(argument) && argument.pos <= decode.pos && decode.end <= argument.end);
  if (!callback || !isFunctionNode(callback)) return false;
  const error = callback.parameters[0];
  if (!error || !ts.isIdentifier(error.name)) return true;
  let checked = false;
  const visit = (node: ts.Node): void => {
    if (checked || node.pos >= decode.pos) return;
    const condition = ts.isIfStatement(node) ? node.expression : ts.isConditionalExpression(node) ? node.condition : undefined;
    if (condition && mentions(sem, condition, error)) checked = true;
    else ts.forEachChild(node, visit);
  };
  if (callback.body) visit(callback.body);
  return !checked;
}

function mentions(sem: FileSemantics, node: ts.Node, parameter: ts.ParameterDeclaration): boolean {
  if (ts.isIdentifier(node) && sem.resolve(node)?.node === parameter) return true;
  return ts.forEachChild(node, (child) => mentions(sem, child, parameter) || undefined) ?? false;
}

function verifiesToken(sem: FileSemantics, call: ts.CallExpression | ts.NewExpression, key: string): boolean {
  const operation = getJwtOperation(sem, call);
  if (operation?.kind === 'decode') return false;
  if (operation?.kind === 'verify') return operation.token !== undefined && getTokenKey(sem, operation.token) === key;
  const name = getCalleeName(call);
  if (!name || !VERIFY_NAME.test(name)) return false;
  return (call.arguments ?? []).some((argument) => getTokenKey(sem, argument) === key);
}

/** Computes text that two expressions for the same token share, with each `const` replaced by its initializer. */
function getTokenKey(sem: FileSemantics, expression: ts.Expression, depth = 0): string {
  const node = skipOuterExpressions(expression);
  if (ts.isIdentifier(node) && depth < MAX_DEPTH) {
    const declaration = sem.resolve(node);
    if (declaration?.kind === 'variable' && declaration.pattern.length === 0) {
      const initializer = sem.getSingleValue(declaration);
      if (initializer) return getTokenKey(sem, initializer, depth + 1);
    }
    if (declaration?.kind === 'parameter') return `parameter:${declaration.node.pos}`;
  }
  return node.getText().replace(/\s+/g, '');
}

function getEnclosingFunctions(node: ts.Node): ts.FunctionLikeDeclaration[] {
  const functions: ts.FunctionLikeDeclaration[] = [];
  for (let current = node.parent; current; current = current.parent) {
    if (isFunctionNode(current)) functions.push(current);
  }
  return functions;
}

function isBehindAuthentication(fn: ts.FunctionLikeDeclaration): boolean {
  const registration = getRouteRegistration(fn);
  if (registration) {
    const index = registration.arguments.findIndex((argument) => argument.pos <= fn.pos && fn.end <= argument.end);
    const middleware = registration.arguments.slice(0, Math.max(index, 0));
    if (middleware.some((argument) => !ts.isStringLiteralLike(argument) && AUTH_MIDDLEWARE_NAME.test(argument.getText()))) return true;
  }
  if (ts.isMethodDeclaration(fn) && hasGuard(fn)) return true;
  const classNode = getEnclosingClass(fn);
  return classNode !== undefined && hasGuard(classNode);
}

function hasGuard(node: ts.Node): boolean {
  return getDecorators(node).some((decorator) => getDecoratorName(decorator) === 'UseGuards');
}
