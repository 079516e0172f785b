import { defineRule } from './rule.js';
import { createCorsVisitors, reportImportedCors } from './shared/cors-report.js';

export default defineRule({
  meta: {
    id: 'permissive-cors',
    title: 'CORS allows every origin',
    summary:
      'Flags CORS set-ups that let any website read responses: the cors, @fastify/cors, @koa/cors and Hono middleware without an origin list, NestJS enableCors() without options, origin set to true, a match-all pattern or a function that accepts any origin, and Access-Control-Allow-Origin set to * or to the request’s own Origin header.',
    severity: 'high',
    precision: 'high',
    cwe: [942],
    owasp: 'A05:2021-Security Misconfiguration',
    messages: {
      noOptions: '{{subject}} without options allows every origin.',
      anyOrigin: '{{subject}} with {{origin}} allows {{reach}}.',
      wildcardHeader: "Access-Control-Allow-Origin set to '*' allows every origin.",
      reflectedHeader: "Access-Control-Allow-Origin echoes the request's Origin header without checking it against a list.",
    },
  },
  create(context) {
    return createCorsVisitors(context, 'permissive');
  },
  project(context) {
    reportImportedCors(context, 'permissive');
  },
});
