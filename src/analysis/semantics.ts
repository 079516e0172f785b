import { posix as posixPath } from 'node:path';
import { ts } from '../typescript.js';
import { ScopeResolver, type Declaration } from './scope.js';
import { computeValue, type Value } from './values.js';
import { computeOrigin, type Origin, packageName, packagePath, CALL, NEW, isRelativeSpecifier } from './origin.js';
import { computeReturnFlow, flowOf, type Flow } from './flow.js';
import { getRequestRole, type RequestRole } from './request.js';
import type { SanitizerKind } from './sanitizers.js';
import { getFunctionName, isFunctionNode, propertyNameText, skipOuterExpressions } from './syntax.js';

/** A function or value that the configuration declares by module and export name. */
export interface DeclaredExport {
  module: string;
  export: string;
}

export interface SemanticOptions {
  /**
   * Functions the configuration declares as sanitizers, with what they make
   * safe. A project module is a path relative to the scan root starting with
   * `./`; anything else is a package name.
   */
  sanitizers: Array<DeclaredExport & { kind: SanitizerKind }>;
  /** Specifier prefixes that name modules of the project, such as tsconfig path aliases and workspace packages. */
  projectPrefixes: string[];
}

/** Deepest recursion of value and origin questions, so that a long builder chain cannot overflow the stack. */
const MAX_DEPTH = 60;

export const DEFAULT_SEMANTIC_OPTIONS: SemanticOptions = { sanitizers: [], projectPrefixes: [] };

/**
 * The semantic layer for one file: what names refer to, what values
 * expressions hold, and where data comes from. Every answer is computed on
 * demand and cached, so a rule pays only for the questions it asks.
 */
export class FileSemantics {
  readonly scope: ScopeResolver;
  readonly flowCache = new Map<ts.Node, Flow>();
  readonly flowVisiting = new Set<ts.Node>();
  private readonly valueCache = new Map<ts.Node, Value>();
  private readonly originCache = new Map<ts.Node, Origin>();
  private readonly roleCache = new Map<ts.ParameterDeclaration, RequestRole | undefined>();
  private readonly returnFlowCache = new Map<ts.Node, Flow>();
  private assignments: Map<string, ts.BinaryExpression[]> | undefined;
  /** `list.push(x)` and `list.unshift(x)` calls by the name of the list. */
  private appends: Map<string, ts.CallExpression[]> | undefined;
  private calls: Map<string, ts.CallExpression[]> | undefined;
  private importedPackages: Set<string> | undefined;

  constructor(
    readonly sourceFile: ts.SourceFile,
    readonly options: SemanticOptions = DEFAULT_SEMANTIC_OPTIONS,
  ) {
    this.scope = new ScopeResolver(sourceFile);
  }

  /** The constant value of an expression; `depth` bounds the recursion through long chains. */
  evaluate(node: ts.Expression, depth = 0): Value {
    let value = this.valueCache.get(node);
    if (!value) {
      if (depth > MAX_DEPTH) return { kind: 'unknown' };
      // A placeholder ends cycles such as `let a = b; let b = a;`.
      this.valueCache.set(node, { kind: 'unknown' });
      value = computeValue(this, node, depth);
      this.valueCache.set(node, value);
    }
    return value;
  }

  /** Where the value of an expression comes from; `depth` bounds the recursion through long chains. */
  originOf(node: ts.Expression, depth = 0): Origin {
    let origin = this.originCache.get(node);
    if (!origin) {
      if (depth > MAX_DEPTH) return { root: { kind: 'unknown' }, path: [], names: [] };
      this.originCache.set(node, { root: { kind: 'unknown' }, path: [], names: [] });
      origin = computeOrigin(this, node, depth);
      this.originCache.set(node, origin);
    }
    return origin;
  }

  flowOf(node: ts.Expression): Flow {
    return flowOf(this, node);
  }

  /** The declaration an identifier refers to, or undefined for globals. */
  resolve(identifier: ts.Identifier): Declaration | undefined {
    return this.scope.resolve(identifier);
  }

  /** The one value a variable ever has: its initializer when it is never assigned again nor pushed onto. */
  getSingleValue(declaration: Extract<Declaration, { kind: 'variable' }>): ts.Expression | undefined {
    const initializer = declaration.node.initializer;
    // Pushed items change only what an array literal evaluates to, so only then is the file searched for push() calls.
    const isList = initializer !== undefined && ts.isArrayLiteralExpression(skipOuterExpressions(initializer));
    if (isList && this.getAppendsOf(declaration).length > 0) return undefined;
    if (declaration.flags === 'const') return initializer;
    if (this.getAssignmentsOf(declaration).length > 0) return undefined;
    return initializer;
  }

  /**
   * Returns what an expression stands for: for a name of a variable with one
   * value (`const filter = { ...req.body }`), that value; for anything else,
   * the expression itself. Parentheses and type assertions are skipped, and a
   * name with no single value gives undefined.
   */
  followSingleValue(expression: ts.Expression): ts.Expression | undefined {
    const node = skipOuterExpressions(expression);
    if (!ts.isIdentifier(node)) return node;
    const declaration = this.resolve(node);
    const value = declaration?.kind === 'variable' ? this.getSingleValue(declaration) : undefined;
    return value ? skipOuterExpressions(value) : undefined;
  }

  /**
   * Every value a variable is given: the initializer, each later assignment,
   * and each item pushed onto it, since `conditions.push(text)` puts `text`
   * into what `conditions.join(' AND ')` returns.
   */
  getAssignedValues(declaration: Extract<Declaration, { kind: 'variable' }>): ts.Expression[] {
    const values: ts.Expression[] = [];
    if (declaration.node.initializer) values.push(declaration.node.initializer);
    for (const call of this.getAppendsOf(declaration)) {
      for (const argument of call.arguments) values.push(ts.isSpreadElement(argument) ? argument.expression : argument);
    }
    if (declaration.flags !== 'const') {
      for (const assignment of this.getAssignmentsOf(declaration)) {
        values.push(assignment.operatorToken.kind === ts.SyntaxKind.EqualsToken ? assignment.right : assignment);
      }
    }
    if (values.length === 0 && ts.isForOfStatement(declaration.node.parent.parent)) {
      values.push(declaration.node.parent.parent.expression);
    }
    return values;
  }

  private getAppendsOf(declaration: Extract<Declaration, { kind: 'variable' }>): ts.CallExpression[] {
    if (!this.appends) this.collectWrites();
    const candidates = this.appends!.get(declaration.name.text) ?? [];
    return candidates.filter((call) => {
      const list = (call.expression as ts.PropertyAccessExpression).expression as ts.Identifier;
      return this.scope.resolve(list) === declaration;
    });
  }

  private collectWrites(): void {
    const writes = collectWrites(this.sourceFile);
    this.assignments = writes.assignments;
    this.appends = writes.appends;
  }

  private getAssignmentsOf(declaration: Extract<Declaration, { kind: 'variable' }>): ts.BinaryExpression[] {
    if (!this.assignments) this.collectWrites();
    const candidates = this.assignments!.get(declaration.name.text) ?? [];
    return candidates.filter((assignment) => {
      const left = skipOuterExpressions(assignment.left);
      return ts.isIdentifier(left) && this.scope.resolve(left) === declaration;
    });
  }

  /**
   * Package names this file imports or requires, such as `express` and
   * `@prisma/client`, for rules that can skip a file that uses none of their
   * libraries. Relative and project specifiers are left out.
   */
  getImportedPackages(): ReadonlySet<string> {
    if (this.importedPackages) return this.importedPackages;
    const packages = new Set<string>();
    const add = (specifier: string): void => {
      if (!this.isProjectSpecifier(specifier)) packages.add(packageName(specifier));
    };
    for (const statement of this.sourceFile.statements) {
      if ((ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
        add(statement.moduleSpecifier.text);
      } else if (ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference)) {
        const expression = statement.moduleReference.expression;
        if (ts.isStringLiteral(expression)) add(expression.text);
      }
    }
    const text = this.sourceFile.text;
    if (text.includes('require(') || text.includes('import(')) {
      for (const match of text.matchAll(/\b(?:require|import)\(\s*['"`]([^'"`]+)['"`]\s*\)/g)) add(match[1]!);
    }
    this.importedPackages = packages;
    return packages;
  }

  /** True when the file imports or requires any of the given packages. */
  importsAny(packages: Iterable<string>): boolean {
    const imported = this.getImportedPackages();
    for (const name of packages) if (imported.has(name)) return true;
    return false;
  }

  /** Calls in this file whose callee is the given local function. */
  getLocalCallers(fn: ts.FunctionLikeDeclaration): ts.CallExpression[] {
    const name = getFunctionName(fn);
    if (!name) return [];
    if (!this.calls) this.calls = collectCalls(this.sourceFile);
    return (this.calls.get(name) ?? []).filter((call) => this.getLocalFunction(this.originOf(call.expression)) === fn);
  }

  getRoleOfIdentifier(identifier: ts.Identifier): RequestRole | undefined {
    const declaration = this.scope.resolve(identifier);
    if (declaration?.kind !== 'parameter' || declaration.pattern.length > 0) {
      if (declaration?.kind === 'parameter' && declaration.pattern.length > 0) {
        const role = this.getRoleOfParameter(declaration.node);
        return role === 'data' ? 'data' : undefined;
      }
      return undefined;
    }
    return this.getRoleOfParameter(declaration.node);
  }

  getRoleOfParameter(parameter: ts.ParameterDeclaration): RequestRole | undefined {
    if (this.roleCache.has(parameter)) return this.roleCache.get(parameter);
    const role = getRequestRole(this, parameter);
    this.roleCache.set(parameter, role);
    return role;
  }

  /** The function of this file that an origin denotes: a declaration, a local arrow function or a class method. */
  getLocalFunction(origin: Origin): ts.FunctionLikeDeclaration | undefined {
    if (origin.root.kind !== 'local') return undefined;
    const node = origin.root.node;
    if (origin.path.length === 0) return isFunctionNode(node) ? node : undefined;
    if (ts.isClassLike(node) && origin.path.length === 2 && origin.path[0] === NEW) {
      const name = origin.path[1];
      const method = node.members.find(
        (member) => ts.isMethodDeclaration(member) && member.name && propertyNameText(member.name) === name,
      );
      return method as ts.MethodDeclaration | undefined;
    }
    return undefined;
  }

  getReturnFlow(fn: ts.FunctionLikeDeclaration, depth: number): Flow {
    const cached = this.returnFlowCache.get(fn);
    if (cached) return cached;
    this.returnFlowCache.set(fn, []);
    const flow = computeReturnFlow(this, fn, depth);
    this.returnFlowCache.set(fn, flow);
    return flow;
  }

  /** What a configured sanitizer makes safe, when the origin names one. */
  getDeclaredSanitizer(origin: Origin): SanitizerKind | undefined {
    if (origin.root.kind !== 'module' || this.options.sanitizers.length === 0) return undefined;
    const specifier = origin.root.specifier;
    const path = packagePath(origin).filter((step) => step !== CALL && step !== NEW);
    const name = path.join('.') || 'default';
    const target = isRelativeSpecifier(specifier) ? toModuleKey(posixPath.join(posixPath.dirname(this.sourceFile.fileName), specifier)) : undefined;
    for (const declared of this.options.sanitizers) {
      if (declared.export !== name && !(declared.export === 'default' && origin.path[0] === 'default' && path.length === 0)) continue;
      const matches = isRelativeSpecifier(declared.module)
        ? target !== undefined && toModuleKey(declared.module) === target
        : declared.module === specifier || declared.module === packageName(specifier);
      if (matches) return declared.kind;
    }
    return undefined;
  }

  /** True when an origin starts at a module of the project: a relative path, a path alias or a workspace package. */
  isProjectModule(origin: Origin): boolean {
    if (origin.root.kind !== 'module') return false;
    return this.isProjectSpecifier(origin.root.specifier);
  }

  isProjectSpecifier(specifier: string): boolean {
    if (isRelativeSpecifier(specifier)) return true;
    return this.options.projectPrefixes.some((prefix) => specifier === prefix || specifier.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`));
  }
}

/** Calls of the file indexed by the called name: `f(x)` and `a.b.f(x)` under `f`. */
/**
 * A project module path without `./`, extension or `/index`, so that
 * `./src/db/escape`, `src/db/escape.ts` and `src/db/escape/index.js` compare equal.
 */
export function toModuleKey(modulePath: string): string {
  return posixPath
    .normalize(modulePath)
    .replace(/^\.\//, '')
    .replace(/\.(d\.)?[mc]?[jt]sx?$/, '')
    .replace(/\/index$/, '');
}

function collectCalls(sourceFile: ts.SourceFile): Map<string, ts.CallExpression[]> {
  const calls = new Map<string, ts.CallExpression[]>();
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = skipOuterExpressions(node.expression);
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
      if (name) {
        const list = calls.get(name) ?? [];
        list.push(node);
        calls.set(name, list);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return calls;
}

function collectWrites(sourceFile: ts.SourceFile): { assignments: Map<string, ts.BinaryExpression[]>; appends: Map<string, ts.CallExpression[]> } {
  const assignments = new Map<string, ts.BinaryExpression[]>();
  const appends = new Map<string, ts.CallExpression[]>();
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ts.isIdentifier(node.expression.expression)) {
      const method = node.expression.name.text;
      if (method === 'push' || method === 'unshift') {
        const name = node.expression.expression.text;
        const list = appends.get(name) ?? [];
        list.push(node);
        appends.set(name, list);
      }
    }
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      node.operatorToken.kind <= ts.SyntaxKind.LastAssignment
    ) {
      const left = skipOuterExpressions(node.left);
      if (ts.isIdentifier(left)) {
        const list = assignments.get(left.text) ?? [];
        list.push(node);
        assignments.set(left.text, list);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return { assignments, appends };
}
