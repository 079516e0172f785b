import { ts } from '../../../typescript.js';
import { lastMember } from '../../../analysis/origin.js';
import { getDecoratorArguments, getDecorators, propertyNameText, skipOuterExpressions } from '../../../analysis/syntax.js';
import type { FactCollector } from './collect.js';
import type { NestControllerFact, NestMiddlewareTarget, NestModuleFact, NestRouteFact, Ref } from './facts.js';
import { getLimiterLibrary, isLimiterName } from './libraries.js';
import { UNKNOWN_SEGMENT } from './paths.js';

/** NestJS route decorators of `@nestjs/common` and the methods they register. */
const ROUTE_DECORATORS: Record<string, string> = {
  Get: 'GET',
  Post: 'POST',
  Put: 'PUT',
  Patch: 'PATCH',
  Delete: 'DELETE',
  All: 'ALL',
  Options: 'OPTIONS',
  Head: 'HEAD',
  Search: 'SEARCH',
};

/** Finds where a decorator comes from: `@Post()` imported from `@nestjs/common` is module `@nestjs/common`, name `Post`. */
function getDecoratorSource(collector: FactCollector, decorator: ts.Decorator): { module: string; name: string } | undefined {
  const expression = decorator.expression;
  const callee = ts.isCallExpression(expression) ? expression.expression : expression;
  const origin = collector.sem.originOf(callee);
  if (origin.root.kind !== 'module') return undefined;
  return { module: origin.root.specifier, name: lastMember(origin) ?? '' };
}

/** `@Controller`, `@Module` and route decorators come from `@nestjs/common`; `@Resolver` and `@Mutation` from `@nestjs/graphql`. */
function isNestDecorator(source: { module: string; name: string } | undefined, name: string): boolean {
  if (!source || source.name !== name) return false;
  return source.module === (name === 'Resolver' || name === 'Mutation' ? '@nestjs/graphql' : '@nestjs/common');
}

/** Registers `@Controller()`, `@Resolver()` and `@Module()` classes as objects, before other values are resolved. */
export function registerNestClasses(collector: FactCollector, classes: readonly ts.ClassDeclaration[]): void {
  for (const node of classes) {
    for (const decorator of getDecorators(node)) {
      const source = getDecoratorSource(collector, decorator);
      if (isNestDecorator(source, 'Controller') || isNestDecorator(source, 'Resolver')) {
        collector.addObject(node, 'nest-controller', 'nest', node.name?.text);
      } else if (isNestDecorator(source, 'Module')) {
        collector.addObject(node, 'nest-module', 'nest', node.name?.text);
      }
    }
  }
}

/** Describes the routes and guards of controllers, and the imports, providers and middleware of modules. */
export function describeNestClasses(
  collector: FactCollector,
  classes: readonly ts.ClassDeclaration[],
): { controllers: NestControllerFact[]; modules: NestModuleFact[] } {
  const controllers: NestControllerFact[] = [];
  const modules: NestModuleFact[] = [];
  for (const node of classes) {
    const id = collector.objectIds.get(node);
    if (id === undefined) continue;
    const kind = collector.objects[id]!.kind;
    if (kind === 'nest-controller') controllers.push(describeController(collector, node, id));
    else if (kind === 'nest-module') modules.push(describeModule(collector, node, id));
  }
  return { controllers, modules };
}

interface GuardHolder {
  guards: Ref[];
  skip?: boolean;
}

function describeController(collector: FactCollector, node: ts.ClassDeclaration, id: number): NestControllerFact {
  const controller: NestControllerFact = { object: id, paths: [''], guards: [], routes: [] };
  for (const decorator of getDecorators(node)) {
    const source = getDecoratorSource(collector, decorator);
    if (isNestDecorator(source, 'Controller')) {
      controller.paths = getDecoratorPaths(collector, getDecoratorArguments(decorator)[0]);
      continue;
    }
    // GraphQL operations arrive as `POST /graphql`; each mutation is judged as a route named after its method.
    if (isNestDecorator(source, 'Resolver')) {
      controller.paths = ['graphql'];
      continue;
    }
    applyGuardDecorator(collector, decorator, source, controller);
  }
  for (const member of node.members) {
    if (!ts.isMethodDeclaration(member)) continue;
    const route = describeRoute(collector, member);
    if (route) controller.routes.push(route);
  }
  return controller;
}

function describeRoute(collector: FactCollector, method: ts.MethodDeclaration): NestRouteFact | undefined {
  const holder: GuardHolder = { guards: [] };
  let routeDecorator: ts.Decorator | undefined;
  let methods: string[] = [];
  let paths: string[] = [''];
  for (const decorator of getDecorators(method)) {
    const source = getDecoratorSource(collector, decorator);
    const httpMethod = source?.module === '@nestjs/common' ? ROUTE_DECORATORS[source.name] : undefined;
    if (httpMethod) {
      routeDecorator = decorator;
      methods = [httpMethod];
      paths = getDecoratorPaths(collector, getDecoratorArguments(decorator)[0]);
      continue;
    }
    if (isNestDecorator(source, 'Mutation')) {
      routeDecorator = decorator;
      methods = ['POST'];
      paths = [propertyNameText(method.name) ?? ''];
      continue;
    }
    applyGuardDecorator(collector, decorator, source, holder);
  }
  if (!routeDecorator) return undefined;
  const route: NestRouteFact = {
    methods,
    paths,
    name: propertyNameText(method.name) ?? '',
    guards: holder.guards,
    calls: collector.collectCalls(method),
    span: collector.span(routeDecorator, method.name),
  };
  if (holder.skip !== undefined) route.skip = holder.skip;
  return route;
}

/**
 * Reads `@UseGuards(...)`, `@Throttle()` and `@SkipThrottle()`. Other
 * decorators of the project may apply a limiter guard themselves, such as a
 * `@LoginThrottle()` built with `applyDecorators`, so they are kept as refs.
 */
function applyGuardDecorator(
  collector: FactCollector,
  decorator: ts.Decorator,
  source: { module: string; name: string } | undefined,
  holder: GuardHolder,
): void {
  const args = getDecoratorArguments(decorator);
  if (source?.module === '@nestjs/common') {
    if (source.name === 'UseGuards') holder.guards.push(...args.map((argument) => collector.refOf(argument)));
    return;
  }
  if (source && getLimiterLibrary(source.module) === '@nestjs/throttler') {
    if (source.name === 'SkipThrottle') holder.skip = readSkip(collector, args[0]);
    else if (source.name === 'Throttle') holder.guards.push({ kind: 'limiter', library: '@nestjs/throttler' });
    return;
  }
  const expression = decorator.expression;
  const ref = collector.refOf(ts.isCallExpression(expression) ? expression.expression : expression);
  const kept =
    ref.kind === 'function' ||
    ref.kind === 'limiter' ||
    (ref.kind === 'import' && (collector.sem.isProjectSpecifier(ref.specifier) || ref.names.some(isLimiterName)));
  if (kept) holder.guards.push(ref);
}

/**
 * `@SkipThrottle()` and `@SkipThrottle(true)` skip every throttler, and
 * `{ default: true }` skips the default one. `false`, `{ default: false }` and
 * objects that name other throttlers leave the default throttler on.
 */
function readSkip(collector: FactCollector, argument: ts.Expression | undefined): boolean {
  if (!argument) return true;
  const value = collector.sem.evaluate(argument);
  if (value.kind === 'boolean') return value.value;
  if (value.kind === 'object') {
    const fallback = value.properties.default;
    return fallback?.kind === 'boolean' ? fallback.value : false;
  }
  return true;
}

/** Paths of `@Controller('auth')`, `@Controller({ path: 'auth' })`, `@Post(['login', 'signin'])`. */
function getDecoratorPaths(collector: FactCollector, argument: ts.Expression | undefined): string[] {
  if (!argument) return [''];
  const options = collector.getObjectLiteral(argument);
  const pathNode = options ? collector.getOption(options, 'path') : argument;
  if (!pathNode) return [''];
  const pattern = collector.evaluatePath(pathNode);
  return pattern.kind === 'strings' ? pattern.values : [UNKNOWN_SEGMENT];
}

function describeModule(collector: FactCollector, node: ts.ClassDeclaration, id: number): NestModuleFact {
  const module: NestModuleFact = { object: id, imports: [], controllers: [], appGuards: [], middleware: [] };
  const decorator = getDecorators(node).find((item) => {
    const source = getDecoratorSource(collector, item);
    return source?.module === '@nestjs/common' && source.name === 'Module';
  });
  const metadata = decorator && getDecoratorArguments(decorator)[0];
  const options = metadata && collector.getObjectLiteral(metadata);
  if (options) {
    const elements = (name: string): ts.Expression[] => {
      const value = collector.getOption(options, name);
      return value ? collector.flattenArray(value) : [];
    };
    module.imports = elements('imports').map((element) => collector.refOf(element));
    module.controllers = elements('controllers').map((element) => collector.refOf(element));
    for (const provider of elements('providers')) {
      const guard = getAppGuard(collector, provider);
      if (guard) {
        module.appGuards.push(collector.refOf(guard));
        continue;
      }
      // GraphQL resolvers are providers; they belong to the module as controllers do.
      const ref = collector.getObjectLiteral(provider) ? undefined : collector.refOf(provider);
      if (ref?.kind === 'object' || ref?.kind === 'import') module.controllers.push(ref);
    }
  }
  for (const member of node.members) {
    if (ts.isMethodDeclaration(member) && member.name && propertyNameText(member.name) === 'configure') {
      module.middleware.push(...describeMiddleware(collector, member));
    }
  }
  return module;
}

/** Returns the class or factory of a `{ provide: APP_GUARD, useClass: ... }` provider. */
function getAppGuard(collector: FactCollector, provider: ts.Expression): ts.Expression | undefined {
  const options = collector.getObjectLiteral(provider);
  const provide = options && collector.getOption(options, 'provide');
  if (!options || !provide) return undefined;
  const origin = collector.sem.originOf(provide);
  const value = collector.sem.evaluate(provide);
  const isAppGuard =
    (origin.root.kind === 'module' && origin.root.specifier === '@nestjs/core' && lastMember(origin) === 'APP_GUARD') ||
    (value.kind === 'string' && value.value === 'APP_GUARD');
  if (!isAppGuard) return undefined;
  return (
    collector.getOption(options, 'useClass') ??
    collector.getOption(options, 'useExisting') ??
    collector.getOption(options, 'useFactory') ??
    collector.getOption(options, 'useValue')
  );
}

/** `consumer.apply(limiter).exclude(...).forRoutes('auth', AuthController)` in a module's `configure()`. */
function describeMiddleware(collector: FactCollector, configure: ts.MethodDeclaration): NestModuleFact['middleware'] {
  const found: NestModuleFact['middleware'] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = skipOuterExpressions(node.expression);
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'forRoutes') {
        const applied = findApplyCall(callee.expression);
        if (applied) {
          const refs = applied.arguments.flatMap((argument) => collector.flattenArray(argument)).map((item) => collector.refOf(item));
          found.push({ refs, targets: node.arguments.map((argument) => getMiddlewareTarget(collector, argument)) });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  if (configure.body) visit(configure.body);
  return found;
}

function findApplyCall(node: ts.Expression): ts.CallExpression | undefined {
  let current = skipOuterExpressions(node);
  for (let depth = 0; depth < 10 && ts.isCallExpression(current); depth++) {
    const callee = skipOuterExpressions(current.expression);
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    if (callee.name.text === 'apply') return current;
    current = skipOuterExpressions(callee.expression);
  }
  return undefined;
}

function getMiddlewareTarget(collector: FactCollector, argument: ts.Expression): NestMiddlewareTarget {
  const expression = skipOuterExpressions(argument);
  if (ts.isStringLiteralLike(expression)) return { kind: 'path', path: { kind: 'strings', values: [expression.text] } };
  const options = collector.getObjectLiteral(expression);
  if (options) {
    const path = collector.getOption(options, 'path');
    return { kind: 'path', path: path ? collector.evaluatePath(path) : { kind: 'unknown' } };
  }
  return { kind: 'controller', ref: collector.refOf(expression) };
}
