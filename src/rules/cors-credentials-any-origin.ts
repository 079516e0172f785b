import { defineRule } from './rule.js';
import { createCorsVisitors, reportImportedCors } from './shared/cors-report.js';

export default defineRule({
  meta: {
    id: 'cors-credentials-any-origin',
    title: 'CORS allows credentials from every origin',
    summary:
      'Flags CORS set-ups that allow credentials (cookies, HTTP authentication) together with every origin: credentials: true next to origin true, * or a function that accepts any origin, and Access-Control-Allow-Credentials: true next to an Access-Control-Allow-Origin that echoes the request’s Origin header. Any website the user visits can then act as the user and read the responses.',
    severity: 'critical',
    precision: 'high',
    cwe: [942, 346],
    owasp: 'A05:2021-Security Misconfiguration',
    messages: {
      anyOrigin: '{{subject}} with {{origin}} and credentials: true allows credentialed requests from {{reach}}.',
      wildcardHeader: "Access-Control-Allow-Origin set to '*' is sent with Access-Control-Allow-Credentials: true.",
      reflectedHeader:
        "Access-Control-Allow-Origin echoes the request's Origin header without a check while Access-Control-Allow-Credentials is true.",
    },
  },
  create(context) {
    return createCorsVisitors(context, 'credentials');
  },
  project(context) {
    reportImportedCors(context, 'credentials');
  },
});
