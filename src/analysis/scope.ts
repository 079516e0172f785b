import { createKindTable, ts, whenTypeScriptLoads } from '../typescript.js';

/** One step into a destructuring pattern: a property name or an array index. */
export type PatternStep = { property: string } | { index: number } | { rest: true };

export type Declaration =
  | {
      kind: 'variable';
      name: ts.Identifier;
      node: ts.VariableDeclaration;
      /** Steps from the initializer to this name, for `const { a: { b } } = x`. */
      pattern: PatternStep[];
      flags: 'const' | 'let' | 'var';
    }
  | {
      kind: 'parameter';
      name: ts.Identifier;
      node: ts.ParameterDeclaration;
      fn: ts.SignatureDeclaration;
      index: number;
      pattern: PatternStep[];
    }
  | { kind: 'function'; name: ts.Identifier; node: ts.FunctionDeclaration | ts.FunctionExpression }
  | { kind: 'class'; name: ts.Identifier; node: ts.ClassDeclaration | ts.ClassExpression }
  | {
      kind: 'import';
      name: ts.Identifier;
      node: ts.Node;
      specifier: string;
      /** `default`, `*` for a namespace, or the exported name. */
      imported: string;
    }
  | { kind: 'enum'; name: ts.Identifier; node: ts.EnumDeclaration }
  | { kind: 'catch'; name: ts.Identifier; node: ts.CatchClause }
  | { kind: 'type'; name: ts.Identifier; node: ts.InterfaceDeclaration | ts.TypeAliasDeclaration };

type Scope = Map<string, Declaration>;

/**
 * Resolves identifiers to their declarations inside one file, following
 * JavaScript's block and function scoping. Scopes are computed lazily, the
 * first time a name inside them is looked up.
 */
export class ScopeResolver {
  private readonly scopes = new Map<ts.Node, Scope>();
  private readonly resolved = new Map<ts.Identifier, Declaration | null>();

  constructor(private readonly sourceFile: ts.SourceFile) {}

  resolve(identifier: ts.Identifier): Declaration | undefined {
    const cached = this.resolved.get(identifier);
    if (cached !== undefined) return cached ?? undefined;
    const declaration = this.lookup(identifier.text, identifier);
    this.resolved.set(identifier, declaration ?? null);
    return declaration;
  }

  /** Looks a name up from the scope that contains `from`. */
  lookup(name: string, from: ts.Node): Declaration | undefined {
    let node: ts.Node | undefined = from;
    while (node) {
      if (isScopeNode(node)) {
        const declaration = this.scopeOf(node).get(name);
        if (declaration) return declaration;
      }
      node = node.parent;
    }
    return undefined;
  }

  /** Declarations made directly in the top-level scope of the file. */
  topLevel(): Scope {
    return this.scopeOf(this.sourceFile);
  }

  private scopeOf(node: ts.Node): Scope {
    let scope = this.scopes.get(node);
    if (!scope) {
      scope = collectScope(node);
      this.scopes.set(node, scope);
    }
    return scope;
  }
}

/** Node kinds that open a scope, as a table indexed by kind: the lookup runs for every name resolved. */
let SCOPE_KINDS: Uint8Array = new Uint8Array(0);
whenTypeScriptLoads(() => {
  SCOPE_KINDS = createKindTable([
    ts.SyntaxKind.SourceFile,
    ts.SyntaxKind.Block,
    ts.SyntaxKind.FunctionDeclaration,
    ts.SyntaxKind.FunctionExpression,
    ts.SyntaxKind.ArrowFunction,
    ts.SyntaxKind.MethodDeclaration,
    ts.SyntaxKind.Constructor,
    ts.SyntaxKind.GetAccessor,
    ts.SyntaxKind.SetAccessor,
    ts.SyntaxKind.ForStatement,
    ts.SyntaxKind.ForInStatement,
    ts.SyntaxKind.ForOfStatement,
    ts.SyntaxKind.CatchClause,
    ts.SyntaxKind.ClassDeclaration,
    ts.SyntaxKind.ClassExpression,
    ts.SyntaxKind.CaseBlock,
    ts.SyntaxKind.ModuleBlock,
  ]);
});

function isScopeNode(node: ts.Node): boolean {
  return SCOPE_KINDS[node.kind] === 1;
}

function collectScope(node: ts.Node): Scope {
  const scope: Scope = new Map();

  if (ts.isFunctionLike(node)) {
    node.parameters.forEach((parameter, index) =>
      addBindingName(parameter.name, [], (name, pattern) =>
        scope.set(name.text, { kind: 'parameter', name, node: parameter, fn: node, index, pattern }),
      ),
    );
    if (ts.isFunctionExpression(node) && node.name) {
      scope.set(node.name.text, { kind: 'function', name: node.name, node });
    }
    const body = (node as ts.FunctionLikeDeclarationBase).body;
    if (body && ts.isBlock(body)) collectHoisted(body, scope);
    return scope;
  }

  if (ts.isClassLike(node)) {
    if (node.name) scope.set(node.name.text, { kind: 'class', name: node.name, node });
    return scope;
  }

  if (ts.isCatchClause(node)) {
    const declaration = node.variableDeclaration;
    if (declaration) {
      addBindingName(declaration.name, [], (name) => scope.set(name.text, { kind: 'catch', name, node }));
    }
    return scope;
  }

  if (ts.isForStatement(node) || ts.isForInStatement(node) || ts.isForOfStatement(node)) {
    const initializer = node.initializer;
    if (initializer && ts.isVariableDeclarationList(initializer)) {
      addVariableList(initializer, scope, false);
    }
    return scope;
  }

  if (ts.isSourceFile(node) || ts.isModuleBlock(node)) {
    collectHoisted(node, scope);
    for (const statement of node.statements) addImport(statement, scope);
    return scope;
  }

  // Block and case block: lexical declarations only; `var` belongs to the function.
  const statements = ts.isCaseBlock(node)
    ? node.clauses.flatMap((clause) => [...clause.statements])
    : [...(node as ts.Block).statements];
  for (const statement of statements) addLexical(statement, scope);
  return scope;
}

/** Collects what a function body or file declares: lexical names at the top and `var` from any depth. */
function collectHoisted(container: ts.Block | ts.SourceFile | ts.ModuleBlock, scope: Scope): void {
  for (const statement of container.statements) addLexical(statement, scope);
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    if (ts.isVariableDeclarationList(node) && !(node.flags & ts.NodeFlags.BlockScoped)) {
      addVariableList(node, scope, true);
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(container, visit);
}

function addLexical(statement: ts.Statement, scope: Scope): void {
  if (ts.isVariableStatement(statement)) {
    const list = statement.declarationList;
    if (list.flags & ts.NodeFlags.BlockScoped) addVariableList(list, scope, false);
  } else if (ts.isFunctionDeclaration(statement) && statement.name) {
    scope.set(statement.name.text, { kind: 'function', name: statement.name, node: statement });
  } else if (ts.isClassDeclaration(statement) && statement.name) {
    scope.set(statement.name.text, { kind: 'class', name: statement.name, node: statement });
  } else if (ts.isEnumDeclaration(statement)) {
    scope.set(statement.name.text, { kind: 'enum', name: statement.name, node: statement });
  } else if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) {
    if (!scope.has(statement.name.text)) {
      scope.set(statement.name.text, { kind: 'type', name: statement.name, node: statement });
    }
  }
}

function addVariableList(list: ts.VariableDeclarationList, scope: Scope, onlyVar: boolean): void {
  const flags = list.flags & ts.NodeFlags.Const ? 'const' : list.flags & ts.NodeFlags.Let ? 'let' : 'var';
  if (onlyVar && flags !== 'var') return;
  for (const declaration of list.declarations) {
    addBindingName(declaration.name, [], (name, pattern) =>
      scope.set(name.text, { kind: 'variable', name, node: declaration, pattern, flags }),
    );
  }
}

function addBindingName(
  name: ts.BindingName,
  pattern: PatternStep[],
  add: (name: ts.Identifier, pattern: PatternStep[]) => void,
): void {
  if (ts.isIdentifier(name)) {
    add(name, pattern);
    return;
  }
  if (ts.isObjectBindingPattern(name)) {
    for (const element of name.elements) {
      if (element.dotDotDotToken) {
        addBindingName(element.name, [...pattern, { rest: true }], add);
        continue;
      }
      const key = element.propertyName ?? element.name;
      const property = getPropertyNameText(key);
      addBindingName(element.name, [...pattern, { property: property ?? '' }], add);
    }
    return;
  }
  name.elements.forEach((element, index) => {
    if (ts.isOmittedExpression(element)) return;
    const step: PatternStep = element.dotDotDotToken ? { rest: true } : { index };
    addBindingName(element.name, [...pattern, step], add);
  });
}

function addImport(statement: ts.Statement, scope: Scope): void {
  if (ts.isImportEqualsDeclaration(statement)) {
    const reference = statement.moduleReference;
    if (ts.isExternalModuleReference(reference) && ts.isStringLiteral(reference.expression)) {
      scope.set(statement.name.text, {
        kind: 'import',
        name: statement.name,
        node: statement,
        specifier: reference.expression.text,
        imported: '*',
      });
    }
    return;
  }
  if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) return;
  const specifier = statement.moduleSpecifier.text;
  const clause = statement.importClause;
  if (!clause) return;
  if (clause.name) {
    scope.set(clause.name.text, { kind: 'import', name: clause.name, node: clause, specifier, imported: 'default' });
  }
  const bindings = clause.namedBindings;
  if (!bindings) return;
  if (ts.isNamespaceImport(bindings)) {
    scope.set(bindings.name.text, { kind: 'import', name: bindings.name, node: bindings, specifier, imported: '*' });
    return;
  }
  for (const element of bindings.elements) {
    const imported = element.propertyName ? moduleExportNameText(element.propertyName) : element.name.text;
    scope.set(element.name.text, { kind: 'import', name: element.name, node: element, specifier, imported });
  }
}

export function moduleExportNameText(name: ts.ModuleExportName): string {
  return ts.isIdentifier(name) ? name.text : name.text;
}

/** The static text of a property name, or undefined for a computed name that is not a literal. */
export function getPropertyNameText(name: ts.PropertyName | ts.BindingName): string | undefined {
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) {
    return name.text;
  }
  if (ts.isComputedPropertyName(name)) {
    const expression = name.expression;
    if (ts.isStringLiteralLike(expression) || ts.isNumericLiteral(expression)) return expression.text;
  }
  return undefined;
}
