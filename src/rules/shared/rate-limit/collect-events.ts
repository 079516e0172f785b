import { ts } from '../../../typescript.js';
import { getMemberName, isFunctionNode, skipOuterExpressions } from '../../../analysis/syntax.js';
import type { Value } from '../../../analysis/values.js';
import type { FactCollector } from './collect.js';
import type { Framework, PathPattern, Ref, Span } from './facts.js';
import { FASTIFY_HOOK_OPTIONS, ROUTE_METHODS } from './libraries.js';
import { joinPaths } from './paths.js';

const MAX_DEPTH = 10;

interface Target {
  ref: Ref;
  framework: Framework;
  /** The receiver is an import or a factory result, so only calls shaped like routes are taken. */
  indirect: boolean;
  unordered: boolean;
}

/**
 * Records the calls that act on apps, routers and plugin instances: routes,
 * middleware, mounts, Fastify plugins, NestJS app settings, and calls that
 * hand an app to a function. Calls must come in source order.
 */
export class EventRecorder {
  constructor(private readonly collector: FactCollector) {}

  recordCall(call: ts.CallExpression): void {
    const callee = skipOuterExpressions(call.expression);
    if (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)) {
      const method = getMemberName(callee);
      if (method && mayRecordMethod(call, callee.expression, method) && this.recordMethodCall(call, callee.expression, method)) return;
    }
    this.recordHandOff(call);
  }

  private recordMethodCall(call: ts.CallExpression, receiverNode: ts.Expression, method: string): boolean {
    const receiver = skipOuterExpressions(receiverNode);
    if (ROUTE_METHODS.has(method)) {
      const chain = this.getRouteChainBase(receiver);
      if (chain) {
        const target = this.targetOf(chain.receiver);
        if (!target) return false;
        this.recordRoute(call, target, [method.toUpperCase()], chain.path, call.arguments);
        return true;
      }
    }
    const target = this.targetOf(receiver);
    if (!target) return false;
    const args = call.arguments;
    const base = { target: target.ref, pos: call.getStart(), ...(target.unordered ? { unordered: true } : {}) };

    if (ROUTE_METHODS.has(method)) {
      const route = this.collector.getRouteArguments(call, target.framework, target.indirect);
      if (!route) return false;
      this.recordRoute(call, target, [normalizeMethod(method)], route.path, route.rest);
      return true;
    }
    switch (method) {
      case 'on':
        return this.recordHonoOn(call, target);
      case 'route':
        return this.recordRouteCall(call, target);
      case 'use':
        if (args.length === 0) return false;
        this.recordUse(call, target, base);
        return true;
      case 'register': {
        if (!args[0]) return false;
        const options = args[1] ? this.collector.getObjectLiteral(args[1]) : undefined;
        const prefix = options && this.collector.getOption(options, 'prefix');
        const global = options && this.collector.getOption(options, 'global');
        this.collector.events.push({
          ...base,
          kind: 'register',
          plugin: this.collector.refOf(args[0]),
          ...(prefix ? { prefix: this.collector.evaluatePath(prefix) } : {}),
          global: !(global && global.kind === ts.SyntaxKind.FalseKeyword),
        });
        return true;
      }
      case 'addHook': {
        const hook = args[0] && ts.isStringLiteralLike(args[0]) ? args[0].text : undefined;
        if (!hook || !FASTIFY_HOOK_OPTIONS.includes(hook) || !args[1]) return false;
        this.collector.events.push({ ...base, kind: 'use', refs: [this.collector.refOf(args[1])] });
        return true;
      }
      case 'useGlobalGuards':
        this.collector.events.push({ ...base, kind: 'guards', refs: args.map((argument) => this.collector.refOf(argument)) });
        return true;
      case 'setGlobalPrefix':
        if (!args[0]) return false;
        this.collector.events.push({ ...base, kind: 'prefix', path: this.collector.evaluatePath(args[0]) });
        return true;
      case 'prefix':
        if (target.ref.kind === 'object' && args[0]) {
          const prefix = this.collector.evaluatePath(args[0]);
          if (prefix.kind === 'strings') this.collector.objects[target.ref.id]!.prefix = joinPaths(prefix.values[0]);
        }
        return true;
      case 'listen':
        this.collector.events.push({ ...base, kind: 'listen' });
        return true;
      default:
        return false;
    }
  }

  /** Express `app.route('/login').get(show).post(submit)`: the object and the path the chain starts from. */
  private getRouteChainBase(receiver: ts.Expression): { receiver: ts.Expression; path: PathPattern } | undefined {
    let current = receiver;
    for (let depth = 0; depth < MAX_DEPTH && ts.isCallExpression(current); depth++) {
      const callee = skipOuterExpressions(current.expression);
      if (!ts.isPropertyAccessExpression(callee)) return undefined;
      const name = callee.name.text;
      if (name === 'route' && current.arguments.length === 1 && !ts.isObjectLiteralExpression(current.arguments[0]!)) {
        return { receiver: skipOuterExpressions(callee.expression), path: this.collector.evaluatePath(current.arguments[0]!) };
      }
      if (!ROUTE_METHODS.has(name)) return undefined;
      current = skipOuterExpressions(callee.expression);
    }
    return undefined;
  }



  private recordRoute(
    call: ts.CallExpression,
    target: Target,
    methods: string[],
    path: PathPattern | undefined,
    args: readonly ts.Expression[],
  ): void {
    const refs: Ref[] = [];
    let limited = false;
    let disabled = false;
    for (const argument of args) {
      const options = this.collector.getObjectLiteral(argument);
      if (options) {
        const found = this.readRouteOptions(options, refs);
        limited ||= found.limited;
        disabled ||= found.disabled;
        continue;
      }
      for (const element of this.collector.flattenArray(argument)) refs.push(this.collector.refOf(element));
    }
    const last = args[args.length - 1];
    const handlerName = last ? getHandlerName(last) : undefined;
    this.collector.events.push({
      kind: 'route',
      target: target.ref,
      pos: call.getStart(),
      ...(target.unordered ? { unordered: true } : {}),
      methods,
      ...(path ? { path } : {}),
      refs,
      ...(limited ? { limited } : {}),
      ...(disabled ? { disabled } : {}),
      ...(handlerName ? { handlerName } : {}),
      span: this.callSpan(call),
    });
  }

  /** Fastify route options: hooks, the handler and `config.rateLimit`. */
  private readRouteOptions(options: ts.ObjectLiteralExpression, refs: Ref[]): { limited: boolean; disabled: boolean } {
    let limited = false;
    let disabled = false;
    for (const name of [...FASTIFY_HOOK_OPTIONS, 'handler']) {
      const value = this.collector.getOption(options, name);
      if (!value) continue;
      for (const element of this.collector.flattenArray(value)) {
        const ref = this.collector.refOf(element);
        if (ref.kind === 'limiter' && name !== 'handler') limited = true;
        refs.push(ref);
      }
    }
    const config = this.collector.getOption(options, 'config');
    const configObject = config && this.collector.getObjectLiteral(config);
    const rateLimit = configObject && this.collector.getOption(configObject, 'rateLimit');
    if (rateLimit) {
      if (rateLimit.kind === ts.SyntaxKind.FalseKeyword) disabled = true;
      else limited = true;
    }
    return { limited, disabled };
  }

  /** Hono `app.on('POST', '/login', handler)` and `app.on(['POST', 'PUT'], path, handler)`. */
  private recordHonoOn(call: ts.CallExpression, target: Target): boolean {
    const [methodArgument, pathArgument, ...rest] = call.arguments;
    if (!methodArgument || !pathArgument || rest.length === 0) return false;
    const names = getStrings(this.collector.sem.evaluate(methodArgument));
    if (names.length === 0) return false;
    this.recordRoute(call, target, names.map((name) => name.toUpperCase()), this.collector.evaluatePath(pathArgument), rest);
    return true;
  }

  /** Fastify `app.route({ method, url, handler })`, or Hono `app.route('/auth', auth)`, which mounts a sub-app. */
  private recordRouteCall(call: ts.CallExpression, target: Target): boolean {
    const args = call.arguments;
    if (args.length >= 2) {
      this.collector.events.push({
        kind: 'use',
        target: target.ref,
        pos: call.getStart(),
        ...(target.unordered ? { unordered: true } : {}),
        path: this.collector.evaluatePath(args[0]!),
        refs: args.slice(1).map((argument) => this.collector.refOf(argument)),
      });
      return true;
    }
    const options = args[0] && this.collector.getObjectLiteral(args[0]);
    if (!options) return false;
    const url = this.collector.getOption(options, 'url') ?? this.collector.getOption(options, 'path');
    const method = this.collector.getOption(options, 'method');
    const methods = method ? getStrings(this.collector.sem.evaluate(method)) : ['ALL'];
    this.recordRoute(call, target, methods.map((name) => name.toUpperCase()), url ? this.collector.evaluatePath(url) : undefined, [options]);
    return true;
  }

  private recordUse(call: ts.CallExpression, target: Target, base: { target: Ref; pos: number; unordered?: boolean }): void {
    const args = [...call.arguments];
    let path: PathPattern | undefined;
    if (args[0] && this.isPathArgument(args[0])) path = this.collector.evaluatePath(args.shift()!);
    const refs: Ref[] = [];
    for (const argument of args) {
      for (const element of this.collector.flattenArray(argument)) {
        const mounted = this.getKoaMount(element);
        if (mounted) {
          this.collector.events.push({ ...base, kind: 'use', path: mounted.path, refs: [this.collector.refOf(mounted.value)] });
          continue;
        }
        refs.push(this.collector.refOf(element));
      }
    }
    if (refs.length === 0) return;
    this.collector.events.push({ ...base, kind: 'use', ...(path ? { path } : {}), ...(target.framework === 'hono' ? { exact: true } : {}), refs });
  }

  /** koa-mount's `mount('/auth', middleware)`. */
  private getKoaMount(node: ts.Expression): { path: PathPattern; value: ts.Expression } | undefined {
    const expression = skipOuterExpressions(node);
    if (!ts.isCallExpression(expression) || expression.arguments.length !== 2) return undefined;
    const origin = this.collector.sem.originOf(expression.expression);
    if (origin.root.kind !== 'module' || origin.root.specifier !== 'koa-mount') return undefined;
    return { path: this.collector.evaluatePath(expression.arguments[0]!), value: expression.arguments[1]! };
  }

  private isPathArgument(node: ts.Expression): boolean {
    const expression = skipOuterExpressions(node);
    if (ts.isStringLiteralLike(expression) || ts.isTemplateExpression(expression) || ts.isRegularExpressionLiteral(expression)) return true;
    if (ts.isArrayLiteralExpression(expression)) return expression.elements.length > 0 && expression.elements.every((element) => this.isPathArgument(element));
    const value = this.collector.sem.evaluate(expression);
    return value.kind === 'string' || value.kind === 'concat' || value.kind === 'regexp';
  }

  /** A call that hands an object to a function: `registerRoutes(app)`, `require('./routes')(app)`. */
  private recordHandOff(call: ts.CallExpression): void {
    // No argument can be an object of a file that has none.
    if (this.collector.objects.length === 0 || call.arguments.length === 0) return;
    const args = call.arguments.map((argument) => {
      const id = this.collector.objectOf(argument);
      return id === undefined ? null : ({ kind: 'object', id } as Ref);
    });
    if (args.every((argument) => argument === null)) return;
    const callee = this.collector.refOf(call.expression);
    const isProjectFunction = callee.kind === 'function' || (callee.kind === 'import' && this.collector.sem.isProjectSpecifier(callee.specifier));
    if (!isProjectFunction) return;
    this.collector.events.push({ kind: 'call', target: { kind: 'opaque', names: [] }, pos: call.getStart(), callee, args });
  }

  private targetOf(receiver: ts.Expression): Target | undefined {
    const unordered = isThisMember(receiver);
    const id = this.collector.objectOf(receiver);
    if (id !== undefined) {
      return { ref: { kind: 'object', id }, framework: this.collector.objects[id]!.framework, indirect: false, unordered };
    }
    const origin = this.collector.sem.originOf(receiver);
    if (origin.root.kind === 'module' && this.collector.sem.isProjectSpecifier(origin.root.specifier)) {
      return { ref: this.collector.refOfOrigin(origin), framework: 'unknown', indirect: true, unordered };
    }
    if (origin.root.kind === 'local' && isFunctionNode(origin.root.node) && origin.path[0] === '()') {
      return { ref: { kind: 'function', id: this.collector.functionId(origin.root.node), path: origin.path }, framework: 'unknown', indirect: true, unordered };
    }
    return undefined;
  }

  private callSpan(call: ts.CallExpression): Span {
    const callee = skipOuterExpressions(call.expression);
    const start = ts.isPropertyAccessExpression(callee) ? callee.name : call;
    return this.collector.span(start, call);
  }
}

/**
 * Checks the method name and the number of arguments that `recordMethodCall`
 * needs before it asks what the receiver is; most calls of a file, such as
 * `map.get(key)`, fail here.
 */
function mayRecordMethod(call: ts.CallExpression, receiver: ts.Expression, method: string): boolean {
  const count = call.arguments.length;
  if (ROUTE_METHODS.has(method)) return count >= 2 || ts.isCallExpression(skipOuterExpressions(receiver));
  switch (method) {
    case 'on':
      return count >= 3;
    case 'route':
    case 'use':
    case 'register':
    case 'setGlobalPrefix':
      return count >= 1;
    case 'addHook':
      return count >= 2;
    case 'useGlobalGuards':
    case 'prefix':
    case 'listen':
      return true;
    default:
      return false;
  }
}

function normalizeMethod(method: string): string {
  return method === 'del' ? 'DELETE' : method.toUpperCase();
}

function isThisMember(node: ts.Expression): boolean {
  const expression = skipOuterExpressions(node);
  return ts.isPropertyAccessExpression(expression) && expression.expression.kind === ts.SyntaxKind.ThisKeyword;
}

/** Returns the name of a handler argument: `login` for `login`, `auth.login` and `asyncHandler(auth.login)`. */
function getHandlerName(node: ts.Expression): string | undefined {
  const expression = skipOuterExpressions(node);
  if (ts.isIdentifier(expression)) return expression.text;
  if (ts.isPropertyAccessExpression(expression)) return expression.name.text;
  if (ts.isCallExpression(expression) && expression.arguments.length === 1) return getHandlerName(expression.arguments[0]!);
  if ((ts.isFunctionExpression(expression) || ts.isClassExpression(expression)) && expression.name) return expression.name.text;
  return undefined;
}

/** Lists the strings of a value that is a string or an array of strings, such as `'POST'` or `['GET', 'POST']`. */
function getStrings(value: Value): string[] {
  if (value.kind === 'string') return [value.value];
  if (value.kind !== 'array') return [];
  return value.items.flatMap((item) => (item.kind === 'string' ? [item.value] : []));
}
