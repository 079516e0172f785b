import { ts } from '../typescript.js';
import type { FileSemantics } from '../analysis/semantics.js';
import { CALL } from '../analysis/origin.js';
import { isServerFilledUploadField } from '../analysis/request.js';
import { skipOuterExpressions } from '../analysis/syntax.js';
import type { ReportTarget } from '../rules/rule.js';
import type { Location } from '../types.js';
import type { CallFact } from './facts.js';

const MAX_FACTS = 200;

/**
 * A cheap test before the origin question: the callee starts at an import or
 * a `require` of a project module (`helper(x)`, `users.find(x)`) or at `this`
 * (a service held in a field). A function of another module reached through a local variable,
 * such as `const svc = new Service(); svc.find(x)`, is not followed.
 */
function mayCallProjectModule(sem: FileSemantics, callee: ts.Expression): boolean {
  let current = skipOuterExpressions(callee);
  while (ts.isPropertyAccessExpression(current) || ts.isElementAccessExpression(current) || ts.isCallExpression(current)) {
    current = skipOuterExpressions(current.expression);
  }
  if (current.kind === ts.SyntaxKind.ThisKeyword) return true;
  if (!ts.isIdentifier(current)) return false;
  const declaration = sem.resolve(current);
  if (declaration?.kind === 'import') return sem.isProjectSpecifier(declaration.specifier);
  // `const { finish } = require('./respond')` and `const db = require('./db').pool`.
  if (declaration?.kind !== 'variable' || !declaration.node.initializer) return false;
  let initializer = skipOuterExpressions(declaration.node.initializer);
  // `const client = new FhirClient()` with the class imported from the project.
  if (ts.isNewExpression(initializer) && ts.isIdentifier(initializer.expression)) {
    const created = sem.resolve(initializer.expression);
    return created?.kind === 'import' && sem.isProjectSpecifier(created.specifier);
  }
  while (ts.isPropertyAccessExpression(initializer)) initializer = skipOuterExpressions(initializer.expression);
  if (!ts.isCallExpression(initializer) || !ts.isIdentifier(initializer.expression) || initializer.expression.text !== 'require') return false;
  const specifier = initializer.arguments[0];
  return specifier !== undefined && ts.isStringLiteralLike(specifier) && sem.isProjectSpecifier(specifier.text);
}

/**
 * Finds the calls of this file that hand request data, or a parameter of an
 * exported function, to a function of another project module. The project
 * step follows them into that module's parameter sinks.
 */
export function collectCallFacts(
  sem: FileSemantics,
  calls: readonly ts.CallExpression[],
  exportedFunctions: ReadonlyMap<ts.Node, string[]>,
  locate: (target: ReportTarget) => Location,
): CallFact[] {
  const facts: CallFact[] = [];
  for (const call of calls) {
    if (call.arguments.length === 0 || !mayCallProjectModule(sem, call.expression)) continue;
    const origin = sem.originOf(call.expression);
    if (origin.root.kind !== 'module' || !sem.isProjectSpecifier(origin.root.specifier)) continue;
    const path = origin.path.filter((step) => step !== CALL);
    const specifier = origin.root.specifier;
    call.arguments.forEach((argument, index) => {
      if (facts.length >= MAX_FACTS || ts.isSpreadElement(argument)) return;
      for (const leaf of sem.flowOf(argument)) {
        if (leaf.kind === 'source' && leaf.source === 'request' && !isServerFilledUploadField(leaf.label)) {
          facts.push({ specifier, path, index, call: locate(call), from: { kind: 'source', label: leaf.label, location: locate(leaf.node) } });
        } else if (leaf.kind === 'parameter') {
          const exportPath = exportedFunctions.get(leaf.fn);
          if (exportPath) facts.push({ specifier, path, index, call: locate(call), from: { kind: 'parameter', exportPath, index: leaf.index } });
        }
      }
    });
  }
  return facts;
}
