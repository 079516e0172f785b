import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { getRequestBase } from '../../analysis/request.js';
import { getDecoratorName, getDecorators, skipOuterExpressions } from '../../analysis/syntax.js';

/**
 * True for a handler parameter that is clearly a request: named `req`,
 * `request`, `ctx` or `context`, typed as a request or context, or taken with
 * NestJS `@Req()`. Callbacks of `process.on(...)` or axios interceptors also
 * get a request role from their registration, but their `error` is no request.
 */
export function looksLikeRequest(parameter: ts.ParameterDeclaration): boolean {
  if (
    ts.isIdentifier(parameter.name) &&
    /^(req|request|ctx|context|incomingRequest|httpRequest)$/i.test(parameter.name.text)
  )
    return true;
  if (getDecorators(parameter).some((decorator) => /^(Req|Request)$/.test(getDecoratorName(decorator) ?? '')))
    return true;
  const type = parameter.type;
  if (!type || !ts.isTypeReferenceNode(type)) return false;
  const typeName = ts.isIdentifier(type.typeName) ? type.typeName.text : type.typeName.right.text;
  return /(Request|Context|IncomingMessage)$/.test(typeName);
}

/** True for an expression that denotes a request: a handler's `req`, Koa's `ctx.request`, or a value named `req` or `request`. */
export function isRequestObject(sem: FileSemantics, expression: ts.Expression): boolean {
  const node = skipOuterExpressions(expression);
  if (ts.isIdentifier(node)) {
    if (node.text === 'req' || node.text === 'request') return true;
    const declaration = sem.resolve(node);
    return (
      declaration?.kind === 'parameter' && getRequestBase(sem, node) !== undefined && looksLikeRequest(declaration.node)
    );
  }
  if (getRequestBase(sem, node)) return true;
  return (
    ts.isPropertyAccessExpression(node) &&
    node.name.text === 'request' &&
    ts.isIdentifier(node.expression) &&
    /^(ctx|context)$/.test(node.expression.text)
  );
}

/** `req.body` or `ctx.request.headers`: a whole request body or every header. Koa's `ctx.body` is the response, so it is left out. */
export function getRequestPart(
  sem: FileSemantics,
  member: ts.PropertyAccessExpression | ts.ElementAccessExpression,
  name: string,
): 'body' | 'headers' | undefined {
  let part: 'body' | 'headers';
  if (name === 'body' || name === 'rawBody') part = 'body';
  else if (name === 'headers' || name === 'rawHeaders') part = 'headers';
  else return undefined;
  const base = skipOuterExpressions(member.expression);
  if (ts.isIdentifier(base) && sem.getRoleOfIdentifier(base) === 'koa-context')
    return part === 'headers' ? part : undefined;
  return isRequestObject(sem, base) ? part : undefined;
}

/** True for `process.env` as a whole, which contains every secret of the service. */
export function isProcessEnv(member: ts.PropertyAccessExpression | ts.ElementAccessExpression): boolean {
  const base = skipOuterExpressions(member.expression);
  return (
    ts.isPropertyAccessExpression(member) &&
    member.name.text === 'env' &&
    ts.isIdentifier(base) &&
    base.text === 'process'
  );
}
