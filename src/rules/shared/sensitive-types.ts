import { ts } from '../../typescript.js';
import type { PatternStep } from '../../analysis/scope.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { CALL, NEW } from '../../analysis/origin.js';
import type { SensitiveKind } from '../../analysis/sensitive.js';
import { getCalleeName, hasModifier, propertyNameText, skipOuterExpressions } from '../../analysis/syntax.js';

/** A type exported by another module of the project, as the importing file names it. */
export interface TypeRef {
  specifier: string;
  name: string;
  /** Keys removed by `Omit<T, ...>` or a rest pattern. */
  exclude?: string[];
  /** Keys kept by `Pick<T, ...>`. */
  only?: string[];
  /** The field under which the type is nested: `patient` in `interface Visit { patient: Patient }`. */
  prefix?: string;
}

/** A field that contains sensitive data: `ssn`, or `insurance.memberId` through a nested type. */
export interface SensitiveField {
  path: string;
  kind: SensitiveKind;
  /** The declaration of the field, in this file. */
  node?: ts.Node;
  /** The name of the type that declares it. */
  owner?: string;
}

/** The sensitive fields of a type, and the types of other modules it includes, which the project step looks up. */
export interface TypeSensitivity {
  fields: SensitiveField[];
  refs: TypeRef[];
}

/** Plain-data form of a type's sensitivity, recorded as a fact for the project step. */
export interface TypeFact {
  fields: Array<{ path: string; kind: SensitiveKind }>;
  refs: TypeRef[];
}

type LocalTypeNode =
  | ts.InterfaceDeclaration
  | ts.TypeAliasDeclaration
  | ts.ClassLikeDeclaration
  | ts.TypeLiteralNode
  | ts.ObjectLiteralExpression;

/** A type the value of an expression has: a declaration of this file, or a type of another module. */
export type TypeTarget =
  | { kind: 'local'; node: LocalTypeNode; exclude?: ReadonlySet<string>; only?: ReadonlySet<string> }
  | { kind: 'ref'; ref: TypeRef };

interface Field {
  name: string;
  node: ts.Node;
  type?: ts.TypeNode;
}

/** Generic types whose values carry the data of their first type argument: `Promise<Patient>`, `Partial<Patient>`. */
const WRAPPER_TYPES = new Set([
  'Array',
  'ReadonlyArray',
  'Promise',
  'Partial',
  'Required',
  'Readonly',
  'NonNullable',
  'Awaited',
  'Set',
  'ReadonlySet',
  'Iterable',
  'Observable',
  'Repository',
  'MongoRepository',
  'TreeRepository',
  'EntityRepository',
  'ModelStatic',
  'ModelCtor',
  'HydratedDocument',
  'Document',
  'LeanDocument',
  'WithId',
  'InferAttributes',
  'InferCreationAttributes',
  'CreationAttributes',
  'Attributes',
]);

/** Generic types whose values carry the data of their last type argument: `Map<string, Patient>`. */
const VALUE_WRAPPER_TYPES = new Set(['Map', 'ReadonlyMap', 'Record']);

const MAX_NESTING = 3;

/**
 * Reads the shapes of types declared in one file (interfaces, type aliases,
 * classes such as TypeORM entities and Sequelize models, and the attribute
 * objects of Mongoose schemas and `sequelize.define`) and finds which of
 * their fields contain sensitive data.
 */
export class TypeIndex {
  private readonly cache = new Map<ts.Node, TypeSensitivity>();
  /** The fields and the included types of each declaration, which every use of it asks for again. */
  private readonly fieldCache = new Map<ts.Node, Field[]>();
  private readonly includedCache = new Map<ts.Node, TypeTarget[]>();
  private readonly includedRefCache = new Map<ts.Node, TypeRef[]>();
  private readonly targetCache = new Map<ts.TypeNode, TypeTarget[]>();
  private modelInits: Map<string, ts.ObjectLiteralExpression[]> | undefined;

  constructor(
    private readonly sem: FileSemantics,
    private readonly classify: (name: string) => SensitiveKind | undefined,
  ) {}

  /** Returns the types a type annotation names, through arrays, promises, unions, `Pick` and `Omit`. */
  targetsOfTypeNode(type: ts.TypeNode | undefined, depth = 0): TypeTarget[] {
    if (!type || depth > 6) return [];
    if (depth > 0) return this.findTargets(type, depth);
    // Each field type is asked about for every type that nests it; the answer is the same each time.
    let targets = this.targetCache.get(type);
    if (!targets) {
      targets = this.findTargets(type, 0);
      this.targetCache.set(type, targets);
    }
    return targets;
  }

  private findTargets(type: ts.TypeNode, depth: number): TypeTarget[] {
    if (ts.isTypeReferenceNode(type)) return this.targetsOfReference(type.typeName, type.typeArguments, type, depth);
    if (ts.isExpressionWithTypeArguments(type)) {
      const name = toEntityName(type.expression);
      return name ? this.targetsOfReference(name, type.typeArguments, type, depth) : [];
    }
    if (ts.isArrayTypeNode(type)) return this.targetsOfTypeNode(type.elementType, depth + 1);
    if (ts.isParenthesizedTypeNode(type) || ts.isTypeOperatorNode(type)) return this.targetsOfTypeNode(type.type, depth + 1);
    if (ts.isUnionTypeNode(type) || ts.isIntersectionTypeNode(type)) {
      return type.types.flatMap((member) => this.targetsOfTypeNode(member, depth + 1));
    }
    if (ts.isTupleTypeNode(type)) {
      return type.elements.flatMap((element) => this.targetsOfTypeNode(ts.isNamedTupleMember(element) ? element.type : element, depth + 1));
    }
    if (ts.isTypeLiteralNode(type)) return [{ kind: 'local', node: type }];
    return [];
  }

  private targetsOfReference(
    name: ts.EntityName,
    typeArguments: ts.NodeArray<ts.TypeNode> | undefined,
    at: ts.Node,
    depth: number,
  ): TypeTarget[] {
    const text = ts.isIdentifier(name) ? name.text : name.right.text;
    const [first, second] = typeArguments ?? [];
    if (ts.isIdentifier(name) && WRAPPER_TYPES.has(text) && first) return this.targetsOfTypeNode(first, depth + 1);
    if (ts.isIdentifier(name) && VALUE_WRAPPER_TYPES.has(text) && second) return this.targetsOfTypeNode(second, depth + 1);
    if (ts.isIdentifier(name) && (text === 'Pick' || text === 'Omit') && first && second) {
      const keys = new Set(literalKeys(second));
      return this.targetsOfTypeNode(first, depth + 1).map((target) => restrict(target, text === 'Pick' ? { only: keys } : { exclude: keys }));
    }

    const leftmost = getLeftmostIdentifier(name);
    const declaration = this.sem.scope.lookup(leftmost.text, at);
    if (!declaration) return [];
    if (declaration.kind === 'type' && ts.isIdentifier(name)) return [{ kind: 'local', node: declaration.node }];
    if (declaration.kind === 'class' && ts.isIdentifier(name)) return [{ kind: 'local', node: declaration.node }];
    if (declaration.kind === 'import' && this.sem.isProjectSpecifier(declaration.specifier)) {
      // A namespace import names the type on its right: `models.Patient`.
      let exported: string | undefined = declaration.imported;
      if (declaration.imported === '*') exported = ts.isIdentifier(name) ? undefined : name.right.text;
      return exported ? [{ kind: 'ref', ref: { specifier: declaration.specifier, name: exported } }] : [];
    }
    return [];
  }

  /** Returns the model an identifier names: a class of this file, `mongoose.model('Patient', schema)` or `sequelize.define(...)`. */
  targetsOfModel(identifier: ts.Identifier): TypeTarget[] {
    const declaration = this.sem.resolve(identifier);
    if (declaration?.kind === 'class') return [{ kind: 'local', node: declaration.node }];
    if (declaration?.kind === 'import' && this.sem.isProjectSpecifier(declaration.specifier) && declaration.imported !== '*') {
      return [{ kind: 'ref', ref: { specifier: declaration.specifier, name: declaration.imported } }];
    }
    if (declaration?.kind === 'variable' && declaration.pattern.length > 0) {
      // `const { Patient } = require('./models')`.
      const origin = this.sem.originOf(identifier);
      const steps = origin.path.filter((step) => step !== CALL && step !== NEW);
      if (origin.root.kind !== 'module' || !this.sem.isProjectModule(origin) || steps.length !== 1) return [];
      return [{ kind: 'ref', ref: { specifier: origin.root.specifier, name: steps[0]! } }];
    }
    if (declaration?.kind !== 'variable') return [];
    const initializer = declaration.node.initializer && skipOuterExpressions(declaration.node.initializer);
    if (!initializer || !ts.isCallExpression(initializer)) return [];
    // `const Patient = require('./models/patient')`, the module's default export.
    const origin = this.sem.originOf(identifier);
    if (origin.root.kind === 'module' && this.sem.isProjectModule(origin)) {
      const steps = origin.path.filter((step) => step !== CALL && step !== NEW);
      if (steps.length > 1) return [];
      return [{ kind: 'ref', ref: { specifier: origin.root.specifier, name: steps[0] ?? 'default' } }];
    }
    return this.targetsOfModelCall(initializer);
  }

  /** Returns the model a call makes: `mongoose.model('Patient', schema)` or `sequelize.define('Patient', { ... })`. */
  private targetsOfModelCall(initializer: ts.CallExpression): TypeTarget[] {
    const callee = getCalleeName(initializer);
    if (callee === 'model') {
      const typed = this.targetsOfTypeNode(initializer.typeArguments?.[0]);
      if (typed.length > 0) return typed;
      const schema = initializer.arguments[1] && this.getSchemaObject(initializer.arguments[1]);
      return schema ? [{ kind: 'local', node: schema }] : [];
    }
    if (callee === 'define') {
      const attributes = initializer.arguments[1] && skipOuterExpressions(initializer.arguments[1]);
      return attributes && ts.isObjectLiteralExpression(attributes) ? [{ kind: 'local', node: attributes }] : [];
    }
    return [];
  }

  /** Returns the attribute object of `new Schema({ ... })`, directly or through a `const`. */
  private getSchemaObject(expression: ts.Expression): ts.ObjectLiteralExpression | undefined {
    let node = skipOuterExpressions(expression);
    if (ts.isIdentifier(node)) {
      const declaration = this.sem.resolve(node);
      if (declaration?.kind !== 'variable' || !declaration.node.initializer) return undefined;
      node = skipOuterExpressions(declaration.node.initializer);
    }
    if (!ts.isNewExpression(node) || getCalleeName(node) !== 'Schema') return undefined;
    const attributes = node.arguments?.[0] && skipOuterExpressions(node.arguments[0]);
    return attributes && ts.isObjectLiteralExpression(attributes) ? attributes : undefined;
  }

  /** Returns the types of a field of values of the given types: `visit.patient` with `interface Visit { patient: Patient }`. */
  fieldTargets(targets: readonly TypeTarget[], name: string): TypeTarget[] {
    const found: TypeTarget[] = [];
    for (const target of targets) {
      if (target.kind !== 'local' || !isKept(target, name)) continue;
      for (const field of this.fieldsOf(target.node)) {
        if (field.name === name) found.push(...this.targetsOfTypeNode(field.type));
      }
    }
    return found;
  }

  /** Narrows the types of a destructured value to the name its pattern binds; a rest element gives no type. */
  narrowToPattern(targets: readonly TypeTarget[], pattern: readonly PatternStep[]): TypeTarget[] {
    let narrowed = [...targets];
    for (const step of pattern) {
      if ('property' in step) narrowed = this.fieldTargets(narrowed, step.property);
      else if ('rest' in step) return [];
    }
    return narrowed;
  }

  /** Returns the sensitive fields of values of the given types. */
  sensitivityOf(targets: readonly TypeTarget[]): TypeSensitivity {
    const result: TypeSensitivity = { fields: [], refs: [] };
    for (const target of targets) {
      if (target.kind === 'ref') {
        result.refs.push(target.ref);
        continue;
      }
      const own = this.sensitivityOfNode(target.node, 0, new Set());
      result.fields.push(...own.fields.filter((field) => isKept(target, topKey(field.path))));
      for (const ref of own.refs) {
        if (ref.prefix !== undefined && !isKept(target, topKey(ref.prefix))) continue;
        result.refs.push(ref.prefix === undefined ? withKeys(ref, target) : ref);
      }
    }
    return result;
  }

  private sensitivityOfNode(node: LocalTypeNode, depth: number, seen: Set<ts.Node>): TypeSensitivity {
    const cached = this.cache.get(node);
    if (cached) return cached;
    const result: TypeSensitivity = { fields: [], refs: [] };
    if (seen.has(node) || depth > MAX_NESTING) return result;
    seen.add(node);
    const owner = getTypeName(node);

    for (const field of this.fieldsOf(node)) {
      if (field.type && isBooleanType(field.type)) continue;
      const kind = this.classify(field.name);
      if (kind) {
        result.fields.push({ path: field.name, kind, node: field.node, ...(owner ? { owner } : {}) });
        continue;
      }
      for (const nested of this.targetsOfTypeNode(field.type)) {
        if (nested.kind === 'ref') {
          result.refs.push({ ...nested.ref, prefix: field.name });
          continue;
        }
        const inner = this.sensitivityOfNode(nested.node, depth + 1, seen);
        for (const innerField of inner.fields) {
          if (isKept(nested, topKey(innerField.path))) result.fields.push({ ...innerField, path: `${field.name}.${innerField.path}` });
        }
        for (const ref of inner.refs) result.refs.push({ ...ref, prefix: `${field.name}.${ref.prefix ?? ''}`.replace(/\.$/, '') });
      }
    }

    result.refs.push(...this.includedRefsOf(node));

    seen.delete(node);
    if (depth === 0) this.cache.set(node, result);
    return result;
  }

  /** The fields of a declaration, with those of the local types it extends. */
  private fieldsOf(node: LocalTypeNode): Field[] {
    let fields = this.fieldCache.get(node);
    if (!fields) {
      fields = this.collectFields(node, new Set());
      this.fieldCache.set(node, fields);
    }
    return fields;
  }

  /** Fields a declaration lists itself, without those of the types it extends. */
  private collectFields(node: LocalTypeNode, seen: Set<ts.Node>): Field[] {
    if (seen.has(node)) return [];
    seen.add(node);
    const fields: Field[] = [];
    if (ts.isInterfaceDeclaration(node) || ts.isTypeLiteralNode(node)) {
      for (const member of node.members) {
        if (!ts.isPropertySignature(member)) continue;
        const name = propertyNameText(member.name);
        if (name !== undefined) fields.push({ name, node: member, ...(member.type ? { type: member.type } : {}) });
      }
    } else if (ts.isClassLike(node)) {
      fields.push(...this.collectClassFields(node));
    } else if (ts.isObjectLiteralExpression(node)) {
      for (const property of node.properties) {
        const name = property.name && propertyNameText(property.name);
        if (name !== undefined) fields.push({ name, node: property });
      }
    } else if (ts.isTypeAliasDeclaration(node)) {
      for (const target of this.targetsOfTypeNode(node.type)) {
        if (target.kind !== 'local') continue;
        fields.push(...this.collectFields(target.node, seen).filter((field) => isKept(target, field.name)));
      }
    }
    for (const included of this.collectIncluded(node)) {
      if (included.kind !== 'local' || ts.isTypeAliasDeclaration(node)) continue;
      fields.push(...this.collectFields(included.node, seen).filter((field) => isKept(included, field.name)));
    }
    return fields;
  }

  private collectClassFields(node: ts.ClassLikeDeclaration): Field[] {
    const fields: Field[] = [];
    for (const member of node.members) {
      if (ts.isPropertyDeclaration(member) && !hasModifier(member, ts.SyntaxKind.StaticKeyword)) {
        const name = propertyNameText(member.name);
        if (name !== undefined) fields.push({ name, node: member, ...(member.type ? { type: member.type } : {}) });
      }
      if (ts.isConstructorDeclaration(member)) {
        for (const parameter of member.parameters) {
          if (!ts.isIdentifier(parameter.name) || !isParameterProperty(parameter)) continue;
          fields.push({ name: parameter.name.text, node: parameter, ...(parameter.type ? { type: parameter.type } : {}) });
        }
      }
    }
    // Sequelize: `Patient.init({ ssn: DataTypes.STRING }, { sequelize })`.
    if (node.name) {
      for (const attributes of this.getModelInits().get(node.name.text) ?? []) {
        for (const property of attributes.properties) {
          const name = property.name && propertyNameText(property.name);
          if (name !== undefined) fields.push({ name, node: property });
        }
      }
    }
    return fields;
  }

  /** The types of other modules a declaration takes fields from, worked out once per declaration. */
  private includedRefsOf(node: LocalTypeNode): TypeRef[] {
    let refs = this.includedRefCache.get(node);
    if (!refs) {
      refs = this.collectIncludedRefs(node, new Set());
      this.includedRefCache.set(node, refs);
    }
    return refs;
  }

  /** Types of other modules that a declaration takes fields from, through the local types it extends. */
  private collectIncludedRefs(node: LocalTypeNode, seen: Set<ts.Node>): TypeRef[] {
    if (seen.has(node)) return [];
    seen.add(node);
    const refs: TypeRef[] = [];
    for (const included of this.collectIncluded(node)) {
      if (included.kind === 'ref') refs.push(included.ref);
      else refs.push(...this.collectIncludedRefs(included.node, seen).map((ref) => withKeys(ref, included)));
    }
    return refs;
  }

  /** Types a declaration takes fields from: `extends` clauses, and the members of an intersection alias. */
  private collectIncluded(node: LocalTypeNode): TypeTarget[] {
    let included = this.includedCache.get(node);
    if (!included) {
      included = this.findIncluded(node);
      this.includedCache.set(node, included);
    }
    return included;
  }

  private findIncluded(node: LocalTypeNode): TypeTarget[] {
    if (ts.isTypeAliasDeclaration(node)) return this.targetsOfTypeNode(node.type);
    if (!ts.isInterfaceDeclaration(node) && !ts.isClassLike(node)) return [];
    const included: TypeTarget[] = [];
    for (const clause of node.heritageClauses ?? []) {
      if (clause.token !== ts.SyntaxKind.ExtendsKeyword) continue;
      for (const type of clause.types) {
        const base = this.targetsOfTypeNode(type);
        // A library base class carries the model's attributes as a type argument: `extends Model<PatientAttributes>`.
        const attributes = base.length === 0 ? this.targetsOfTypeNode(type.typeArguments?.[0]) : [];
        included.push(...base, ...attributes);
      }
    }
    return included;
  }

  private getModelInits(): Map<string, ts.ObjectLiteralExpression[]> {
    if (this.modelInits) return this.modelInits;
    const inits = new Map<string, ts.ObjectLiteralExpression[]>();
    for (const statement of this.sem.sourceFile.statements) {
      if (!ts.isExpressionStatement(statement) || !ts.isCallExpression(statement.expression)) continue;
      const call = statement.expression;
      const callee = skipOuterExpressions(call.expression);
      if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'init' || !ts.isIdentifier(callee.expression)) continue;
      const attributes = call.arguments[0] && skipOuterExpressions(call.arguments[0]);
      if (!attributes || !ts.isObjectLiteralExpression(attributes)) continue;
      const list = inits.get(callee.expression.text) ?? [];
      list.push(attributes);
      inits.set(callee.expression.text, list);
    }
    this.modelInits = inits;
    return inits;
  }

  /**
   * Lists, by name, the sensitive fields of every top-level type of the file
   * that has any, for the project step: interfaces, type aliases, classes, and models
   * made with `model(...)` or `define(...)`.
   */
  getTypeFacts(): Record<string, TypeFact> {
    const facts: Record<string, TypeFact> = {};
    const add = (name: string, sensitivity: TypeSensitivity): void => {
      if (sensitivity.fields.length === 0 && sensitivity.refs.length === 0) return;
      facts[name] = {
        fields: sensitivity.fields.map((field) => ({ path: field.path, kind: field.kind })),
        refs: sensitivity.refs,
      };
    };
    for (const statement of this.sem.sourceFile.statements) {
      if (
        ts.isInterfaceDeclaration(statement) ||
        ts.isTypeAliasDeclaration(statement) ||
        ts.isClassDeclaration(statement)
      ) {
        if (statement.name) add(statement.name.text, this.sensitivityOfNode(statement, 0, new Set()));
      } else if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          if (!ts.isIdentifier(declaration.name) || !this.mayBeLocalModel(declaration.name)) continue;
          const model = this.targetsOfModel(declaration.name);
          if (model.length > 0 && model.every((target) => target.kind === 'local'))
            add(declaration.name.text, this.sensitivityOf(model));
        }
      }
      const exported = getDefaultExport(statement);
      if (exported) add('default', this.sensitivityOf(this.targetsOfExported(exported)));
    }
    return facts;
  }

  /**
   * False when {@link targetsOfModel} finds no model of this file for a
   * name, without its origin question: only a class, or a variable that
   * holds a `model(...)` or `define(...)` call, can be one.
   */
  private mayBeLocalModel(identifier: ts.Identifier): boolean {
    const declaration = this.sem.resolve(identifier);
    if (declaration?.kind === 'class') return true;
    if (declaration?.kind !== 'variable' || declaration.pattern.length > 0) return false;
    const initializer = declaration.node.initializer && skipOuterExpressions(declaration.node.initializer);
    if (!initializer || !ts.isCallExpression(initializer)) return false;
    const callee = getCalleeName(initializer);
    return callee === 'model' || callee === 'define';
  }

  /** Returns the type or model a default export denotes: a class, or a model made by `model(...)` or `define(...)`. */
  private targetsOfExported(node: ts.Node): TypeTarget[] {
    if (ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node)) return [{ kind: 'local', node }];
    if (!ts.isExpression(node)) return [];
    const expression = skipOuterExpressions(node);
    if (ts.isIdentifier(expression)) {
      const declaration = this.sem.resolve(expression);
      if (declaration?.kind === 'type') return [{ kind: 'local', node: declaration.node }];
      return this.targetsOfModel(expression).filter((target) => target.kind === 'local');
    }
    if (ts.isClassExpression(expression)) return [{ kind: 'local', node: expression }];
    return ts.isCallExpression(expression) ? this.targetsOfModelCall(expression) : [];
  }
}

/** Returns the node a statement exports as the module's default: `export default X`, `export default class`, `module.exports = X`. */
function getDefaultExport(statement: ts.Statement): ts.Node | undefined {
  if (ts.isExportAssignment(statement) && !statement.isExportEquals) return statement.expression;
  if (
    (ts.isClassDeclaration(statement) || ts.isInterfaceDeclaration(statement)) &&
    hasModifier(statement, ts.SyntaxKind.DefaultKeyword)
  ) {
    return statement;
  }
  if (!ts.isExpressionStatement(statement) || !ts.isBinaryExpression(statement.expression)) return undefined;
  const { left, operatorToken, right } = statement.expression;
  if (operatorToken.kind !== ts.SyntaxKind.EqualsToken || !ts.isPropertyAccessExpression(left)) return undefined;
  const isModuleExports =
    ts.isIdentifier(left.expression) && left.expression.text === 'module' && left.name.text === 'exports';
  return isModuleExports ? right : undefined;
}

function isParameterProperty(parameter: ts.ParameterDeclaration): boolean {
  return (
    hasModifier(parameter, ts.SyntaxKind.PrivateKeyword) ||
    hasModifier(parameter, ts.SyntaxKind.PublicKeyword) ||
    hasModifier(parameter, ts.SyntaxKind.ProtectedKeyword) ||
    hasModifier(parameter, ts.SyntaxKind.ReadonlyKeyword)
  );
}

/** True for `boolean` and `true`/`false`: a flag such as `hasInsurance` never contains the data itself. */
export function isBooleanType(type: ts.TypeNode | undefined): boolean {
  if (!type) return false;
  if (type.kind === ts.SyntaxKind.BooleanKeyword) return true;
  if (ts.isLiteralTypeNode(type)) return type.literal.kind === ts.SyntaxKind.TrueKeyword || type.literal.kind === ts.SyntaxKind.FalseKeyword;
  if (ts.isUnionTypeNode(type)) {
    return type.types.every(
      (member) => isBooleanType(member) || member.kind === ts.SyntaxKind.UndefinedKeyword || (ts.isLiteralTypeNode(member) && member.literal.kind === ts.SyntaxKind.NullKeyword),
    );
  }
  return false;
}

/**
 * True for a type whose values are a few string or number constants:
 * `'all' | 'necessary'`. Such a value is never a password or token, though
 * it can still be health data, as `hivStatus: 'positive' | 'negative'` is.
 */
export function isLiteralUnionType(type: ts.TypeNode | undefined): boolean {
  if (!type) return false;
  if (ts.isLiteralTypeNode(type)) return ts.isStringLiteral(type.literal) || ts.isNumericLiteral(type.literal);
  return ts.isUnionTypeNode(type) && type.types.every((member) => isLiteralUnionType(member) || member.kind === ts.SyntaxKind.UndefinedKeyword);
}

function literalKeys(type: ts.TypeNode): string[] {
  if (ts.isLiteralTypeNode(type) && ts.isStringLiteral(type.literal)) return [type.literal.text];
  if (ts.isUnionTypeNode(type)) return type.types.flatMap(literalKeys);
  return [];
}

function restrict(target: TypeTarget, keys: { only?: ReadonlySet<string>; exclude?: ReadonlySet<string> }): TypeTarget {
  if (target.kind === 'ref') {
    const ref = { ...target.ref };
    if (keys.only) ref.only = [...keys.only];
    if (keys.exclude) ref.exclude = [...(ref.exclude ?? []), ...keys.exclude];
    return { kind: 'ref', ref };
  }
  const exclude = keys.exclude ? new Set([...(target.exclude ?? []), ...keys.exclude]) : target.exclude;
  return { kind: 'local', node: target.node, ...(keys.only ?? target.only ? { only: keys.only ?? target.only } : {}), ...(exclude ? { exclude } : {}) };
}

/** Applies the `Pick`/`Omit` keys of a local target to a type of another module that it includes. */
function withKeys(ref: TypeRef, target: TypeTarget): TypeRef {
  if (target.kind !== 'local') return ref;
  const result = { ...ref };
  if (target.exclude) result.exclude = [...(ref.exclude ?? []), ...target.exclude];
  if (target.only) result.only = [...target.only];
  return result;
}

/** Restricts a type's fields with keys removed by a rest pattern: `const { ssn, ...rest } = patient`. */
export function excludeKeys(targets: readonly TypeTarget[], keys: readonly string[]): TypeTarget[] {
  return targets.map((target) => restrict(target, { exclude: new Set(keys) }));
}

function isKept(target: TypeTarget, key: string): boolean {
  if (target.kind !== 'local') return true;
  if (target.exclude?.has(key)) return false;
  return !target.only || target.only.has(key);
}

function topKey(path: string): string {
  const dot = path.indexOf('.');
  return dot === -1 ? path : path.slice(0, dot);
}

function getTypeName(node: LocalTypeNode): string | undefined {
  if ((ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isClassLike(node)) && node.name) return node.name.text;
  return undefined;
}

function getLeftmostIdentifier(name: ts.EntityName): ts.Identifier {
  let current = name;
  while (ts.isQualifiedName(current)) current = current.left;
  return current;
}

/** `a.b.C` in an `extends` clause, as a qualified type name. */
function toEntityName(expression: ts.Expression): ts.EntityName | undefined {
  if (ts.isIdentifier(expression)) return expression;
  if (ts.isPropertyAccessExpression(expression) && ts.isIdentifier(expression.name)) {
    const left = toEntityName(expression.expression);
    return left ? ts.factory.createQualifiedName(left, expression.name.text) : undefined;
  }
  return undefined;
}
