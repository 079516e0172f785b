import { packageName, packagePath, type Origin } from '../../../analysis/origin.js';
import type { Framework, ObjectKind } from './facts.js';

/**
 * Packages whose values limit request rates. Any value taken from them counts
 * as a limiter where middleware is expected: `rateLimit({...})`, a
 * `RateLimiterRedis` consumed in a middleware function, `ThrottlerGuard`.
 */
const LIMITER_PACKAGES = new Set([
  'express-rate-limit',
  'express-slow-down',
  'express-brute',
  'express-limiter',
  'express-throttle',
  'rate-limiter-flexible',
  '@fastify/rate-limit',
  'fastify-rate-limit',
  'hono-rate-limiter',
  'koa-ratelimit',
  'koa2-ratelimit',
  'koa-simple-ratelimit',
  '@nestjs/throttler',
  '@upstash/ratelimit',
]);

/** Returns the limiter package a module specifier names, or undefined. */
export function getLimiterLibrary(specifier: string): string | undefined {
  const name = packageName(specifier);
  if (LIMITER_PACKAGES.has(name) || name.startsWith('@hono-rate-limiter/')) return name;
  return undefined;
}

/** True when a file that imports these packages (see `FileSemantics.getImportedPackages`) imports a limiter library. */
export function importsLimiterLibrary(packages: ReadonlySet<string>): boolean {
  for (const name of packages) if (getLimiterLibrary(name) !== undefined) return true;
  return false;
}

/** The names of a value of unknown definition suggest a rate limiter: `loginLimiter`, `throttle`, `./rate-limit`. */
const LIMITER_NAME = /limit|throttl|slow.?down|brute/i;
/** ...unless they name a size or paging limit: `bodyLimit`, `uploadLimit`, `pageLimit`. */
const NOT_LIMITER_NAME = /body|size|payload|upload|json|file|length|page|query/i;

export function isLimiterName(name: string): boolean {
  return LIMITER_NAME.test(name) && !NOT_LIMITER_NAME.test(name);
}

export interface Creation {
  kind: ObjectKind;
  framework: Framework;
}

function isPath(path: readonly string[], ...expected: string[]): boolean {
  return path.length === expected.length && path.every((step, index) => step === expected[index]);
}

/** The packages whose calls {@link getCreation} recognises; a file that imports none of them creates no app. */
export const CREATION_PACKAGES = ['express', 'fastify', 'koa', '@koa/router', 'koa-router', 'hono', '@hono/zod-openapi', '@nestjs/core'];

/**
 * Finds the app or router that a call or `new` expression creates, from the origin
 * of the expression itself: `express()` is module `express`, path `()`.
 */
export function getCreation(origin: Origin): Creation | undefined {
  if (origin.root.kind !== 'module') return undefined;
  const name = packageName(origin.root.specifier);
  const path = packagePath(origin);
  switch (name) {
    case 'express':
      if (isPath(path, '()')) return { kind: 'app', framework: 'express' };
      if (isPath(path, 'Router', '()') || isPath(path, 'Router', 'new')) return { kind: 'router', framework: 'express' };
      return undefined;
    case 'fastify':
      if (isPath(path, '()') || isPath(path, 'fastify', '()')) return { kind: 'app', framework: 'fastify' };
      return undefined;
    case 'koa':
      if (isPath(path, 'new') || isPath(path, 'Koa', 'new')) return { kind: 'app', framework: 'koa' };
      return undefined;
    case '@koa/router':
    case 'koa-router':
      if (isPath(path, 'new') || isPath(path, '()') || isPath(path, 'Router', 'new')) return { kind: 'router', framework: 'koa' };
      return undefined;
    case 'hono':
      if (isPath(path, 'Hono', 'new')) return { kind: 'app', framework: 'hono' };
      return undefined;
    case '@hono/zod-openapi':
      if (isPath(path, 'OpenAPIHono', 'new')) return { kind: 'app', framework: 'hono' };
      return undefined;
    case '@nestjs/core':
      if (isPath(path, 'NestFactory', 'create', '()')) return { kind: 'nest-app', framework: 'nest' };
      return undefined;
    default:
      return undefined;
  }
}

const FRAMEWORK_PACKAGES: Record<string, Framework> = {
  express: 'express',
  fastify: 'fastify',
  koa: 'koa',
  '@koa/router': 'koa',
  'koa-router': 'koa',
  hono: 'hono',
  '@hono/zod-openapi': 'hono',
};

export const FRAMEWORK_PACKAGE_NAMES = Object.keys(FRAMEWORK_PACKAGES);

/** Returns the framework of a parameter's type, such as `FastifyInstance` from `fastify` or `Router` from `express`. */
export function getFrameworkOfType(origin: Origin | undefined): Framework | undefined {
  if (!origin || origin.root.kind !== 'module') return undefined;
  return FRAMEWORK_PACKAGES[packageName(origin.root.specifier)];
}

/** Methods that register a route, in lower case as the frameworks spell them. */
export const ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'all', 'options', 'head']);

/** Methods that return their receiver, so `app.use(a).use(b)` is still `app`. */
export const CHAINABLE_METHODS = new Set([...ROUTE_METHODS, 'use', 'on', 'register', 'addHook', 'decorate']);

/** Fastify route options that hold hooks run before the handler. */
export const FASTIFY_HOOK_OPTIONS = ['onRequest', 'preParsing', 'preValidation', 'preHandler'];
