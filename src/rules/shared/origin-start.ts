import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { skipOuterExpressions } from '../../analysis/syntax.js';

/**
 * Where the origin of an expression can start, told from the name its member
 * chain starts with, before the origin question is asked. It follows
 * `computeOrigin` in analysis/origin.ts: an import starts at its module; a
 * function or class of the file starts there; a variable, a typed parameter,
 * `this`, `require`, `a || b` and `c ? a : b` may start anywhere; everything
 * else (globals, untyped parameters, enums, literals, `super`) starts at no
 * module and no function.
 *
 * - `import`: at the module `specifier`, exactly;
 * - `local`: at a function or class of this file, never at a module;
 * - `any`: the origin question must decide;
 * - `none`: at neither a module nor a function or class.
 */
export type OriginStart =
  | { kind: 'import'; specifier: string; names: string[] }
  | { kind: 'local' }
  | { kind: 'any' }
  | { kind: 'none' };

const ANY: OriginStart = { kind: 'any' };
const LOCAL: OriginStart = { kind: 'local' };
const NONE: OriginStart = { kind: 'none' };

export function getOriginStart(sem: FileSemantics, expression: ts.Expression): OriginStart {
  // Member names met on the way, which an origin collects as names.
  const names: string[] = [];
  let node = skipOuterExpressions(expression);
  for (;;) {
    if (ts.isPropertyAccessExpression(node)) names.push(node.name.text);
    else if (ts.isElementAccessExpression(node)) {
      const key = node.argumentExpression;
      names.push(ts.isStringLiteralLike(key) || ts.isNumericLiteral(key) ? key.text : '[]');
    } else if (!ts.isCallExpression(node) && !ts.isNewExpression(node)) break;
    node = skipOuterExpressions(node.expression);
  }
  if (node.kind === ts.SyntaxKind.ThisKeyword) return ANY;
  if (ts.isBinaryExpression(node) || ts.isConditionalExpression(node)) return ANY;
  if (ts.isFunctionExpression(node) || ts.isArrowFunction(node) || ts.isClassExpression(node)) return LOCAL;
  if (!ts.isIdentifier(node)) return NONE;
  const declaration = sem.resolve(node);
  if (!declaration) return node.text === 'require' ? ANY : NONE;
  switch (declaration.kind) {
    case 'import':
      return { kind: 'import', specifier: declaration.specifier, names: [node.text, ...names] };
    case 'variable':
      return ANY;
    case 'parameter':
      return declaration.node.type ? ANY : NONE;
    case 'function':
    case 'class':
      return LOCAL;
    default:
      return NONE;
  }
}
