import { defineRule } from './rule.js';
import { judgeImportedKeys, toImportedKeyFacts, type ImportedKeyFact } from './shared/imported-signing-keys.js';
import { analyzeSecrets, gatherSecretNodes, type WeakReason } from './shared/secret-analysis.js';
import { getSecretSeverity, isDeclaredTestSecret, maskSecret } from './shared/secrets.js';

type MessageId = 'fallback' | 'fallbackDefault' | 'short' | 'guessable';

export default defineRule<MessageId, ImportedKeyFact>({
  meta: {
    id: 'weak-signing-secret',
    title: 'Weak or default signing secret',
    summary:
      'Flags JWT and session secrets that fall back to a literal when the environment variable is missing, or that are too short or guessable. Whoever knows the key can forge tokens and session cookies for any user.',
    severity: 'high',
    precision: 'high',
    cwe: [1391, 321],
    owasp: 'A02:2021-Cryptographic Failures',
    messages: {
      fallback: '{{subject}} falls back to a {{kind}} when {{envName}} is unset ({{masked}}).',
      fallbackDefault: '{{subject}} falls back to a {{kind}} default ({{masked}}).',
      short: '{{subject}} is a {{kind}} shorter than {{min}} characters ({{masked}}).',
      guessable: '{{subject}} is a guessable {{kind}} ({{masked}}).',
    },
    secret: true,
  },
  create(context) {
    return {
      ...gatherSecretNodes(context.sourceFile),
      onEnd() {
        const analysis = analyzeSecrets(context.semantics, context.file, context.config);
        for (const finding of analysis.findings) {
          if (finding.rule !== 'weak-signing-secret') continue;
          context.report({
            node: finding.target,
            messageId: getMessageId(finding.reason, finding.envName),
            data: {
              subject: finding.subject,
              kind: 'literal',
              envName: finding.envName ?? '',
              min: context.config.minSecretLength,
              masked: maskSecret(finding.value),
            },
            severity: getSecretSeverity(context.file, 'high'),
            related: finding.related,
            fingerprintKey: `${finding.reason}\0${finding.subject}\0${finding.holder}`,
          });
        }
        for (const fact of toImportedKeyFacts(analysis)) context.addFact(fact);
      },
    };
  },
  project(context) {
    for (const verdict of judgeImportedKeys(context, context.config)) {
      if (verdict.verdict === 'hardcoded' || isDeclaredTestSecret(context.config, verdict.file, verdict.value)) {
        continue;
      }
      const name = verdict.fact.path.join('.') || 'the default export';
      context.report({
        file: verdict.file,
        location: verdict.fact.location,
        messageId: getMessageId(verdict.verdict, verdict.envName),
        data: {
          subject: verdict.fact.subject,
          kind: `constant (${name} from ${verdict.fact.specifier})`,
          envName: verdict.envName ?? '',
          min: context.config.minSecretLength,
          masked: maskSecret(verdict.value),
        },
        severity: getSecretSeverity(verdict.file, 'high'),
        fingerprintKey: `${verdict.verdict}\0${verdict.fact.subject}\0${name}`,
      });
    }
  },
});

function getMessageId(reason: WeakReason, envName: string | undefined): MessageId {
  if (reason === 'fallback') return envName ? 'fallback' : 'fallbackDefault';
  return reason;
}
