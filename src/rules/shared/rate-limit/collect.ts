import { ts } from '../../../typescript.js';
import { lastMember, originOfType, type Origin } from '../../../analysis/origin.js';
import type { FileSemantics } from '../../../analysis/semantics.js';
import {
  getPropertyValue,
  hasModifier,
  isFunctionNode,
  propertyNameText,
  skipOuterExpressions,
} from '../../../analysis/syntax.js';
import type { DeclaredExport } from '../../../config/schema.js';
import type { RuleContext, Visitors } from '../../rule.js';
import { gatherNodes, nodesWithin, type FileNodes } from '../file-nodes.js';
import { getOriginStart } from '../origin-start.js';
import type { EventFact, Framework, FunctionFact, ObjectFact, ObjectKind, PathPattern, RateLimitFacts, Ref, Span } from './facts.js';
import {
  CHAINABLE_METHODS,
  CREATION_PACKAGES,
  FRAMEWORK_PACKAGE_NAMES,
  getCreation,
  getFrameworkOfType,
  getLimiterLibrary,
  importsLimiterLibrary,
  isLimiterName,
  ROUTE_METHODS,
} from './libraries.js';
import { EventRecorder } from './collect-events.js';
import { describeNestClasses, registerNestClasses } from './collect-nest.js';
import { joinPaths, toPathPattern } from './paths.js';
import { getBindingName, getBodies, getReturnedExpressions, getThisMemberValue, isTooManyRequestsResponse } from './syntax.js';

/** Most refs kept for the calls of one function; enough for a middleware body, small enough for the cache. */
const MAX_CALLS = 12;
const MAX_DEPTH = 10;
/** Most names kept for one import in a function's calls, for the name test of modules outside the scan. */
const MAX_NAMES = 8;

/** Methods whose call can show that a parameter receives an app, a router or a plugin instance. */
const INSTANCE_METHODS = new Set([...ROUTE_METHODS, 'use', 'register', 'addHook', 'route']);

/** Text of a 429 response, `429` or `TOO_MANY_REQUESTS`; a file without it needs no search for one. */
const TOO_MANY_REQUESTS_TEXT = /429|TOO_MANY_REQUESTS|TooManyRequests/;

/** Facts of each parsed file, shared by the rules that read them, so the file is walked once. */
const collected = new WeakMap<ts.SourceFile, RateLimitFacts | null>();

/**
 * Visitors that gather a file's apps, routers, routes, middleware and
 * limiters, and record them as one fact when the walk ends. Both rate-limit
 * rules use them; the second one reuses the first one's result.
 */
export function createRateLimitVisitors(context: RuleContext): Visitors {
  const { nodes, visitors } = gatherNodes(context, ['invocations', 'classes', 'returns', 'assignments']);
  return {
    ...visitors,
    onEnd() {
      let facts = collected.get(context.sourceFile);
      if (facts === undefined) {
        facts = new FactCollector(context.semantics, context.config.wrappers.rateLimiters, nodes).collect();
        collected.set(context.sourceFile, facts);
      }
      if (facts) context.addFact(facts);
    },
  };
}

/**
 * Which libraries the file imports. An origin starts at an import of the
 * file itself, so a file that imports none of a group's packages cannot hold
 * a value of them, and the origin question need not be asked.
 */
interface ImportGates {
  /** A framework whose calls create apps and routers. */
  creations: boolean;
  /** NestJS decorators. */
  nest: boolean;
  fastifyPlugin: boolean;
  /** A framework whose types mark parameters as instances. */
  frameworkTypes: boolean;
  limiters: boolean;
}

export class FactCollector {
  readonly objects: ObjectFact[] = [];
  readonly events: EventFact[] = [];
  /** Creation expressions, parameters and classes that are apps, routers or NestJS classes, with their object ids. */
  readonly objectIds = new Map<ts.Node, number>();
  private readonly functionIds = new Map<ts.Node, number>();
  /** Results of `objectOf`, with null for none. Cleared once parameters have become objects. */
  private readonly objectCache = new Map<ts.Node, number | null>();
  private readonly refCache = new Map<ts.Node, Ref>();
  private readonly functionNodes: ts.Node[] = [];
  private readonly pluginFunctions = new Set<ts.Node>();
  private readonly sharesParent = new Set<ts.Node>();
  /** Calls in source order, as the walk met them. */
  private readonly calls: readonly ts.CallExpression[];
  private readonly creations: readonly ts.NewExpression[];
  private readonly classes: readonly ts.ClassDeclaration[];
  private readonly gates: ImportGates;
  private tooManyRequestsText: boolean | undefined;
  /** No object is added once parameters have become instances. */
  private objectsSettled = false;

  constructor(
    readonly sem: FileSemantics,
    private readonly wrappers: readonly DeclaredExport[],
    readonly nodes: FileNodes,
  ) {
    this.calls = nodes.calls;
    this.creations = nodes.newExpressions;
    this.classes = nodes.classes;
    this.gates = {
      creations: sem.importsAny(CREATION_PACKAGES),
      nest: sem.importsAny(['@nestjs/common', '@nestjs/graphql']),
      fastifyPlugin: sem.importsAny(['fastify-plugin']),
      frameworkTypes: sem.importsAny(FRAMEWORK_PACKAGE_NAMES),
      limiters: importsLimiterLibrary(sem.getImportedPackages()),
    };
  }

  collect(): RateLimitFacts | null {
    this.findCreations();
    if (this.gates.nest) registerNestClasses(this, this.classes);
    this.findPluginFunctions();
    this.findInstances();
    this.objectCache.clear();
    this.objectsSettled = true;
    this.resolveNestApps();
    const recorder = new EventRecorder(this);
    for (const call of this.calls) recorder.recordCall(call);
    const nest = describeNestClasses(this, this.classes);
    const exports = this.collectExports();
    const functions = this.describeFunctions();

    const empty =
      this.objects.length === 0 && this.events.length === 0 && Object.keys(exports).length === 0 && nest.modules.length === 0;
    if (empty) return null;
    return { objects: this.objects, functions, events: this.events, exports, ...nest };
  }

  span(node: ts.Node, end: ts.Node = node): Span {
    const sourceFile = this.sem.sourceFile;
    const start = sourceFile.getLineAndCharacterOfPosition(node.getStart());
    const finish = sourceFile.getLineAndCharacterOfPosition(end.getEnd());
    return { startLine: start.line + 1, startColumn: start.character + 1, endLine: finish.line + 1, endColumn: finish.character + 1 };
  }

  addObject(node: ts.Node, kind: ObjectKind, framework: Framework, name: string | undefined): number {
    const id = this.objects.length;
    const object: ObjectFact = { kind, framework, span: this.span(node) };
    if (name) object.name = name;
    this.objects.push(object);
    this.objectIds.set(node, id);
    return id;
  }

  // Step 1: apps and routers created in this file.

  private findCreations(): void {
    if (this.gates.creations) {
      for (const node of this.creations) this.addCreation(node);
      for (const node of this.calls) this.addCreation(node);
    }
    // `new Hono().basePath('/api')` is the same app with a prefix; `app.basePath('/v1')` is a child of `app`.
    for (const call of this.calls) {
      const callee = skipOuterExpressions(call.expression);
      if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'basePath' || call.arguments.length !== 1) continue;
      const prefix = this.evaluatePath(call.arguments[0]!);
      const prefixText = prefix.kind === 'strings' ? prefix.values[0] : undefined;
      const receiver = skipOuterExpressions(callee.expression);
      const fresh = this.objectIds.get(receiver);
      if (fresh !== undefined) {
        this.objectIds.set(call, fresh);
        this.objects[fresh]!.prefix = joinPaths(this.objects[fresh]!.prefix, prefixText);
        continue;
      }
      const parent = this.objectOf(receiver);
      if (parent === undefined) continue;
      const child = this.addObject(call, 'router', this.objects[parent]!.framework, getBindingName(call));
      this.objects[child]!.prefix = joinPaths(prefixText);
      this.events.push({ kind: 'use', target: { kind: 'object', id: parent }, pos: call.getStart(), refs: [{ kind: 'object', id: child }] });
    }
  }

  private addCreation(node: ts.CallExpression | ts.NewExpression): void {
    const creation = getCreation(this.sem.originOf(node));
    if (!creation) return;
    const id = this.addObject(node, creation.kind, creation.framework, getBindingName(node));
    // Koa's `new Router({ prefix: '/auth' })`.
    const options = creation.framework === 'koa' && node.arguments?.[0] ? this.getObjectLiteral(node.arguments[0]) : undefined;
    const prefix = options && this.getOption(options, 'prefix');
    const prefixValue = prefix && this.evaluatePath(prefix);
    if (prefixValue?.kind === 'strings') this.objects[id]!.prefix = joinPaths(prefixValue.values[0]);
  }

  /** Functions registered as Fastify plugins or wrapped with fastify-plugin: their first parameter is an instance. */
  private findPluginFunctions(): void {
    for (const call of this.calls) {
      const callee = skipOuterExpressions(call.expression);
      const first = call.arguments[0];
      if (!first) continue;
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'register') {
        const plugin = this.getPluginFunction(first);
        if (plugin) this.pluginFunctions.add(plugin);
      } else if (this.isFastifyPluginWrapper(callee)) {
        const plugin = this.getPluginFunction(first);
        if (plugin) {
          this.pluginFunctions.add(plugin);
          this.sharesParent.add(plugin);
        }
      }
    }
  }

  private isFastifyPluginWrapper(callee: ts.Expression): boolean {
    if (!this.gates.fastifyPlugin) return false;
    const origin = this.sem.originOf(callee);
    return origin.root.kind === 'module' && origin.root.specifier === 'fastify-plugin';
  }

  private getPluginFunction(node: ts.Expression): ts.Node | undefined {
    const expression = skipOuterExpressions(node);
    if (ts.isCallExpression(expression) && this.isFastifyPluginWrapper(skipOuterExpressions(expression.expression))) {
      return expression.arguments[0] ? this.getPluginFunction(expression.arguments[0]) : undefined;
    }
    const origin = this.sem.originOf(expression);
    if (origin.root.kind === 'local' && origin.path.length === 0 && isFunctionNode(origin.root.node)) return origin.root.node;
    return undefined;
  }

  // Step 2: parameters that receive an app, a router or a plugin instance.

  private findInstances(): void {
    // Without a framework type or a plugin, only the method shows an instance.
    const byMethodOnly = !this.gates.frameworkTypes && this.pluginFunctions.size === 0;
    for (const call of this.calls) {
      const callee = skipOuterExpressions(call.expression);
      if (!ts.isPropertyAccessExpression(callee)) continue;
      if (byMethodOnly && !INSTANCE_METHODS.has(callee.name.text)) continue;
      const receiver = skipOuterExpressions(callee.expression);
      if (!ts.isIdentifier(receiver)) continue;
      const declaration = this.sem.resolve(receiver);
      if (declaration?.kind !== 'parameter' || declaration.pattern.length > 0) continue;
      if (this.objectIds.has(declaration.node)) continue;
      const fn = declaration.fn;
      if (!isFunctionNode(fn) || !fn.body) continue;

      const typed = getFrameworkOfType(originOfType(this.sem, declaration.node.type, 0));
      const plugin = declaration.index === 0 && this.pluginFunctions.has(fn);
      if (!typed && !plugin && !this.isInstanceCall(callee.name.text, call)) continue;
      const framework: Framework = typed ?? (plugin ? 'fastify' : 'unknown');
      this.addObject(declaration.node, 'instance', framework, receiver.text);
    }
  }

  /** A call that only an app, router or plugin instance makes: a route with a handler, or a limiter applied. */
  private isInstanceCall(method: string, call: ts.CallExpression): boolean {
    if (ROUTE_METHODS.has(method)) return this.getRouteArguments(call, 'unknown', true) !== undefined;
    if (method === 'use' || method === 'register' || method === 'addHook') {
      return call.arguments.some((argument) => this.isLimiterLibraryValue(argument) || this.objectOf(argument) !== undefined);
    }
    // Fastify's `route({ method: 'POST', url: '/signin', handler })`.
    if (method === 'route' && call.arguments.length === 1) {
      const options = this.getObjectLiteral(call.arguments[0]!);
      return options !== undefined && this.getOption(options, 'handler') !== undefined && (this.getOption(options, 'url') ?? this.getOption(options, 'path')) !== undefined;
    }
    return false;
  }

  isLimiterLibraryValue(node: ts.Expression): boolean {
    if (!this.gates.limiters) return false;
    const origin = this.sem.originOf(node);
    return origin.root.kind === 'module' && getLimiterLibrary(origin.root.specifier) !== undefined;
  }

  private resolveNestApps(): void {
    for (const [node, id] of this.objectIds) {
      const object = this.objects[id]!;
      if (object.kind !== 'nest-app' || !ts.isCallExpression(node) || !node.arguments[0]) continue;
      object.module = this.refOf(node.arguments[0]);
    }
  }

  /**
   * Splits a route call into its path and the remaining arguments, or returns
   * undefined when the call does not look like a route: `app.get('env')` reads
   * a setting. Koa routers accept a route name before the path.
   */
  getRouteArguments(
    call: ts.CallExpression,
    framework: Framework,
    strict: boolean,
  ): { path: PathPattern; rest: readonly ts.Expression[] } | undefined {
    const args = call.arguments;
    if (args.length < 2) return undefined;
    let pathIndex = 0;
    if ((framework === 'koa' || framework === 'unknown') && args.length >= 3 && isStringLiteral(args[0]!) && isPathLiteral(args[1]!)) {
      pathIndex = 1;
    }
    const path = this.evaluatePath(args[pathIndex]!);
    if (path.kind === 'strings' && !path.values.every((value) => value === '' || value.startsWith('/') || value.startsWith('*'))) {
      return undefined;
    }
    if (strict && path.kind === 'unknown') return undefined;
    const rest = args.slice(pathIndex + 1);
    if (strict && !rest.some((argument) => this.isHandlerLike(argument))) return undefined;
    return { path, rest };
  }

  private isHandlerLike(node: ts.Expression, depth = 0): boolean {
    const expression = skipOuterExpressions(node);
    if (ts.isArrowFunction(expression) || ts.isFunctionExpression(expression)) return true;
    if (ts.isPropertyAccessExpression(expression)) return true;
    if (ts.isObjectLiteralExpression(expression)) return this.getOption(expression, 'handler') !== undefined;
    if (ts.isCallExpression(expression)) return depth < 3 && expression.arguments.some((argument) => this.isHandlerLike(argument, depth + 1));
    if (!ts.isIdentifier(expression)) return false;
    const declaration = this.sem.resolve(expression);
    if (!declaration) return false;
    if (declaration.kind === 'function' || declaration.kind === 'import') return true;
    if (declaration.kind !== 'variable' || !declaration.node.initializer) return false;
    const initializer = skipOuterExpressions(declaration.node.initializer);
    return ts.isArrowFunction(initializer) || ts.isFunctionExpression(initializer) || this.isLimiterLibraryValue(initializer);
  }

  // Values: which object an expression is, and what a value is as a limiter candidate.

  /** Finds the id of the app, router, instance or NestJS class of this file that an expression refers to. */
  objectOf(node: ts.Expression, depth = 0): number | undefined {
    // Every answer ends at a known object, so a file without one has none to give.
    if (depth > MAX_DEPTH || (this.objectsSettled && this.objects.length === 0)) return undefined;
    const expression = skipOuterExpressions(node);
    const cached = this.objectCache.get(expression);
    if (cached !== undefined) return cached ?? undefined;
    // The placeholder ends cycles such as `let a = b; b = a;`.
    this.objectCache.set(expression, null);
    const id = this.findObject(expression, depth);
    this.objectCache.set(expression, id ?? null);
    return id;
  }

  private findObject(expression: ts.Expression, depth: number): number | undefined {
    const direct = this.objectIds.get(expression);
    if (direct !== undefined) return direct;

    if (ts.isIdentifier(expression)) {
      const declaration = this.sem.resolve(expression);
      if (!declaration) return undefined;
      if (declaration.kind === 'parameter') return declaration.pattern.length === 0 ? this.objectIds.get(declaration.node) : undefined;
      if (declaration.kind === 'class') return this.objectIds.get(declaration.node);
      if (declaration.kind !== 'variable' || declaration.pattern.length > 0) return undefined;
      for (const value of this.sem.getAssignedValues(declaration)) {
        const id = this.objectOf(value, depth + 1);
        if (id !== undefined) return id;
      }
      return undefined;
    }
    if (ts.isCallExpression(expression)) {
      const callee = skipOuterExpressions(expression.expression);
      if (ts.isPropertyAccessExpression(callee)) {
        const name = callee.name.text;
        if (name === 'routes' || name === 'middleware' || CHAINABLE_METHODS.has(name)) return this.objectOf(callee.expression, depth + 1);
        return undefined;
      }
      // A local factory such as `function createRouter() { const router = Router(); ...; return router; }`.
      const fn = ts.isIdentifier(callee) ? this.getLocalFunction(callee) : undefined;
      if (!fn) return undefined;
      for (const returned of getReturnedExpressions(fn, this.nodes)) {
        const id = this.objectOf(returned, depth + 1);
        if (id !== undefined) return id;
      }
      return undefined;
    }
    if (ts.isPropertyAccessExpression(expression) && expression.expression.kind === ts.SyntaxKind.ThisKeyword) {
      const assigned = getThisMemberValue(expression, this.nodes);
      return assigned ? this.objectOf(assigned, depth + 1) : undefined;
    }
    return undefined;
  }

  private getLocalFunction(identifier: ts.Identifier): ts.FunctionLikeDeclaration | undefined {
    const origin = this.sem.originOf(identifier);
    if (origin.root.kind !== 'local' || origin.path.length > 0) return undefined;
    return isFunctionNode(origin.root.node) ? origin.root.node : undefined;
  }

  /** Describes a value as middleware, plugin or export. */
  refOf(node: ts.Expression, depth = 0): Ref {
    const expression = skipOuterExpressions(node);
    if (depth > MAX_DEPTH) return { kind: 'opaque', names: [] };
    let ref = this.refCache.get(expression);
    if (!ref) {
      // The placeholder ends cycles through conditional values.
      this.refCache.set(expression, { kind: 'opaque', names: [] });
      ref = this.describeValue(expression, depth);
      this.refCache.set(expression, ref);
    }
    return ref;
  }

  private describeValue(expression: ts.Expression, depth: number): Ref {
    const id = this.objectOf(expression);
    if (id !== undefined) return { kind: 'object', id };

    if (ts.isCallExpression(expression)) {
      const special = this.refOfSpecialCall(expression, depth);
      if (special) return special;
    }
    if (ts.isArrowFunction(expression) || ts.isFunctionExpression(expression) || ts.isClassExpression(expression)) {
      return { kind: 'function', id: this.functionId(expression) };
    }
    if (ts.isObjectLiteralExpression(expression)) return this.recordOf(expression, depth);
    const branches = this.getBranches(expression);
    if (branches) {
      // `isTest ? noop : rateLimit(...)`: a limiter in either branch counts.
      const refs = branches.map((branch) => this.refOf(branch, depth + 1));
      return refs.find((ref) => ref.kind === 'limiter') ?? refs.find((ref) => ref.kind !== 'opaque') ?? refs[0]!;
    }
    return this.refOfOrigin(this.sem.originOf(expression));
  }

  /** Returns the two values a conditional or `||`/`??` expression chooses from, directly or through a variable. */
  private getBranches(expression: ts.Expression): ts.Expression[] | undefined {
    let value = expression;
    if (ts.isIdentifier(value)) {
      const declaration = this.sem.resolve(value);
      if (declaration?.kind !== 'variable' || declaration.pattern.length > 0) return undefined;
      const single = this.sem.getSingleValue(declaration);
      if (!single) return undefined;
      value = skipOuterExpressions(single);
    }
    if (ts.isConditionalExpression(value)) return [value.whenTrue, value.whenFalse];
    if (!ts.isBinaryExpression(value)) return undefined;
    const operator = value.operatorToken.kind;
    if (operator !== ts.SyntaxKind.BarBarToken && operator !== ts.SyntaxKind.QuestionQuestionToken) return undefined;
    return [value.left, value.right];
  }

  private refOfSpecialCall(call: ts.CallExpression, depth: number): Ref | undefined {
    const callee = skipOuterExpressions(call.expression);
    const first = call.arguments[0];
    // `app.register(import('@fastify/rate-limit'))`
    if (callee.kind === ts.SyntaxKind.ImportKeyword) {
      if (!first || !ts.isStringLiteralLike(first)) return { kind: 'opaque', names: [] };
      const library = getLimiterLibrary(first.text);
      return library ? { kind: 'limiter', library } : { kind: 'import', specifier: first.text, path: [], names: [] };
    }
    // `preHandler: app.rateLimit()`, the decorator @fastify/rate-limit adds to the instance.
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'rateLimit') return { kind: 'limiter', library: '@fastify/rate-limit' };
    const origin = this.sem.originOf(callee);
    if (origin.root.kind !== 'module' || !first) return undefined;
    if (origin.root.specifier === 'fastify-plugin') return this.refOf(first, depth + 1);
    if (origin.root.specifier === '@nestjs/common' && lastMember(origin) === 'forwardRef') {
      const inner = skipOuterExpressions(first);
      if (ts.isArrowFunction(inner) && !ts.isBlock(inner.body)) return this.refOf(inner.body, depth + 1);
    }
    return undefined;
  }

  refOfOrigin(origin: Origin): Ref {
    const root = origin.root;
    if (root.kind === 'module') {
      const library = getLimiterLibrary(root.specifier);
      if (library) return { kind: 'limiter', library };
      return { kind: 'import', specifier: root.specifier, path: origin.path, names: getLimiterNames(origin) };
    }
    if (root.kind === 'local') {
      const path = origin.path.length > 0 ? { path: origin.path } : {};
      const id = this.objectIds.get(root.node);
      if (id !== undefined) return { kind: 'object', id, ...path };
      if (isFunctionNode(root.node) || ts.isClassLike(root.node)) return { kind: 'function', id: this.functionId(root.node), ...path };
      if (ts.isObjectLiteralExpression(root.node) && origin.path.length === 0) return this.recordOf(root.node, 0);
    }
    return { kind: 'opaque', names: getLimiterNames(origin) };
  }

  private recordOf(object: ts.ObjectLiteralExpression, depth: number): Ref {
    const members: Record<string, Ref> = {};
    for (const property of object.properties) {
      const name = property.name && propertyNameText(property.name);
      if (!name) continue;
      if (ts.isMethodDeclaration(property)) {
        members[name] = { kind: 'function', id: this.functionId(property) };
        continue;
      }
      const value = getPropertyValue(property);
      if (!value) continue;
      const ref = this.refOf(value, depth + 1);
      if (isKept(ref)) members[name] = ref;
    }
    return { kind: 'record', members };
  }

  functionId(node: ts.Node): number {
    let id = this.functionIds.get(node);
    if (id === undefined) {
      id = this.functionNodes.length;
      this.functionIds.set(node, id);
      this.functionNodes.push(node);
    }
    return id;
  }

  /** Limiter libraries, project imports and local functions that a function or class calls. */
  collectCalls(node: ts.Node): Ref[] {
    const refs: Ref[] = [];
    const seen = new Map<string, Ref>();
    const add = (ref: Ref): void => {
      const key = ref.kind === 'import' ? `${ref.specifier}\0${ref.path.join('.')}` : refKey(ref);
      const known = seen.get(key);
      // `limits.check()` and `limits.checkRateLimit()` are one import; keep the names of both.
      if (known?.kind === 'import' && ref.kind === 'import') known.names = [...new Set([...known.names, ...ref.names])].slice(0, MAX_NAMES);
      if (known || refs.length >= MAX_CALLS) return;
      seen.set(key, ref);
      refs.push(ref);
    };
    if (ts.isClassLike(node)) {
      for (const clause of node.heritageClauses ?? []) {
        for (const type of clause.types) {
          const ref = this.refOf(type.expression);
          if (ref.kind === 'limiter' || ref.kind === 'import' || ref.kind === 'function') add(ref);
        }
      }
    }
    // Bodies only: decorators such as `@SkipThrottle()` are calls too, but they run once, at class definition.
    const bodies = getBodies(node);
    if (this.mayRespondTooManyRequests()) {
      const visit = (child: ts.Node): void => {
        if (ts.isCallExpression(child) || ts.isNewExpression(child)) {
          const ref = this.getCalledRef(child.expression, node);
          if (ref) add(ref);
        }
        if (isTooManyRequestsResponse(child)) add({ kind: 'limiter', library: 'status 429' });
        ts.forEachChild(child, visit);
      };
      for (const body of bodies) visit(body);
    } else {
      for (const body of bodies) {
        for (const call of nodesWithin(this.nodes.invocations, body)) {
          const ref = this.getCalledRef(call.expression, node);
          if (ref) add(ref);
        }
      }
    }
    // One limiter call settles it; the other calls need not travel to the project step.
    const limiter = refs.find((ref) => ref.kind === 'limiter');
    return limiter ? [limiter] : refs;
  }

  /** Whether the file's text holds a 429 status at all; most files do not, and their calls alone decide. */
  private mayRespondTooManyRequests(): boolean {
    this.tooManyRequestsText ??= TOO_MANY_REQUESTS_TEXT.test(this.sem.sourceFile.text);
    return this.tooManyRequestsText;
  }

  private getCalledRef(callee: ts.Expression, owner: ts.Node): Ref | undefined {
    // A callee that starts at a global, an untyped parameter or a package of no interest yields no ref.
    const start = getOriginStart(this.sem, callee);
    if (start.kind === 'none') return undefined;
    if (start.kind === 'import' && !this.mayKeepImport(start.specifier, start.names)) return undefined;
    const origin = this.sem.originOf(callee);
    const root = origin.root;
    if (root.kind === 'module') {
      const library = getLimiterLibrary(root.specifier);
      if (library) return { kind: 'limiter', library };
      const keep = this.sem.isProjectSpecifier(root.specifier) || this.isDeclaredWrapper(root.specifier) || origin.names.some(isLimiterName);
      if (!keep) return undefined;
      // Only the imported binding matters: whatever `loginLimiter.consume()` returns comes from `loginLimiter`.
      const binding = origin.path[0];
      const path = binding === undefined || binding === '()' || binding === 'new' ? [] : [binding];
      return { kind: 'import', specifier: root.specifier, path, names: getLimiterNames(origin) };
    }
    if (root.kind === 'local' && root.node !== owner && (isFunctionNode(root.node) || ts.isClassLike(root.node))) {
      if (this.objectIds.has(root.node)) return undefined;
      return { kind: 'function', id: this.functionId(root.node), ...(origin.path.length > 0 ? { path: origin.path } : {}) };
    }
    return undefined;
  }

  /** The test `getCalledRef` applies to an import, on names that include every name its origin can collect. */
  private mayKeepImport(specifier: string, names: readonly string[]): boolean {
    return (
      getLimiterLibrary(specifier) !== undefined ||
      this.sem.isProjectSpecifier(specifier) ||
      this.isDeclaredWrapper(specifier) ||
      names.some(isLimiterName)
    );
  }

  private isDeclaredWrapper(specifier: string): boolean {
    return this.wrappers.some((declared) => declared.module === specifier || specifier.endsWith(declared.module));
  }

  /** Keeps what a factory may return that matters here: an app or router, a limiter, a middleware function or a project import. */
  private isReturnKept(ref: Ref): boolean {
    if (ref.kind === 'import') return this.sem.isProjectSpecifier(ref.specifier) || ref.names.length > 0;
    return ref.kind === 'object' || ref.kind === 'function' || ref.kind === 'limiter';
  }

  private describeFunctions(): FunctionFact[] {
    const functions: FunctionFact[] = [];
    // Describing a function can register more functions, so the list grows while it is read.
    for (let id = 0; id < this.functionNodes.length; id++) {
      const node = this.functionNodes[id]!;
      const params = isFunctionNode(node) ? node.parameters.map((parameter) => this.objectIds.get(parameter) ?? -1) : [];
      const returned = isFunctionNode(node) ? getReturnedExpressions(node, this.nodes).map((expression) => this.refOf(expression)) : [];
      const returns = uniqueRefs(returned.filter((ref) => this.isReturnKept(ref)));
      const calls = this.collectCalls(node);
      const fact: FunctionFact = {};
      if (params.some((id) => id >= 0)) fact.params = params;
      if (returns.length > 0) fact.returns = returns;
      if (calls.length > 0) fact.calls = calls;
      if (this.sharesParent.has(node)) fact.sharesParent = true;
      functions[id] = fact;
    }
    return functions;
  }

  // Exports, so that other files can find what an import refers to.

  private collectExports(): Record<string, Ref> {
    const exports: Record<string, Ref> = {};
    const set = (name: string, ref: Ref): void => {
      if (isKept(ref)) exports[name] = ref;
    };
    for (const statement of this.sem.sourceFile.statements) {
      const exported = hasModifier(statement, ts.SyntaxKind.ExportKeyword);
      const name = hasModifier(statement, ts.SyntaxKind.DefaultKeyword) ? 'default' : undefined;
      if (ts.isVariableStatement(statement) && exported) {
        for (const declaration of statement.declarationList.declarations) {
          if (ts.isIdentifier(declaration.name) && declaration.initializer) set(declaration.name.text, this.refOf(declaration.name));
        }
      } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && exported) {
        const exportName = name ?? statement.name?.text ?? 'default';
        const id = this.objectIds.get(statement);
        set(exportName, id !== undefined ? { kind: 'object', id } : { kind: 'function', id: this.functionId(statement) });
      } else if (ts.isExportAssignment(statement)) {
        set('default', this.refOf(statement.expression));
      } else if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
        for (const element of statement.exportClause.elements) {
          const local = element.propertyName ?? element.name;
          if (ts.isIdentifier(local)) set(element.name.text, this.refOf(local));
        }
      } else if (ts.isExpressionStatement(statement)) {
        this.collectCommonJsExport(statement.expression, set);
      }
    }
    return exports;
  }

  /** `module.exports = x`, `module.exports = { a, b }`, `exports.a = x` and `module.exports.a = x`. */
  private collectCommonJsExport(expression: ts.Expression, set: (name: string, ref: Ref) => void): void {
    if (!ts.isBinaryExpression(expression) || expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
    const left = expression.left;
    if (!ts.isPropertyAccessExpression(left)) return;
    const base = left.expression;
    const isModuleExports = (node: ts.Expression): boolean =>
      ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'module' && node.name.text === 'exports';
    if (isModuleExports(left)) {
      const ref = this.refOf(expression.right);
      set('default', ref);
      if (ref.kind === 'record') for (const [name, member] of Object.entries(ref.members)) set(name, member);
      return;
    }
    if ((ts.isIdentifier(base) && base.text === 'exports') || isModuleExports(base)) set(left.name.text, this.refOf(expression.right));
  }

  // Small syntax helpers that need the file's semantics.

  evaluatePath(node: ts.Expression): PathPattern {
    return toPathPattern(this.sem.evaluate(node));
  }

  /** Finds an object literal, given directly or through a `const`. */
  getObjectLiteral(node: ts.Expression): ts.ObjectLiteralExpression | undefined {
    let expression = skipOuterExpressions(node);
    for (let depth = 0; depth < MAX_DEPTH && ts.isIdentifier(expression); depth++) {
      const declaration = this.sem.resolve(expression);
      if (declaration?.kind !== 'variable' || declaration.pattern.length > 0) return undefined;
      const value = this.sem.getSingleValue(declaration);
      if (!value) return undefined;
      expression = skipOuterExpressions(value);
    }
    return ts.isObjectLiteralExpression(expression) ? expression : undefined;
  }

  getOption(object: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
    for (const property of object.properties) {
      if (ts.isSpreadAssignment(property) || !property.name || propertyNameText(property.name) !== name) continue;
      if (ts.isMethodDeclaration(property)) return undefined;
      return getPropertyValue(property);
    }
    return undefined;
  }

  /** Lists the elements of an array literal given directly or through a `const`, with spreads expanded, or the value itself. */
  flattenArray(node: ts.Expression, depth = 0): ts.Expression[] {
    const expression = skipOuterExpressions(node);
    if (depth > MAX_DEPTH) return [expression];
    if (ts.isArrayLiteralExpression(expression)) {
      return expression.elements.flatMap((element) =>
        ts.isSpreadElement(element) ? this.flattenArray(element.expression, depth + 1) : this.flattenArray(element, depth + 1),
      );
    }
    if (ts.isIdentifier(expression)) {
      const declaration = this.sem.resolve(expression);
      if (declaration?.kind === 'variable' && declaration.pattern.length === 0) {
        const value = this.sem.getSingleValue(declaration);
        if (value && ts.isArrayLiteralExpression(skipOuterExpressions(value))) return this.flattenArray(value, depth + 1);
      }
    }
    return [expression];
  }

}

function uniqueRefs(refs: Ref[]): Ref[] {
  const seen = new Set<string>();
  return refs.filter((ref) => {
    const key = JSON.stringify(ref);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A key equal for equal call refs, which are functions and limiters besides the imports keyed apart. */
function refKey(ref: Ref): string {
  if (ref.kind === 'function') return ref.path ? `f${ref.id}\0${ref.path.join('\0')}` : `f${ref.id}`;
  if (ref.kind === 'limiter') return `l${ref.library}`;
  return JSON.stringify(ref);
}

/** Keeps the names of an origin that suggest a limiter; the project step reads names for nothing else. */
function getLimiterNames(origin: Origin): string[] {
  return origin.names.filter(isLimiterName);
}

/** Keeps refs worth carrying to the project step: no opaque values unless their names suggest a limiter, and no empty records. */
function isKept(ref: Ref): boolean {
  if (ref.kind === 'opaque') return ref.names.some(isLimiterName);
  if (ref.kind === 'record') return Object.keys(ref.members).length > 0;
  return true;
}


function isStringLiteral(node: ts.Expression): boolean {
  return ts.isStringLiteralLike(skipOuterExpressions(node));
}

function isPathLiteral(node: ts.Expression): boolean {
  const expression = skipOuterExpressions(node);
  return ts.isStringLiteralLike(expression) && expression.text.startsWith('/');
}










