import { ts } from '../typescript.js';
import type { FileSemantics } from '../analysis/semantics.js';
import type { SanitizerKind } from '../analysis/sanitizers.js';
import type { ExportSummary, ModuleSummary, ReturnSummary } from './facts.js';
import { hasModifier, isFunctionNode, propertyNameText, skipOuterExpressions } from '../analysis/syntax.js';
import { moduleExportNameText } from '../analysis/scope.js';

const ALL_SANITIZERS: SanitizerKind[] = ['number', 'html', 'sql', 'path', 'url', 'shell', 'allowlist', 'validated', 'redacted'];

/** Summarizes what a module exports: values, package origins and what exported functions return. */
export function summarizeModule(sem: FileSemantics): ModuleSummary {
  const summary: ModuleSummary = { exports: {}, reexports: [] };
  const sourceFile = sem.sourceFile;

  for (const statement of sourceFile.statements) {
    const exported = hasModifier(statement, ts.SyntaxKind.ExportKeyword);
    const isDefault = hasModifier(statement, ts.SyntaxKind.DefaultKeyword);

    if (ts.isVariableStatement(statement) && exported) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.initializer) {
          summary.exports[declaration.name.text] = summarizeExpression(sem, declaration.initializer);
        }
      }
    } else if (ts.isFunctionDeclaration(statement) && exported) {
      const name = isDefault ? 'default' : (statement.name?.text ?? 'default');
      summary.exports[name] = isHelperSized(statement) ? summarizeFunction(sem, statement) : { value: { kind: 'unknown' } };
    } else if (ts.isClassDeclaration(statement) && exported) {
      summary.exports[isDefault ? 'default' : (statement.name?.text ?? 'default')] = summarizeClass(sem, statement);
    } else if (ts.isExportAssignment(statement)) {
      summary.exports.default = summarizeExpression(sem, statement.expression);
    } else if (ts.isExportDeclaration(statement)) {
      addExportDeclaration(sem, statement, summary);
    } else if (ts.isExpressionStatement(statement)) {
      addCommonJsExport(sem, statement.expression, summary);
    }
  }
  return summary;
}

function addExportDeclaration(sem: FileSemantics, statement: ts.ExportDeclaration, summary: ModuleSummary): void {
  const specifier =
    statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : undefined;
  const clause = statement.exportClause;
  if (specifier) {
    if (!clause) {
      summary.reexports.push({ specifier });
    } else if (ts.isNamespaceExport(clause)) {
      summary.reexports.push({ specifier, names: { [moduleExportNameText(clause.name)]: '*' } });
    } else {
      const names: Record<string, string> = {};
      for (const element of clause.elements) {
        names[moduleExportNameText(element.name)] = moduleExportNameText(element.propertyName ?? element.name);
      }
      summary.reexports.push({ specifier, names });
    }
    return;
  }
  if (!clause || !ts.isNamedExports(clause)) return;
  for (const element of clause.elements) {
    const local = element.propertyName ?? element.name;
    if (!ts.isIdentifier(local)) continue;
    summary.exports[moduleExportNameText(element.name)] = summarizeExpression(sem, local);
  }
}

/** `module.exports = ...`, `module.exports.x = ...` and `exports.x = ...`. */
function addCommonJsExport(sem: FileSemantics, expression: ts.Expression, summary: ModuleSummary): void {
  if (!ts.isBinaryExpression(expression) || expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
  const target = getCommonJsTarget(expression.left);
  if (target === undefined) return;
  if (target !== 'default') {
    summary.exports[target] = summarizeExpression(sem, expression.right);
    return;
  }
  const value = skipOuterExpressions(expression.right);
  summary.exports.default = summarizeExpression(sem, value);
  if (ts.isObjectLiteralExpression(value)) {
    for (const property of value.properties) {
      const name = property.name && propertyNameText(property.name);
      if (!name) continue;
      if (ts.isPropertyAssignment(property)) summary.exports[name] = summarizeExpression(sem, property.initializer);
      else if (ts.isShorthandPropertyAssignment(property)) summary.exports[name] = summarizeExpression(sem, property.name);
      else if (ts.isMethodDeclaration(property) && isHelperSized(property)) summary.exports[name] = summarizeFunction(sem, property);
    }
  }
}

function getCommonJsTarget(left: ts.Expression): string | undefined {
  if (!ts.isPropertyAccessExpression(left)) return undefined;
  const base = left.expression;
  if (ts.isIdentifier(base) && base.text === 'module' && left.name.text === 'exports') return 'default';
  if (ts.isIdentifier(base) && base.text === 'exports') return left.name.text;
  if (
    ts.isPropertyAccessExpression(base) &&
    ts.isIdentifier(base.expression) &&
    base.expression.text === 'module' &&
    base.name.text === 'exports'
  ) {
    return left.name.text;
  }
  return undefined;
}

function summarizeExpression(sem: FileSemantics, expression: ts.Expression): ExportSummary {
  const summary: ExportSummary = { value: sem.evaluate(expression) };
  const origin = sem.originOf(expression);
  if (origin.root.kind === 'module') {
    summary.origin = { module: origin.root.specifier, path: origin.path };
  } else if (origin.root.kind === 'local' && origin.path.length === 0) {
    const node = origin.root.node;
    if (isFunctionNode(node)) return isHelperSized(node) ? { ...summary, returns: summarizeReturns(sem, node) } : summary;
    if (ts.isClassLike(node)) return { ...summarizeClass(sem, node), value: summary.value };
  }
  return summary;
}

function summarizeFunction(sem: FileSemantics, fn: ts.FunctionLikeDeclaration): ExportSummary {
  return { value: { kind: 'unknown' }, returns: summarizeReturns(sem, fn) };
}

/**
 * Only methods small enough to be helpers get a return summary: the question
 * it answers, whether a function of another module returns a constant or a
 * sanitized value, is about converters and escapers, and following the
 * returns of every method of every exported class costs as much as the rest
 * of the per-file step.
 */
const MAX_SUMMARIZED_STATEMENTS = 8;

function isHelperSized(fn: ts.FunctionLikeDeclaration): boolean {
  const body = fn.body;
  return body !== undefined && (!ts.isBlock(body) || body.statements.length <= MAX_SUMMARIZED_STATEMENTS);
}

function summarizeClass(sem: FileSemantics, node: ts.ClassLikeDeclaration): ExportSummary {
  const members: Record<string, ExportSummary> = {};
  for (const member of node.members) {
    if (ts.isMethodDeclaration(member) && member.name && isHelperSized(member)) {
      const name = propertyNameText(member.name);
      if (name) members[name] = summarizeFunction(sem, member);
    }
  }
  const summary: ExportSummary = { value: { kind: 'unknown' }, members };
  const heritage = node.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword);
  const base = heritage?.types[0]?.expression;
  if (base) {
    const origin = sem.originOf(base);
    if (origin.root.kind === 'module') summary.origin = { module: origin.root.specifier, path: [...origin.path, 'new'] };
  }
  return summary;
}

export function summarizeReturns(sem: FileSemantics, fn: ts.FunctionLikeDeclaration): ReturnSummary {
  const flow = sem.getReturnFlow(fn, 0);
  if (flow.length === 0) return { constant: true, sanitized: [...ALL_SANITIZERS], passes: [] };
  let sanitized: SanitizerKind[] | undefined;
  let unsanitized = false;
  const passes = new Set<number>();
  for (const leaf of flow) {
    if (leaf.kind === 'parameter' && leaf.fn === fn) passes.add(leaf.index);
    if (leaf.kind !== 'sanitized') {
      unsanitized = true;
      continue;
    }
    const kinds: SanitizerKind[] = leaf.sanitizer === 'number' || leaf.sanitizer === 'allowlist' ? ALL_SANITIZERS : [leaf.sanitizer];
    sanitized = sanitized ? sanitized.filter((kind) => kinds.includes(kind)) : kinds;
  }
  return { constant: false, sanitized: unsanitized ? [] : (sanitized ?? []), passes: [...passes].sort((a, b) => a - b) };
}

/**
 * Maps each exported function of the file to the path other modules call it
 * by: `['find']` for `export function find`, `['default']` for a default
 * export, `['Users', 'new', 'find']` for a method of an exported class, and
 * `['Users', 'find']` for a static method.
 */
export function collectExportedFunctions(sem: FileSemantics): Map<ts.Node, string[]> {
  const exported = new Map<ts.Node, string[]>();
  const addClass = (node: ts.ClassLikeDeclaration, name: string): void => {
    for (const member of node.members) {
      if (!ts.isMethodDeclaration(member) || !member.name) continue;
      const method = propertyNameText(member.name);
      if (!method) continue;
      const isStatic = hasModifier(member, ts.SyntaxKind.StaticKeyword);
      exported.set(member, isStatic ? [name, method] : [name, 'new', method]);
    }
  };
  const addValue = (expression: ts.Expression, path: string[]): void => {
    const value = skipOuterExpressions(expression);
    const target = ts.isIdentifier(value) ? resolveLocal(sem, value) : value;
    if (!target) return;
    // `module.exports = function ...` is what a default import of the module gets.
    if (isFunctionNode(target)) exported.set(target, path.length === 0 ? ['default'] : path);
    else if (ts.isClassLike(target)) addClass(target, path[0] ?? 'default');
    else if (ts.isObjectLiteralExpression(target)) {
      for (const property of target.properties) {
        const name = property.name && propertyNameText(property.name);
        if (!name) continue;
        if (ts.isMethodDeclaration(property)) exported.set(property, [...path, name]);
        else if (ts.isPropertyAssignment(property)) addValue(property.initializer, [...path, name]);
        else if (ts.isShorthandPropertyAssignment(property)) addValue(property.name, [...path, name]);
      }
    }
  };

  // The methods of a class that only an exported object of it shows get a path of their own, `#Class`.
  for (const instance of collectExportedInstances(sem)) {
    if (instance.classPath[0]!.startsWith('#')) addClass(instance.node, instance.classPath[0]!);
  }
  for (const statement of sem.sourceFile.statements) {
    const isExported = hasModifier(statement, ts.SyntaxKind.ExportKeyword);
    const isDefault = hasModifier(statement, ts.SyntaxKind.DefaultKeyword);
    if (ts.isFunctionDeclaration(statement) && isExported) {
      exported.set(statement, [isDefault ? 'default' : (statement.name?.text ?? 'default')]);
    } else if (ts.isClassDeclaration(statement) && isExported) {
      addClass(statement, isDefault ? 'default' : (statement.name?.text ?? 'default'));
    } else if (ts.isVariableStatement(statement) && isExported) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.initializer) addValue(declaration.initializer, [declaration.name.text]);
      }
    } else if (ts.isExportAssignment(statement)) {
      addValue(statement.expression, ['default']);
    } else if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) {
        const local = element.propertyName ?? element.name;
        if (ts.isIdentifier(local)) addValue(local, [moduleExportNameText(element.name)]);
      }
    } else if (ts.isExpressionStatement(statement) && ts.isBinaryExpression(statement.expression)) {
      const assignment = statement.expression;
      if (assignment.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
      const target = getCommonJsTarget(assignment.left);
      if (target === 'default') addValue(assignment.right, []);
      else if (target !== undefined) addValue(assignment.right, [target]);
    }
  }
  return exported;
}

export interface ExportedInstance {
  path: string[];
  classPath: string[];
  node: ts.ClassLikeDeclaration;
}

/**
 * Lists the exported objects of a class of this file, `export const client =
 * new FhirClient()`, as the export path of the object and the path its
 * methods have as methods of the class: `['client']` and `['FhirClient', 'new']`.
 * A caller of `client.fetch()` in another module calls `FhirClient`'s `fetch`.
 */
export function collectExportedInstances(sem: FileSemantics): ExportedInstance[] {
  const instances: ExportedInstance[] = [];
  for (const statement of sem.sourceFile.statements) {
    const isExported = hasModifier(statement, ts.SyntaxKind.ExportKeyword);
    const values: Array<[string, ts.Expression]> = [];
    if (ts.isVariableStatement(statement) && isExported) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.initializer) values.push([declaration.name.text, declaration.initializer]);
      }
    } else if (ts.isExportAssignment(statement)) {
      values.push(['default', statement.expression]);
    }
    for (const [name, value] of values) {
      const created = skipOuterExpressions(value);
      if (!ts.isNewExpression(created) || !ts.isIdentifier(created.expression)) continue;
      const target = resolveLocal(sem, created.expression);
      if (!target || !ts.isClassLike(target)) continue;
      const className = isExportedClass(target) ? (target.name?.text ?? 'default') : undefined;
      instances.push({ path: [name], classPath: className ? [className, 'new'] : [`#${created.expression.text}`, 'new'], node: target });
    }
  }
  return instances;
}

function isExportedClass(node: ts.ClassLikeDeclaration): boolean {
  return ts.isClassDeclaration(node) && hasModifier(node, ts.SyntaxKind.ExportKeyword) && !hasModifier(node, ts.SyntaxKind.DefaultKeyword);
}

/** The function, class or object literal a top-level name is bound to. */
function resolveLocal(sem: FileSemantics, identifier: ts.Identifier): ts.Node | undefined {
  const declaration = sem.resolve(identifier);
  if (!declaration) return undefined;
  if (declaration.kind === 'function' || declaration.kind === 'class') return declaration.node;
  if (declaration.kind === 'variable' && declaration.pattern.length === 0 && declaration.node.initializer) {
    const initializer = skipOuterExpressions(declaration.node.initializer);
    if (isFunctionNode(initializer) || ts.isClassLike(initializer) || ts.isObjectLiteralExpression(initializer)) return initializer;
  }
  return undefined;
}
