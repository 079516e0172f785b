import { defineRule } from './rule.js';
import { createRateLimitVisitors } from './shared/rate-limit/collect.js';
import type { Framework } from './shared/rate-limit/facts.js';
import { RateLimitGraph } from './shared/rate-limit/graph.js';
import { findAppsWithoutLimiter } from './shared/rate-limit/verdicts.js';

const FRAMEWORK_NAMES: Record<Framework, string> = {
  express: 'Express',
  fastify: 'Fastify',
  koa: 'Koa',
  hono: 'Hono',
  nest: 'NestJS',
  unknown: 'web',
};

export default defineRule({
  meta: {
    id: 'missing-global-rate-limit',
    title: 'Application without any rate limiter',
    summary:
      'Flags web applications that apply no rate limiter anywhere. Any client can then send requests as fast as it likes and use up the server’s CPU, memory and database connections.',
    severity: 'low',
    precision: 'medium',
    cwe: [400],
    owasp: 'A04:2021-Insecure Design',
    messages: {
      missing: 'This {{framework}} application applies no rate limiter to any route.',
    },
  },
  create(context) {
    return createRateLimitVisitors(context);
  },
  project(context) {
    const graph = new RateLimitGraph(context);
    for (const finding of findAppsWithoutLimiter(graph)) {
      context.report({
        file: finding.file,
        location: finding.span,
        messageId: 'missing',
        data: { framework: FRAMEWORK_NAMES[finding.framework] },
        fingerprintKey: `app ${finding.framework}`,
      });
    }
  },
});
