import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { propertyNameText, skipOuterExpressions } from '../../analysis/syntax.js';
import type { TypeIndex, TypeTarget } from './sensitive-types.js';

/** Static methods of ORM models and repositories that return instances of the model. */
const FINDER_METHODS = new Set([
  'findOne',
  'findOneBy',
  'findOneOrFail',
  'findOneByOrFail',
  'findByPk',
  'findById',
  'findAll',
  'find',
  'findBy',
  'create',
  'save',
  'build',
  'preload',
  'findByIdAndUpdate',
  'findOneAndUpdate',
  'findOrCreate',
]);

/** Query chain methods that keep the model type: `Patient.findById(id).lean()`. */
const QUERY_CHAIN_METHODS = new Set(['lean', 'exec', 'populate', 'select', 'sort', 'limit', 'orFail', 'skip', 'where']);

/** A parameter of a followed function, bound to the argument of the call being followed. */
export interface Binding {
  argument: ts.Expression | undefined;
  bindings: ReadonlyMap<ts.ParameterDeclaration, Binding>;
}

/** The part of the classifier's state that type inference reads: parameter bindings, and declarations already being followed. */
export interface TypeScope {
  bindings: ReadonlyMap<ts.ParameterDeclaration, Binding>;
  following: ReadonlySet<ts.Node>;
}

/**
 * Infers the types of values in one file: annotations, `new`, ORM finders
 * (TypeORM, Sequelize, Mongoose) and functions of the file with a return
 * type. Values of a followed function use the arguments of its call.
 */
export class ValueTypes {
  constructor(
    private readonly sem: FileSemantics,
    private readonly types: TypeIndex,
  ) {}

  /** The types a value has, from annotations, `new`, ORM finders and functions of this file with a return type. */
  typeOfExpression(node: ts.Expression, scope: TypeScope, depth = 0): TypeTarget[] {
    if (depth > 8) return [];
    if (ts.isAsExpression(node) || ts.isTypeAssertionExpression(node) || ts.isSatisfiesExpression(node)) {
      const asserted = this.types.targetsOfTypeNode(node.type);
      return asserted.length > 0 ? asserted : this.typeOfExpression(node.expression, scope, depth + 1);
    }
    if (ts.isParenthesizedExpression(node) || ts.isNonNullExpression(node) || ts.isAwaitExpression(node)) {
      return this.typeOfExpression(node.expression, scope, depth + 1);
    }
    if (ts.isIdentifier(node)) return this.typeOfIdentifier(node, scope, depth);
    if (ts.isPropertyAccessExpression(node)) {
      if (node.expression.kind === ts.SyntaxKind.ThisKeyword) return this.typeOfThisMember(node);
      return this.types.fieldTargets(this.typeOfExpression(node.expression, scope, depth + 1), node.name.text);
    }
    if (ts.isElementAccessExpression(node) && ts.isNumericLiteral(node.argumentExpression)) {
      return this.typeOfExpression(node.expression, scope, depth + 1);
    }
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression)) {
      const declaration = this.sem.resolve(node.expression);
      return declaration?.kind === 'class' ? [{ kind: 'local', node: declaration.node }] : [];
    }
    if (ts.isCallExpression(node)) return this.typeOfCall(node, scope, depth);
    return [];
  }

  private typeOfIdentifier(identifier: ts.Identifier, scope: TypeScope, depth: number): TypeTarget[] {
    const declaration = this.sem.resolve(identifier);
    if (declaration?.kind === 'parameter') {
      const binding = scope.bindings.get(declaration.node);
      if (binding?.argument && declaration.pattern.length === 0) {
        return this.typeOfExpression(binding.argument, { ...scope, bindings: binding.bindings }, depth + 1);
      }
      const annotated = this.types.targetsOfTypeNode(declaration.node.type);
      // `({ timezone }: { timezone?: string; history: Item[] })` binds one field of the annotated type, not all of it.
      if (annotated.length > 0 || declaration.pattern.length > 0) return this.types.narrowToPattern(annotated, declaration.pattern);
      return this.typeOfCallbackParameter(declaration.node, scope, depth);
    }
    if (declaration?.kind !== 'variable') return [];
    const annotated = this.types.targetsOfTypeNode(declaration.node.type);
    if (annotated.length > 0) return this.types.narrowToPattern(annotated, declaration.pattern);
    if (scope.following.has(declaration.name)) return [];
    const inner = { ...scope, following: new Set(scope.following).add(declaration.name) };
    const initializer = declaration.node.initializer;
    const loop = declaration.node.parent.parent;
    if (!initializer && ts.isForOfStatement(loop)) return this.typeOfExpression(loop.expression, inner, depth + 1);
    if (!initializer) return [];
    return this.types.narrowToPattern(this.typeOfExpression(initializer, inner, depth + 1), declaration.pattern);
  }


  /** `patients.forEach((patient) => ...)`: the element type of the array the callback walks. */
  private typeOfCallbackParameter(parameter: ts.ParameterDeclaration, scope: TypeScope, depth: number): TypeTarget[] {
    const fn = parameter.parent;
    if (!(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) || fn.parameters[0] !== parameter) return [];
    const call = fn.parent;
    if (!ts.isCallExpression(call) || !call.arguments.includes(fn)) return [];
    const callee = skipOuterExpressions(call.expression);
    if (!ts.isPropertyAccessExpression(callee)) return [];
    if (!['forEach', 'map', 'filter', 'find', 'some', 'every', 'flatMap'].includes(callee.name.text)) return [];
    return this.typeOfExpression(callee.expression, scope, depth + 1);
  }

  /** `this.patient` or `this.repository`: the type of a class field or constructor parameter property. */
  private typeOfThisMember(access: ts.PropertyAccessExpression): TypeTarget[] {
    let classNode: ts.Node | undefined = access.parent;
    while (classNode && !ts.isClassLike(classNode)) classNode = classNode.parent;
    if (!classNode || !ts.isClassLike(classNode)) return [];
    const name = access.name.text;
    for (const member of classNode.members) {
      if (ts.isPropertyDeclaration(member) && propertyNameText(member.name) === name)
        return this.types.targetsOfTypeNode(member.type);
      if (!ts.isConstructorDeclaration(member)) continue;
      for (const parameter of member.parameters) {
        if (ts.isIdentifier(parameter.name) && parameter.name.text === name)
          return this.types.targetsOfTypeNode(parameter.type);
      }
    }
    return [];
  }

  /**
   * `await Patient.findByPk(id)`, `repo.findOne(...)` with `repo: Repository<Patient>`,
   * `dataSource.getRepository(Patient)`, and local functions with a return type.
   */
  private typeOfCall(call: ts.CallExpression, scope: TypeScope, depth: number): TypeTarget[] {
    const callee = skipOuterExpressions(call.expression);
    const local = this.sem.getLocalFunction(this.sem.originOf(callee));
    if (local) return this.types.targetsOfTypeNode(local.type);
    if (!ts.isPropertyAccessExpression(callee) && !ts.isIdentifier(callee)) return [];
    const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : callee.text;

    if (method === 'getRepository' || method === 'getMongoRepository' || method === 'getCustomRepository') {
      const entity = call.arguments[0] && skipOuterExpressions(call.arguments[0]);
      return entity && ts.isIdentifier(entity) ? this.types.targetsOfModel(entity) : [];
    }
    if (!ts.isPropertyAccessExpression(callee)) return [];
    const receiver = skipOuterExpressions(callee.expression);
    if (QUERY_CHAIN_METHODS.has(method) && ts.isCallExpression(receiver))
      return this.typeOfCall(receiver, scope, depth + 1);
    if (!FINDER_METHODS.has(method)) return [];
    // TypeORM's entity manager takes the entity first: `manager.findOne(Patient, { where })`.
    const first = call.arguments[0] && skipOuterExpressions(call.arguments[0]);
    if (first && ts.isIdentifier(first) && this.sem.resolve(first)?.kind === 'class')
      return this.types.targetsOfModel(first);
    if (ts.isIdentifier(receiver)) {
      const model = this.types.targetsOfModel(receiver);
      if (model.length > 0) return model;
    }
    return this.typeOfExpression(receiver, scope, depth + 1);
  }
}
