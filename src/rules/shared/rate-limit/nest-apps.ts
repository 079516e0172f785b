import type { NestControllerFact, NestModuleFact, PathPattern, Span } from './facts.js';
import { isTestFile, objectKey, type LimiterUse, type ObjectNode, type RateLimitGraph } from './graph.js';
import { coversPath, joinPaths } from './paths.js';

/** One NestJS application: the modules it imports, from a `NestFactory.create()` call or a root module. */
interface NestTree {
  app?: ObjectNode;
  modules: Set<string>;
  /** A limiter guard is provided as `APP_GUARD` or passed to `useGlobalGuards()`. */
  globalThrottler: boolean;
  /** Limiters applied with `app.use()`, or registered on the Fastify adapter. */
  appUses: LimiterUse[];
  /** Limiters applied with `consumer.apply(...).forRoutes(...)`. */
  middleware: Array<{ paths: PathPattern[]; controllers: Set<string> }>;
  prefix?: string;
}

export interface NestRouteFinding {
  file: string;
  span: Span;
  method: string;
  path: string;
}

interface Located<Fact> {
  key: string;
  file: string;
  fact: Fact;
}

/** Judges NestJS controllers and applications, which declare routes and guards through classes and modules. */
export class NestApps {
  private readonly controllers: Array<Located<NestControllerFact>> = [];
  private readonly modules = new Map<string, Located<NestModuleFact>>();
  /** The modules that list each controller. */
  private readonly controllerModules = new Map<string, Set<string>>();
  readonly trees: NestTree[] = [];

  constructor(private readonly graph: RateLimitGraph) {
    for (const [file, facts] of graph.files) {
      for (const fact of facts.controllers) this.controllers.push({ key: objectKey(file, fact.object), file, fact });
      for (const fact of facts.modules) this.modules.set(objectKey(file, fact.object), { key: objectKey(file, fact.object), file, fact });
    }
    for (const module of this.modules.values()) {
      for (const ref of module.fact.controllers) {
        for (const controller of graph.objectsOf(module.file, ref)) {
          const set = this.controllerModules.get(controller) ?? new Set<string>();
          set.add(module.key);
          this.controllerModules.set(controller, set);
        }
      }
    }
    this.buildTrees();
  }

  private importsOf(module: Located<NestModuleFact>): string[] {
    return module.fact.imports.flatMap((ref) => this.graph.objectsOf(module.file, ref)).filter((key) => this.modules.has(key));
  }

  private buildTrees(): void {
    const booted = new Set<string>();
    for (const node of this.graph.objects.values()) {
      if (node.fact.kind !== 'nest-app' || !node.fact.module) continue;
      const roots = this.graph.objectsOf(node.file, node.fact.module).filter((key) => this.modules.has(key));
      if (roots.length === 0) continue;
      for (const root of roots) booted.add(root);
      this.trees.push(this.describeTree(roots, node));
    }
    // A root module that no application in the scan boots is judged as an application of its own.
    const imported = new Set([...this.modules.values()].flatMap((module) => this.importsOf(module)));
    for (const key of this.modules.keys()) {
      if (!imported.has(key) && !booted.has(key)) this.trees.push(this.describeTree([key], undefined));
    }
  }

  private describeTree(roots: string[], app: ObjectNode | undefined): NestTree {
    const modules = new Set<string>();
    const queue = [...roots];
    while (queue.length > 0) {
      const key = queue.pop()!;
      const module = this.modules.get(key);
      if (!module || modules.has(key)) continue;
      modules.add(key);
      queue.push(...this.importsOf(module));
    }
    const tree: NestTree = { modules, globalThrottler: app?.globalGuard ?? false, appUses: [], middleware: [] };
    if (app) {
      tree.app = app;
      tree.appUses = this.graph.effectiveUses(app.key);
      if (app.globalPrefix) tree.prefix = app.globalPrefix;
    }
    for (const key of modules) {
      const module = this.modules.get(key)!;
      if (module.fact.appGuards.some((ref) => this.graph.isLimiter(module.file, ref))) tree.globalThrottler = true;
      for (const entry of module.fact.middleware) {
        if (!entry.refs.some((ref) => this.graph.isLimiter(module.file, ref))) continue;
        const paths: PathPattern[] = [];
        const controllers = new Set<string>();
        for (const target of entry.targets) {
          if (target.kind === 'path') paths.push(target.path);
          else for (const controller of this.graph.objectsOf(module.file, target.ref)) controllers.add(controller);
        }
        tree.middleware.push({ paths, controllers });
      }
    }
    return tree;
  }

  private treesOf(controller: string): NestTree[] {
    const modules = this.controllerModules.get(controller);
    if (!modules) return [];
    return this.trees.filter((tree) => [...modules].some((module) => tree.modules.has(module)));
  }

  /**
   * Routes that match `isAuth` and that no limiter covers in some application
   * that serves them. A controller that no scanned module lists is judged on
   * its own guards.
   */
  findUnprotectedRoutes(isAuth: (methods: readonly string[], path: string) => boolean): NestRouteFinding[] {
    const findings: NestRouteFinding[] = [];
    for (const controller of this.controllers) {
      if (isTestFile(controller.file)) continue;
      const trees = this.treesOf(controller.key);
      for (const route of controller.fact.routes) {
        const skip = route.skip ?? controller.fact.skip ?? false;
        const guarded = [...route.guards, ...controller.fact.guards].some((ref) => this.graph.isLimiter(controller.file, ref));
        if ((guarded && !skip) || route.calls.some((ref) => this.graph.isLimiter(controller.file, ref))) continue;
        const path = this.findUnprotectedPath(controller, route.methods, route.paths, route.name, trees, skip, isAuth);
        if (path === undefined) continue;
        findings.push({ file: controller.file, span: route.span, method: route.methods[0] ?? 'ALL', path });
      }
    }
    return findings;
  }

  private findUnprotectedPath(
    controller: Located<NestControllerFact>,
    methods: readonly string[],
    routePaths: readonly string[],
    name: string,
    trees: readonly NestTree[],
    skip: boolean,
    isAuth: (methods: readonly string[], path: string) => boolean,
  ): string | undefined {
    for (const controllerPath of controller.fact.paths) {
      for (const routePath of routePaths) {
        const path = joinPaths(controllerPath, routePath);
        // `@Post() login()` in `@Controller('auth')`: the method name shows what the route does.
        const auth = isAuth(methods, path) || (routePath === '' && isAuth(methods, joinPaths(path, name)));
        if (!auth) continue;
        if (trees.length === 0) return path;
        const unprotected = trees.find((tree) => !this.isCovered(tree, controller.key, path, skip));
        if (unprotected) return joinPaths(unprotected.prefix, path);
      }
    }
    return undefined;
  }

  private isCovered(tree: NestTree, controller: string, path: string, skip: boolean): boolean {
    if (tree.globalThrottler && !skip) return true;
    const prefixed = joinPaths(tree.prefix, path);
    if (tree.appUses.some((use) => coversPath(use.path, use.exact, prefixed) || coversPath(use.path, use.exact, path))) return true;
    return tree.middleware.some(
      (entry) => entry.controllers.has(controller) || entry.paths.some((pattern) => coversPath(pattern, false, path)),
    );
  }

  /** Checks whether an application applies a limiter anywhere: globally, as middleware, or on one of its controllers. */
  hasAnyLimiter(tree: NestTree): boolean {
    if (tree.globalThrottler || tree.appUses.length > 0 || tree.middleware.length > 0) return true;
    if (tree.app && this.graph.hasAnyLimiter(tree.app.key)) return true;
    return this.controllers.some((controller) => {
      if (!this.treesOf(controller.key).includes(tree)) return false;
      const isLimiter = (ref: Parameters<RateLimitGraph['isLimiter']>[1]): boolean => this.graph.isLimiter(controller.file, ref);
      return (
        controller.fact.guards.some(isLimiter) ||
        controller.fact.routes.some((route) => route.guards.some(isLimiter) || route.calls.some(isLimiter))
      );
    });
  }
}
