import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { getDecoratorName, getDecorators, skipOuterExpressions } from '../../analysis/syntax.js';

/** Response methods that return the response, so calls can be chained: `res.status(404).send(...)`. */
const CHAINED_METHODS = new Set([
  'status',
  'type',
  'set',
  'header',
  'headers',
  'append',
  'cookie',
  'clearCookie',
  'vary',
  'location',
  'links',
  'contentType',
  'code',
  'attachment',
  'charset',
]);

const RESPONSE_NAMES = /^(res|resp|response|reply|rep|rsp)$/;
const RESPONSE_TYPES = new Set(['Response', 'ServerResponse', 'FastifyReply', 'NextApiResponse', 'OutgoingMessage', 'Http2ServerResponse']);

/** Returns the response object a chain of response calls starts at: `res` for `res.status(500).type('html')`. */
export function getResponseBase(expression: ts.Expression): ts.Expression {
  let current = skipOuterExpressions(expression);
  for (let hops = 0; hops < 10; hops++) {
    if (!ts.isCallExpression(current)) break;
    const callee = skipOuterExpressions(current.expression);
    if (!ts.isPropertyAccessExpression(callee) || !CHAINED_METHODS.has(callee.name.text)) break;
    current = skipOuterExpressions(callee.expression);
  }
  return current;
}

/**
 * True when an expression is a server response: Express, Node http, Fastify's
 * reply or a Next.js API response, by its parameter's name, type, NestJS
 * `@Res()` decorator, or place after a request parameter.
 */
export function isServerResponse(sem: FileSemantics, expression: ts.Expression): boolean {
  const base = getResponseBase(expression);
  if (!ts.isIdentifier(base)) return false;
  const declaration = sem.resolve(base);
  if (declaration?.kind !== 'parameter' || declaration.pattern.length > 0) return false;
  const parameter = declaration.node;
  if (getDecorators(parameter).some((decorator) => ['Res', 'Response'].includes(getDecoratorName(decorator) ?? ''))) return true;
  if (parameter.type && ts.isTypeReferenceNode(parameter.type)) {
    const typeName = ts.isIdentifier(parameter.type.typeName) ? parameter.type.typeName.text : parameter.type.typeName.right.text;
    if (RESPONSE_TYPES.has(typeName) && declaration.index > 0) return true;
  }
  if (RESPONSE_NAMES.test(base.text)) return true;
  const first = declaration.fn.parameters[0];
  return declaration.index === 1 && first !== undefined && sem.getRoleOfParameter(first) === 'request';
}
