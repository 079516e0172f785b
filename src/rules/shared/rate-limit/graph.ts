import { packageName } from '../../../analysis/origin.js';
import type { DeclaredExport } from '../../../config/schema.js';
import type { ProjectContext } from '../../rule.js';
import type { EventFact, FunctionFact, ObjectFact, PathPattern, RateLimitFacts, Ref, RouteEvent } from './facts.js';
import { isLimiterName } from './libraries.js';
import { coversPath, getPathStrings, joinPaths, toPathPattern } from './paths.js';
import { isTestSourceFile } from '../test-files.js';

const MAX_DEPTH = 12;
/** Most mount chains followed from one route; a router mounted in more places than this is rare. */
const MAX_CHAINS = 16;

/** The position of a call: its file and offset, and whether it was made through `this.app`, where order is unknown. */
export interface Order {
  file: string;
  pos: number;
  unordered: boolean;
}

/** A limiter applied to an object, below a path. */
export interface LimiterUse {
  order: Order;
  path?: PathPattern;
  exact: boolean;
}

/** A child object mounted on a parent: a router under `app.use('/auth', router)`, a Fastify plugin. */
export interface Mount {
  parent: string;
  child: string;
  order: Order;
  path?: PathPattern;
  /** A limiter runs before the child in the same call: `app.use('/auth', limiter, router)`. */
  limited: boolean;
  /**
   * The child is the parent itself seen through a function parameter, or a
   * Fastify plugin wrapped with fastify-plugin, so limiters the child applies
   * also apply to the parent's later routes.
   */
  sharesParent: boolean;
}

export interface RouteNode {
  file: string;
  event: RouteEvent;
  /** The route path, with imported constants resolved. */
  path?: PathPattern;
  object: string;
  order: Order;
}

export interface ObjectNode {
  key: string;
  file: string;
  fact: ObjectFact;
  limiterUses: LimiterUse[];
  parents: Mount[];
  children: Mount[];
  routes: RouteNode[];
  /** Something is registered, mounted or listened on: the object is in use. */
  active: boolean;
  /** Fastify's limiter registered with `{ global: false }`, for routes that opt in. */
  optInLimiter: boolean;
  /** NestJS `app.useGlobalGuards()` with a limiter guard. */
  globalGuard: boolean;
  /** NestJS `app.setGlobalPrefix()`. */
  globalPrefix?: string;
}

/** The meaning of a ref once imports are followed. */
export type Resolved =
  | { kind: 'object'; key: string }
  | { kind: 'function'; file: string; id: number }
  | { kind: 'limiter' }
  | { kind: 'record' }
  | { kind: 'opaque'; names: string[] };

export interface RoutePath {
  /** The path of a route from the root object of one mount chain. */
  path: string;
  protected: boolean;
  /** The file of the root object. */
  rootFile: string;
}

export function objectKey(file: string, id: number): string {
  return `${file}#${id}`;
}

/** Test files build throwaway apps; neither rule judges them. */
export function isTestFile(file: string): boolean {
  return isTestSourceFile(file);
}

/**
 * The applications of the whole project: apps, routers and plugin instances
 * joined by mounts across files, the limiters applied to each, and their
 * routes. Built from the facts of every file in the project step.
 */
export class RateLimitGraph {
  readonly files = new Map<string, RateLimitFacts>();
  readonly objects = new Map<string, ObjectNode>();
  private readonly limiterCache = new Map<string, boolean>();
  private readonly functionsVisiting = new Set<string>();
  private readonly effectiveUsesCache = new Map<string, LimiterUse[]>();

  constructor(private readonly context: ProjectContext) {
    for (const { file, facts } of context.facts<RateLimitFacts>()) {
      const fact = facts[0];
      if (fact) this.files.set(file, fact);
    }
    for (const [file, facts] of this.files) {
      facts.objects.forEach((fact, id) => this.addObject(objectKey(file, id), file, fact));
    }
    for (const [file, facts] of this.files) {
      for (const event of facts.events) this.addEvent(file, event);
    }
  }

  private addObject(key: string, file: string, fact: ObjectFact): ObjectNode {
    const node: ObjectNode = {
      key,
      file,
      fact,
      limiterUses: [],
      parents: [],
      children: [],
      routes: [],
      active: false,
      optInLimiter: false,
      globalGuard: false,
    };
    this.objects.set(key, node);
    return node;
  }

  // Refs: following imports, exports, factories and re-exports.

  resolve(file: string, ref: Ref, depth = 0): Resolved[] {
    if (depth > MAX_DEPTH) return [{ kind: 'opaque', names: [] }];
    switch (ref.kind) {
      case 'limiter':
        return [{ kind: 'limiter' }];
      case 'opaque':
        return [{ kind: 'opaque', names: ref.names }];
      case 'record':
        return [{ kind: 'record' }];
      case 'object':
        return this.resolveObject(file, ref.id, ref.path ?? []);
      case 'function':
        return this.resolveFunction(file, ref.id, ref.path ?? [], depth);
      case 'import':
        return this.resolveImport(file, ref.specifier, ref.path, ref.names, depth);
    }
  }

  private resolveObject(file: string, id: number, path: readonly string[]): Resolved[] {
    const key = objectKey(file, id);
    const node = this.objects.get(key);
    if (!node) return [{ kind: 'opaque', names: [] }];
    // Koa's `router.routes()`, and NestJS dynamic modules such as `AuthModule.forRoot()`.
    const isKoaMiddleware = path.length === 2 && (path[0] === 'routes' || path[0] === 'middleware') && path[1] === '()';
    if (path.length === 0 || isKoaMiddleware || node.fact.kind === 'nest-module') return [{ kind: 'object', key }];
    return [{ kind: 'opaque', names: [] }];
  }

  private resolveFunction(file: string, id: number, path: readonly string[], depth: number): Resolved[] {
    const fn = this.getFunction(file, id);
    if (!fn) return [{ kind: 'opaque', names: [] }];
    const [first, ...rest] = path;
    if (first === undefined || first === 'new') return [{ kind: 'function', file, id }];
    if (first === '()') return (fn.returns ?? []).flatMap((returned) => this.resolve(file, withPath(returned, rest), depth + 1));
    return [{ kind: 'opaque', names: [] }];
  }

  private resolveImport(file: string, specifier: string, path: readonly string[], names: readonly string[], depth: number): Resolved[] {
    if (this.isDeclaredLimiter(file, specifier, path)) return [{ kind: 'limiter' }];
    const target = this.context.resolver.resolve(file, specifier);
    if (!target) return [{ kind: 'opaque', names: [...names, ...path, lastSegment(specifier)] }];
    return this.lookupExport(target, path, depth);
  }

  /** Looks up what a scanned module exports under a path; nothing is known when the export is no app, router or limiter. */
  private lookupExport(file: string, path: readonly string[], depth: number): Resolved[] {
    if (depth > MAX_DEPTH) return [{ kind: 'opaque', names: [] }];
    // `require('./x')()` calls the default export.
    const steps = path[0] === '()' || path[0] === 'new' ? ['default', ...path] : path;
    const [name = 'default', ...rest] = steps;
    const exports = this.files.get(file)?.exports;
    const exported = exports?.[name];
    if (exported) return this.resolve(file, withPath(exported, rest), depth + 1);
    // `require('./auth').routes()` reads a member of `module.exports`, not an export named `routes`.
    if (exports?.default && name !== 'default') return this.resolve(file, withPath(exports.default, steps), depth + 1);

    for (const reexport of this.context.summary(file)?.reexports ?? []) {
      if (reexport.names) {
        const original = reexport.names[name];
        if (original === undefined) continue;
        const forwarded = original === '*' ? rest : [original, ...rest];
        return this.resolveImport(file, reexport.specifier, forwarded, [], depth + 1);
      }
      if (name === 'default') continue;
      const found = this.resolveImport(file, reexport.specifier, steps, [], depth + 1);
      if (found.some((item) => item.kind !== 'opaque' || item.names.length > 0)) return found;
    }
    return [{ kind: 'opaque', names: [] }];
  }

  /** True when `.keneyaudit.yml` declares the import as a rate limiter under `wrappers.rateLimiters`. */
  private isDeclaredLimiter(file: string, specifier: string, path: readonly string[]): boolean {
    const declared = this.context.config.wrappers.rateLimiters;
    if (declared.length === 0) return false;
    const exportName = path[0] === undefined || path[0] === '()' || path[0] === 'new' ? 'default' : path[0];
    const target = this.context.resolver.resolve(file, specifier);
    return declared.some((entry) => entry.export === exportName && isSameModule(entry, specifier, target));
  }

  getFunction(file: string, id: number): FunctionFact | undefined {
    return this.files.get(file)?.functions[id];
  }

  /** Lists the objects a ref stands for. */
  objectsOf(file: string, ref: Ref): string[] {
    return this.resolve(file, ref).flatMap((item) => (item.kind === 'object' ? [item.key] : []));
  }

  /**
   * Whether a value limits request rates: it comes from a limiter library, is
   * declared as a wrapper, is a function whose body calls a limiter, or is a
   * value of a module outside the scan whose name says it limits.
   */
  isLimiter(file: string, ref: Ref): boolean {
    if (ref.kind === 'limiter') return true;
    if (ref.kind === 'object') return false;
    const key = `${file}\0${JSON.stringify(ref)}`;
    const cached = this.limiterCache.get(key);
    if (cached !== undefined) return cached;
    const result = this.resolve(file, ref).some((item) => {
      if (item.kind === 'limiter') return true;
      if (item.kind === 'function') return this.isLimiterFunction(item.file, item.id);
      if (item.kind === 'opaque') return item.names.some(isLimiterName);
      return false;
    });
    this.limiterCache.set(key, result);
    return result;
  }

  private isLimiterFunction(file: string, id: number): boolean {
    const key = `${file}#f${id}`;
    if (this.functionsVisiting.has(key)) return false;
    const fn = this.getFunction(file, id);
    if (!fn) return false;
    this.functionsVisiting.add(key);
    try {
      const refs = [...(fn.calls ?? []), ...(fn.returns ?? [])];
      return refs.some((ref) => this.isLimiter(file, ref));
    } finally {
      this.functionsVisiting.delete(key);
    }
  }

  // Events: joining uses, mounts, plugins and routes to the objects they act on.

  /** Lists the objects an event acts on. A receiver that resolves to none stands for an object of its own. */
  private targetsOf(file: string, ref: Ref): ObjectNode[] {
    const keys = this.objectsOf(file, ref);
    if (keys.length > 0) return keys.map((key) => this.objects.get(key)!);
    const key = `${file}|${JSON.stringify(ref)}`;
    return [this.objects.get(key) ?? this.addObject(key, file, { kind: 'router', framework: 'unknown', span: EMPTY_SPAN })];
  }

  private addEvent(file: string, event: EventFact): void {
    const order: Order = { file, pos: event.pos, unordered: event.unordered ?? false };
    if (event.kind === 'call') {
      this.addHandOff(file, event.callee, event.args, order);
      return;
    }
    for (const node of this.targetsOf(file, event.target)) {
      node.active = true;
      switch (event.kind) {
        case 'route': {
          const route: RouteNode = { file, event, path: this.resolvePattern(file, event.path), object: node.key, order };
          node.routes.push(route);
          // Express `app.all('/api/*', limiter)` runs the limiter for every later route below `/api`.
          if (event.methods.includes('ALL') && isWildcardPattern(route.path) && this.hasOwnLimiter(route)) {
            node.limiterUses.push({ order, path: route.path, exact: false });
          }
          break;
        }
        case 'use':
          this.addUse(node, file, event.refs, this.resolvePattern(file, event.path), event.exact ?? false, order);
          break;
        case 'register':
          this.addRegister(node, file, event.plugin, this.resolvePattern(file, event.prefix), event.global, order);
          break;
        case 'guards':
          if (event.refs.some((ref) => this.isLimiter(file, ref))) node.globalGuard = true;
          break;
        case 'prefix': {
          const prefix = this.resolvePattern(file, event.path);
          if (prefix?.kind === 'strings') node.globalPrefix = prefix.values[0];
          break;
        }
        case 'listen':
          break;
      }
    }
  }

  /** Evaluates a path built from imported constants through the modules that export them. */
  private resolvePattern(file: string, pattern: PathPattern | undefined): PathPattern | undefined {
    if (pattern?.kind !== 'unknown' || !pattern.value) return pattern;
    const resolved = toPathPattern(this.context.resolveValue(file, pattern.value));
    return resolved.kind === 'unknown' ? { kind: 'unknown' } : resolved;
  }

  private addUse(node: ObjectNode, file: string, refs: readonly Ref[], path: PathPattern | undefined, exact: boolean, order: Order): void {
    refs.forEach((ref, index) => {
      const children = this.objectsOf(file, ref);
      if (children.length > 0) {
        const limited = refs.slice(0, index).some((before) => this.isLimiter(file, before));
        for (const child of children) this.addMount({ parent: node.key, child, order, path, limited, sharesParent: false });
        return;
      }
      if (this.isLimiter(file, ref)) node.limiterUses.push({ order, path, exact });
    });
  }

  private addRegister(node: ObjectNode, file: string, plugin: Ref, prefix: PathPattern | undefined, global: boolean, order: Order): void {
    const resolved = this.resolve(file, plugin);
    if (resolved.some((item) => item.kind === 'limiter')) {
      if (global) node.limiterUses.push({ order, exact: false });
      else node.optInLimiter = true;
      return;
    }
    let mounted = false;
    for (const item of resolved) {
      const childId = item.kind === 'function' ? this.getFunction(item.file, item.id)?.params?.[0] : undefined;
      if (item.kind !== 'function' || childId === undefined || childId < 0) continue;
      const sharesParent = this.getFunction(item.file, item.id)?.sharesParent ?? false;
      this.addMount({ parent: node.key, child: objectKey(item.file, childId), order, path: prefix, limited: false, sharesParent });
      mounted = true;
    }
    if (!mounted && this.isLimiter(file, plugin)) node.limiterUses.push({ order, exact: false });
  }

  /** `registerRoutes(app)`: the function's parameter is `app` itself from the call on. */
  private addHandOff(file: string, callee: Ref, args: ReadonlyArray<Ref | null>, order: Order): void {
    for (const item of this.resolve(file, callee)) {
      if (item.kind !== 'function') continue;
      const fn = this.getFunction(item.file, item.id);
      if (!fn) continue;
      args.forEach((argument, index) => {
        const childId = fn.params?.[index];
        if (!argument || childId === undefined || childId < 0) return;
        for (const parent of this.objectsOf(file, argument)) {
          this.addMount({ parent, child: objectKey(item.file, childId), order, limited: false, sharesParent: true });
        }
      });
    }
  }

  private addMount(mount: Mount): void {
    const parent = this.objects.get(mount.parent);
    const child = this.objects.get(mount.child);
    if (!parent || !child || mount.parent === mount.child) return;
    parent.active = true;
    parent.children.push(mount);
    child.parents.push(mount);
  }

  // Protection: which limiters run before a route.

  /** Limiters applied to an object, with those that children sharing it apply, moved to where the child is attached. */
  effectiveUses(key: string, visiting = new Set<string>()): LimiterUse[] {
    const cached = this.effectiveUsesCache.get(key);
    if (cached) return cached;
    const node = this.objects.get(key);
    if (!node || visiting.has(key)) return [];
    visiting.add(key);
    const uses = [...node.limiterUses];
    for (const mount of node.children) {
      if (!mount.sharesParent) continue;
      for (const use of this.effectiveUses(mount.child, visiting)) {
        uses.push({ order: mount.order, path: joinPatterns(mount.path, use.path), exact: use.exact });
      }
    }
    visiting.delete(key);
    this.effectiveUsesCache.set(key, uses);
    return uses;
  }

  /**
   * Lists the full paths of a route, one for each chain of mounts from its object to
   * a root, and whether a limiter runs before it on that chain. `path` is
   * relative to the object, without the object's own prefix.
   */
  getRoutePaths(key: string, at: Order, path: string, depth = 0, visiting = new Set<string>()): RoutePath[] {
    const node = this.objects.get(key);
    if (!node) return [{ path, protected: false, rootFile: at.file }];
    const covered = this.effectiveUses(key).some(
      (use) => precedes(use.order, at, node.file) && coversPath(use.path, use.exact, path),
    );
    const full = joinPaths(node.fact.prefix, path);
    if (node.parents.length === 0 || depth > MAX_DEPTH || visiting.has(key)) return [{ path: full, protected: covered, rootFile: node.file }];

    visiting.add(key);
    const paths: RoutePath[] = [];
    for (const mount of node.parents) {
      for (const mountPath of getPathStrings(mount.path)) {
        for (const above of this.getRoutePaths(mount.parent, mount.order, joinPaths(mountPath, full), depth + 1, visiting)) {
          paths.push({ ...above, protected: above.protected || covered || mount.limited });
          if (paths.length >= MAX_CHAINS) break;
        }
      }
    }
    visiting.delete(key);
    return paths;
  }

  /** Whether a route carries its own limiter: middleware, a Fastify hook or `config.rateLimit`. */
  hasOwnLimiter(route: RouteNode): boolean {
    if (route.event.disabled) return false;
    return route.event.limited === true || route.event.refs.some((ref) => this.isLimiter(route.file, ref));
  }

  /** Checks whether any limiter is applied to an object, its routes or the objects mounted below it. */
  hasAnyLimiter(key: string, visiting = new Set<string>()): boolean {
    const node = this.objects.get(key);
    if (!node || visiting.has(key)) return false;
    visiting.add(key);
    if (node.limiterUses.length > 0 || node.optInLimiter || node.globalGuard) return true;
    if (node.routes.some((route) => this.hasOwnLimiter(route))) return true;
    return node.children.some((mount) => mount.limited || this.hasAnyLimiter(mount.child, visiting));
  }
}

const EMPTY_SPAN = { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 };

/**
 * Checks whether a limiter applied at `use` runs before a route registered at `at`
 * on an object created in `home`. In one file, source order decides. A
 * module runs completely before the modules that import it, so calls in the
 * object's own file come before calls in other files. Between two other
 * files the order is unknown, and the limiter is taken to come first.
 */
export function precedes(use: Order, at: Order, home: string): boolean {
  if (use.unordered || at.unordered) return true;
  if (use.file === at.file) return use.pos < at.pos;
  if (use.file === home) return true;
  if (at.file === home) return false;
  return true;
}

function isWildcardPattern(pattern: PathPattern | undefined): boolean {
  return pattern?.kind === 'strings' && pattern.values.some((value) => value.includes('*'));
}

function joinPatterns(outer: PathPattern | undefined, inner: PathPattern | undefined): PathPattern | undefined {
  if (!outer) return inner;
  if (!inner) return outer;
  if (outer.kind !== 'strings' || inner.kind !== 'strings') return { kind: 'unknown' };
  return { kind: 'strings', values: outer.values.flatMap((first) => inner.values.map((second) => joinPaths(first, second))) };
}

function withPath(ref: Ref, rest: readonly string[]): Ref {
  if (rest.length === 0) return ref;
  switch (ref.kind) {
    case 'object':
    case 'function':
      return { ...ref, path: [...(ref.path ?? []), ...rest] };
    case 'import':
      return { ...ref, path: [...ref.path, ...rest] };
    case 'record': {
      const member = ref.members[rest[0]!];
      return member ? withPath(member, rest.slice(1)) : { kind: 'opaque', names: [] };
    }
    default:
      return ref;
  }
}

function lastSegment(specifier: string): string {
  return specifier.slice(specifier.lastIndexOf('/') + 1);
}

const SOURCE_EXTENSION = /\.(m|c)?[jt]sx?$/;

/**
 * Checks whether a declared module names an import: the same package, or the same
 * scanned file. The configuration loader makes relative declarations
 * absolute, and scanned paths are relative to the scan root, so files match
 * by suffix.
 */
function isSameModule(entry: DeclaredExport, specifier: string, target: string | undefined): boolean {
  if (entry.module === specifier || entry.module === packageName(specifier)) return true;
  if (!target) return false;
  const declared = entry.module.replace(/\\/g, '/').replace(/^\.\//, '').replace(SOURCE_EXTENSION, '');
  const file = target.replace(SOURCE_EXTENSION, '');
  return [file, file.replace(/\/index$/, '')].some((candidate) => declared === candidate || declared.endsWith(`/${candidate}`));
}
