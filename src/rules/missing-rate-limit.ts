import { defineRule } from './rule.js';
import { createRateLimitVisitors } from './shared/rate-limit/collect.js';
import { compileAuthPatterns } from './shared/rate-limit/paths.js';
import { RateLimitGraph } from './shared/rate-limit/graph.js';
import { findUnprotectedAuthRoutes } from './shared/rate-limit/verdicts.js';

export default defineRule({
  meta: {
    id: 'missing-rate-limit',
    title: 'Authentication route without a rate limiter',
    summary:
      'Flags login, sign-up, password reset, token and one-time code routes that no rate limiter covers. Without a limit, an attacker can guess passwords and codes as fast as the server answers.',
    severity: 'high',
    precision: 'medium',
    cwe: [307],
    owasp: 'A07:2021-Identification and Authentication Failures',
    messages: {
      missing: 'Authentication route {{method}} {{path}} has no rate limiter.',
    },
  },
  create(context) {
    return createRateLimitVisitors(context);
  },
  project(context) {
    const graph = new RateLimitGraph(context);
    const extra = compileAuthPatterns(context.config.authRoutes);
    for (const finding of findUnprotectedAuthRoutes(graph, extra)) {
      context.report({
        file: finding.file,
        location: finding.span,
        messageId: 'missing',
        data: { method: finding.method, path: finding.path },
        fingerprintKey: `${finding.method} ${finding.path}`,
      });
    }
  },
});
