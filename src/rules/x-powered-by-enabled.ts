import { defineRule } from './rule.js';
import { createAppVisitors, judgeApps, type AppFact } from './shared/web-apps.js';

export default defineRule<'poweredBy', AppFact>({
  meta: {
    id: 'x-powered-by-enabled',
    title: 'Express application sends X-Powered-By',
    summary:
      'Flags Express and NestJS (Express platform) applications that keep the `X-Powered-By: Express` header: no module calls `app.disable(\'x-powered-by\')` and none applies helmet, which removes it. The header tells attackers which framework to target.',
    severity: 'low',
    precision: 'high',
    cwe: [693],
    owasp: 'A05:2021-Security Misconfiguration',
    messages: {
      poweredBy: 'This {{framework}} app sends X-Powered-By: Express in every response; call app.disable(\'x-powered-by\') or use helmet().',
    },
  },
  create(context) {
    return createAppVisitors(context);
  },
  project(context) {
    for (const app of judgeApps(context)) {
      const framework = app.fact.framework;
      if (app.fact.test || (framework !== 'express' && framework !== 'nest') || app.measures.has('no-powered-by')) continue;
      context.report({
        file: app.file,
        location: app.fact.location,
        messageId: 'poweredBy',
        data: { framework: framework === 'nest' ? 'NestJS' : 'Express' },
        fingerprintKey: app.fact.key,
      });
    }
  },
});
