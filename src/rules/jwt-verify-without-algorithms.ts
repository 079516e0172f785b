import { ts } from '../typescript.js';
import type { FileSemantics } from '../analysis/semantics.js';
import { skipOuterExpressions } from '../analysis/syntax.js';
import { isConstant } from '../analysis/values.js';
import type { DeferredCheck } from '../engine/facts.js';
import { defineRule } from './rule.js';
import { getCallTarget } from './shared/report-target.js';
import { describeCallee, getJwtOperation, getJwtOperations, getOperationOptions, type JwtOperation } from './shared/jwt.js';
import { definedCheck, lookupOption } from './shared/jwt-options.js';
import { gatherWalkLists } from './shared/walk-lists.js';

/**
 * Verification that lets the token's `alg` header choose the algorithm unless
 * the caller lists the accepted ones: jsonwebtoken's `verify()`, the
 * middleware built on it (express-jwt, koa-jwt, passport-jwt), and fast-jwt's
 * `createVerifier()`, whose README documents that by default all algorithms
 * are accepted. jose is left out: its `jwtVerify()` accepts only the algorithms
 * that fit the key and never accepts `none`. NestJS `JwtService.verify()` is
 * left out too, because its module-level `verifyOptions` usually sit in
 * another file.
 */
const CHECKED: ReadonlyArray<{ library: string; kind: JwtOperation['kind'] }> = [
  { library: 'jsonwebtoken', kind: 'verify' },
  { library: 'express-jwt', kind: 'verifier' },
  { library: 'koa-jwt', kind: 'verifier' },
  { library: 'passport-jwt', kind: 'verifier' },
  { library: 'fast-jwt', kind: 'verifier' },
];

export default defineRule({
  meta: {
    id: 'jwt-verify-without-algorithms',
    title: 'JWT verified without an algorithms allowlist',
    summary:
      'Flags JSON Web Token verification with no `algorithms` list: jsonwebtoken `verify()`, express-jwt, koa-jwt, passport-jwt and fast-jwt `createVerifier()`. Without the list the token header chooses how its signature is checked, which opens the door to algorithm confusion, such as an HMAC signature made with the public RSA key.',
    severity: 'high',
    precision: 'high',
    cwe: [347],
    owasp: 'A02:2021-Cryptographic Failures',
    messages: {
      missing: "{{callee}} verifies tokens without an algorithms list, so the token's header picks the algorithm.",
      fromToken: "The algorithms list of {{callee}} is read from the token's own header, so the token picks the algorithm.",
    },
  },
  create(context) {
    const sem = context.semantics;
    const { lists, visitors } = gatherWalkLists(context, ['invocations']);
    const check = (operation: JwtOperation): void => {
      if (!isChecked(operation)) return;
      const paths = operation.library === 'passport-jwt' ? [['algorithms'], ['jsonWebTokenOptions', 'algorithms']] : [['algorithms']];
      const unless: DeferredCheck[] = [];
      for (const path of paths) {
        const found = lookupOption(sem, getOperationOptions(operation), path);
        if (found.kind === 'set' && found.expression && isReadFromToken(sem, found.expression)) {
          context.report({ node: found.node, messageId: 'fromToken', data: { callee: describeCallee(operation) } });
          return;
        }
        if (found.kind === 'set' || found.kind === 'unknown') return;
        // The finding is dropped only when every deferred check passes, so one import is enough to ask about.
        if (found.kind === 'imported' && unless.length === 0) unless.push(definedCheck(found.ref));
      }
      const target = ts.isCallExpression(operation.node) ? getCallTarget(operation.node) : operation.node;
      context.report({ node: target, messageId: 'missing', data: { callee: describeCallee(operation) }, unless });
    };
    return {
      ...visitors,
      onEnd() {
        for (const operation of getJwtOperations(sem, lists)) check(operation);
      },
    };
  },
});

function isChecked(operation: JwtOperation): boolean {
  return CHECKED.some((checked) => checked.library === operation.library && checked.kind === operation.kind);
}

/**
 * True when an algorithms list contains the `alg` of a decoded token header:
 * `[decoded.header.alg]` after `jwt.decode(token, { complete: true })`, or
 * `[header.alg]` after jose `decodeProtectedHeader(token)`. Lists that only
 * branch on the header, such as `[alg === 'RS256' ? 'RS256' : 'HS256']`, are
 * constants and pass.
 */
function isReadFromToken(sem: FileSemantics, expression: ts.Expression): boolean {
  const list = skipOuterExpressions(expression);
  const items = ts.isArrayLiteralExpression(list) ? [...list.elements] : [list];
  return items.some((item) => !isConstant(sem.evaluate(item)) && readsDecodedAlg(sem, item, 0));
}

function readsDecodedAlg(sem: FileSemantics, expression: ts.Expression, depth: number): boolean {
  if (depth > 6) return false;
  const node = skipOuterExpressions(ts.isSpreadElement(expression) ? expression.expression : expression);
  if (ts.isPropertyAccessExpression(node) && node.name.text === 'alg') return comesFromDecode(sem, node.expression, depth + 1);
  if (ts.isIdentifier(node)) {
    const declaration = sem.resolve(node);
    if (declaration?.kind !== 'variable') return false;
    const initializer = declaration.node.initializer;
    const last = declaration.pattern[declaration.pattern.length - 1];
    if (initializer && last && 'property' in last && last.property === 'alg') return comesFromDecode(sem, initializer, depth + 1);
    return initializer !== undefined && declaration.pattern.length === 0 && readsDecodedAlg(sem, initializer, depth + 1);
  }
  return false;
}

/** True when an expression is, or reads a member of, the result of a JWT decode call. */
function comesFromDecode(sem: FileSemantics, expression: ts.Expression, depth: number): boolean {
  if (depth > 6) return false;
  const node = skipOuterExpressions(expression);
  if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) return comesFromDecode(sem, node.expression, depth + 1);
  if (ts.isCallExpression(node)) {
    if (getJwtOperation(sem, node)?.kind === 'decode') return true;
    const callee = skipOuterExpressions(node.expression);
    const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
    return name === 'decodeProtectedHeader';
  }
  if (!ts.isIdentifier(node)) return false;
  const declaration = sem.resolve(node);
  if (declaration?.kind !== 'variable' || !declaration.node.initializer) return false;
  return comesFromDecode(sem, declaration.node.initializer, depth + 1);
}
