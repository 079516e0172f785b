import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import type { ImportRef } from '../../engine/facts.js';
import { getEnclosingFunction, getFunctionName } from '../../analysis/syntax.js';

/** Lists the specifiers of project modules that a file imports or requires. */
export function getProjectImports(sem: FileSemantics): string[] {
  const specifiers = new Set<string>();
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      specifiers.add(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require') {
      const argument = node.arguments[0];
      if (argument && ts.isStringLiteralLike(argument)) specifiers.add(argument.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sem.sourceFile);
  return [...specifiers].filter((specifier) => sem.isProjectSpecifier(specifier));
}

/** Wraps an import reference as a value for the project step to resolve. */
export function toImportValue(ref: ImportRef): { kind: 'import'; specifier: string; path: string[] } {
  return { kind: 'import', specifier: ref.specifier, path: ref.path };
}

/**
 * True when a token built at this node reads as a refresh token: the word
 * `refresh` in the call (payload, secret or options), in the variable,
 * property or cookie it is stored under, or in the enclosing function's name.
 */
export function isRefreshTokenContext(node: ts.Node): boolean {
  const names: string[] = [node.getText()];
  let current: ts.Node = node;
  while (current.parent && !ts.isSourceFile(current.parent)) {
    const parent: ts.Node = current.parent;
    if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) {
      names.push(parent.name.getText());
      break;
    }
    if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      names.push(parent.left.getText());
      break;
    }
    // `res.cookie('refresh_token', token)` names the token by a string argument.
    if (ts.isCallExpression(parent)) {
      for (const argument of parent.arguments) if (ts.isStringLiteralLike(argument)) names.push(argument.text);
    }
    if (ts.isStatement(parent) || ts.isFunctionLike(parent)) break;
    current = parent;
  }
  const fn = getEnclosingFunction(node);
  const name = fn ? getFunctionName(fn) : undefined;
  if (name) names.push(name);
  return names.some((text) => /refresh/i.test(text));
}
