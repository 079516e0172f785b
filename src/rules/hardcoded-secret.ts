import { maskSecretsInMessage } from '../engine/redact.js';
import { defineRule } from './rule.js';
import { judgeImportedKeys, toImportedKeyFacts, type ImportedKeyFact } from './shared/imported-signing-keys.js';
import { analyzeSecrets, gatherSecretNodes, toLabel } from './shared/secret-analysis.js';
import { getSecretSeverity, isDeclaredTestSecret, maskSecret } from './shared/secrets.js';

export default defineRule<'hardcoded', ImportedKeyFact>({
  meta: {
    id: 'hardcoded-secret',
    title: 'Hard-coded credential',
    summary:
      'Flags passwords, API keys, tokens, private keys and signing secrets written into the source. Anyone who can read the code or its history can use them, and they cannot be rotated without a release.',
    severity: 'critical',
    precision: 'high',
    cwe: [798],
    owasp: 'A07:2021-Identification and Authentication Failures',
    messages: {
      hardcoded: 'Hard-coded {{label}} in {{holder}} ({{masked}}).',
    },
    secret: true,
  },
  create(context) {
    return {
      ...gatherSecretNodes(context.sourceFile),
      onEnd() {
        const analysis = analyzeSecrets(context.semantics, context.file, context.config);
        for (const finding of analysis.findings) {
          if (finding.rule !== 'hardcoded-secret') continue;
          context.report({
            node: finding.target,
            messageId: 'hardcoded',
            data: { label: finding.label, holder: finding.holder, masked: maskSecret(finding.value) },
            severity: getSecretSeverity(context.file, 'critical'),
            related: finding.related,
            fingerprintKey: `${finding.label}\0${maskSecretsInMessage(finding.holder)}`,
          });
        }
        for (const fact of toImportedKeyFacts(analysis)) context.addFact(fact);
      },
    };
  },
  project(context) {
    for (const verdict of judgeImportedKeys(context, context.config)) {
      if (verdict.verdict !== 'hardcoded' || isDeclaredTestSecret(context.config, verdict.file, verdict.value)) {
        continue;
      }
      const holder = `${verdict.fact.path.join('.') || 'the default export'} from ${verdict.fact.specifier}`;
      context.report({
        file: verdict.file,
        location: verdict.fact.location,
        messageId: 'hardcoded',
        data: { label: toLabel(verdict.fact.purpose), holder, masked: maskSecret(verdict.value) },
        severity: getSecretSeverity(verdict.file, 'critical'),
        fingerprintKey: `${verdict.fact.subject}\0${maskSecretsInMessage(holder)}`,
      });
    }
  },
});
