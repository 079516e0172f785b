import { maskSecretsInMessage } from '../engine/redact.js';
import { defineRule } from './rule.js';
import { analyzeSecrets, gatherSecretNodes } from './shared/secret-analysis.js';
import { getSecretSeverity, maskSecret } from './shared/secrets.js';

export default defineRule({
  meta: {
    id: 'credentials-in-connection-string',
    title: 'Password in a connection string',
    summary:
      'Flags database, cache and message broker connection strings in the source that carry a password after the user name. The password leaks with the code, and again through logs and error messages that print the URL.',
    severity: 'critical',
    precision: 'high',
    cwe: [798],
    owasp: 'A07:2021-Identification and Authentication Failures',
    messages: {
      password: 'Connection string ({{scheme}}) in {{holder}} contains a hard-coded password ({{masked}}).',
    },
    secret: true,
  },
  create(context) {
    return {
      ...gatherSecretNodes(context.sourceFile),
      onEnd() {
        for (const finding of analyzeSecrets(context.semantics, context.file, context.config).findings) {
          if (finding.rule !== 'credentials-in-connection-string') continue;
          context.report({
            node: finding.target,
            messageId: 'password',
            data: { scheme: finding.scheme, holder: finding.holder, masked: maskSecret(finding.value) },
            severity: getSecretSeverity(context.file, 'critical'),
            fingerprintKey: `${finding.scheme}\0${maskSecretsInMessage(finding.holder)}`,
          });
        }
      },
    };
  },
});
