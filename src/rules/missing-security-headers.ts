import { defineRule } from './rule.js';
import { createAppVisitors, judgeApps, type AppFact, type Framework } from './shared/web-apps.js';

/** The fix for each framework, for messages. */
const FIXES: Record<Framework, string> = {
  express: 'app.use(helmet())',
  nest: 'app.use(helmet())',
  fastify: 'app.register(fastifyHelmet) from @fastify/helmet',
  'nest-fastify': 'app.register(fastifyHelmet) from @fastify/helmet',
  koa: 'app.use(helmet()) from koa-helmet',
  hono: "app.use('*', secureHeaders()) from hono/secure-headers",
};

const NAMES: Record<Framework, string> = {
  express: 'Express',
  nest: 'NestJS',
  fastify: 'Fastify',
  'nest-fastify': 'NestJS',
  koa: 'Koa',
  hono: 'Hono',
};

export default defineRule<'missing', AppFact>({
  meta: {
    id: 'missing-security-headers',
    title: 'Web application without security headers',
    summary:
      'Flags Express, Fastify, Koa, Hono and NestJS applications that no module of the project gives security headers: no helmet, @fastify/helmet, koa-helmet, Hono `secureHeaders`, lusca, nor middleware that sets Content-Security-Policy, X-Frame-Options, Strict-Transport-Security or X-Content-Type-Options. Browsers then apply no defence against clickjacking, MIME sniffing or protocol downgrade for pages and API responses.',
    severity: 'medium',
    precision: 'high',
    cwe: [693],
    owasp: 'A05:2021-Security Misconfiguration',
    messages: {
      missing: 'This {{framework}} app gets no security headers in any module that uses it; add {{fix}}.',
    },
  },
  create(context) {
    return createAppVisitors(context);
  },
  project(context) {
    for (const app of judgeApps(context)) {
      // A sub-app gets its headers from the app that mounts it, which is outside the scan when nothing mounts it here.
      if (app.fact.test || app.fact.subApp || app.measures.has('headers')) continue;
      context.report({
        file: app.file,
        location: app.fact.location,
        messageId: 'missing',
        data: { framework: NAMES[app.fact.framework], fix: FIXES[app.fact.framework] },
        fingerprintKey: app.fact.key,
      });
    }
  },
});
