import type { Value } from '../../../analysis/values.js';

/**
 * Plain data that the per-file step records about web applications and rate
 * limiters, for the project step to join across files. Ids of objects and
 * functions are indexes into the arrays of the same file's facts.
 */

/** A 1-based span in the file that recorded the fact. */
export interface Span {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

/**
 * A value used as middleware, plugin, receiver or export, as far as one file
 * can tell. `path` continues from the value: `['()']` is the result of calling
 * it, `['routes', '()']` the result of `x.routes()`.
 */
export type Ref =
  | { kind: 'object'; id: number; path?: string[] }
  | { kind: 'function'; id: number; path?: string[] }
  | { kind: 'limiter'; library: string }
  | { kind: 'import'; specifier: string; path: string[]; names: string[] }
  | { kind: 'record'; members: Record<string, Ref> }
  | { kind: 'opaque'; names: string[] };

/**
 * A path argument: constant strings, a regular expression, or a value the
 * file cannot evaluate. `value` keeps a value built from imported constants,
 * such as `` `${API_PREFIX}/login` ``, for the project step to resolve.
 */
export type PathPattern =
  | { kind: 'strings'; values: string[] }
  | { kind: 'regexp'; source: string; flags: string }
  | { kind: 'unknown'; value?: Value };

export type Framework = 'express' | 'fastify' | 'koa' | 'hono' | 'nest' | 'unknown';

/**
 * `app` is an application (`express()`, `Fastify()`, `new Koa()`, `new
 * Hono()`); `instance` is a parameter that receives an app, a router or a
 * Fastify plugin instance.
 */
export type ObjectKind = 'app' | 'router' | 'instance' | 'nest-app' | 'nest-module' | 'nest-controller';

export interface ObjectFact {
  kind: ObjectKind;
  framework: Framework;
  /** The variable or class name, for messages. */
  name?: string;
  span: Span;
  /** Path that every route of the object starts with: a Koa router `prefix`, a Hono `basePath`. */
  prefix?: string;
  /** The root module a `NestFactory.create()` call boots. */
  module?: Ref;
}

/** A function or class of the file. Empty lists are left out, so that most functions are `{}`. */
export interface FunctionFact {
  /** For each parameter, the id of the object it receives, or -1. */
  params?: number[];
  /** Returned values that are objects, limiters or imports. */
  returns?: Ref[];
  /** Limiter libraries, project imports and local functions that the body calls. */
  calls?: Ref[];
  /** Wrapped with fastify-plugin, so the plugins it registers apply to the parent instance. */
  sharesParent?: boolean;
}

interface EventBase {
  /** The app, router or instance the call is made on. */
  target: Ref;
  /** Offset of the call in its file, for ordering. */
  pos: number;
  /** Made through `this.app` in a class, where source order does not show run order. */
  unordered?: boolean;
}

/** `app.use([path], ...refs)`, Hono `app.route(path, sub)`, Fastify `addHook`. */
export interface UseEvent extends EventBase {
  kind: 'use';
  path?: PathPattern;
  /** The path matches whole request paths only, as Hono's `app.use('/auth', ...)` does. */
  exact?: boolean;
  refs: Ref[];
}

/** Fastify `app.register(plugin, { prefix })`. */
export interface RegisterEvent extends EventBase {
  kind: 'register';
  plugin: Ref;
  prefix?: PathPattern;
  /** False for `{ global: false }`, which leaves routes unlimited unless they opt in. */
  global: boolean;
}

export interface RouteEvent extends EventBase {
  kind: 'route';
  /** Upper-case HTTP methods; `ALL` for `app.all()`. */
  methods: string[];
  path?: PathPattern;
  /** Middleware, hooks and the handler, in order. */
  refs: Ref[];
  /** Fastify route options ask for a limit: `config: { rateLimit: {...} }` or `preHandler: app.rateLimit()`. */
  limited?: boolean;
  /** Fastify route options turn the limiter off: `config: { rateLimit: false }`. */
  disabled?: boolean;
  /** Name of the handler function or method, such as `login` in `auth.login`. */
  handlerName?: string;
  span: Span;
}

/** A call that hands an app or router to a function: `registerRoutes(app)`. */
export interface CallEvent extends EventBase {
  kind: 'call';
  callee: Ref;
  /** Arguments that are objects; null for the others. */
  args: Array<Ref | null>;
}

/** NestJS `app.useGlobalGuards(...)`. */
export interface GuardsEvent extends EventBase {
  kind: 'guards';
  refs: Ref[];
}

/** NestJS `app.setGlobalPrefix(path)`. */
export interface PrefixEvent extends EventBase {
  kind: 'prefix';
  path: PathPattern;
}

/** `app.listen()`, which marks an object as a running application. */
export interface ListenEvent extends EventBase {
  kind: 'listen';
}

export type EventFact = UseEvent | RegisterEvent | RouteEvent | CallEvent | GuardsEvent | PrefixEvent | ListenEvent;

export interface NestRouteFact {
  methods: string[];
  paths: string[];
  /** Name of the handler method. */
  name: string;
  /** Guards and throttling decorators on the method: `@UseGuards(...)`, `@Throttle()`. */
  guards: Ref[];
  /** `@SkipThrottle()` on the method: true skips, false undoes a skip on the class. */
  skip?: boolean;
  /** Limiter libraries and project imports that the method body calls. */
  calls: Ref[];
  /** From the HTTP method decorator to the method name. */
  span: Span;
}

export interface NestControllerFact {
  object: number;
  paths: string[];
  guards: Ref[];
  skip?: boolean;
  routes: NestRouteFact[];
}

/** A route or controller that a NestJS `consumer.apply(...).forRoutes(...)` call applies middleware to. */
export type NestMiddlewareTarget = { kind: 'path'; path: PathPattern } | { kind: 'controller'; ref: Ref };

export interface NestModuleFact {
  object: number;
  imports: Ref[];
  controllers: Ref[];
  /** Classes provided as `APP_GUARD`. */
  appGuards: Ref[];
  middleware: Array<{ refs: Ref[]; targets: NestMiddlewareTarget[] }>;
}

/** The record of one file, read by both rate-limit rules. */
export interface RateLimitFacts {
  objects: ObjectFact[];
  functions: FunctionFact[];
  events: EventFact[];
  /** Export names and what they hold; `default` for the default export and `module.exports`. */
  exports: Record<string, Ref>;
  controllers: NestControllerFact[];
  modules: NestModuleFact[];
}
