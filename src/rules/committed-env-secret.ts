import { isEnvFile } from '../engine/analyze-file.js';
import { defineRule, type Visitors } from './rule.js';
import { findConnectionPasswords } from './shared/connection-strings.js';
import { parseEnvFile, type EnvEntry } from './shared/env-file.js';
import { findSecretFormat } from './shared/secret-formats.js';
import {
  describeCredentialName,
  getSecretSeverity,
  isCredentialName,
  isDeclaredTestSecret,
  isSecretShaped,
  isSigningSecretName,
  maskSecret,
} from './shared/secrets.js';

type MessageId = 'secret' | 'connectionPassword';

interface EnvSecret {
  messageId: MessageId;
  start: number;
  end: number;
  value: string;
  data: Record<string, string>;
}

export default defineRule<MessageId>({
  meta: {
    id: 'committed-env-secret',
    title: 'Secret in a committed .env file',
    summary:
      'Flags credentials in .env files that are part of the repository: passwords, API keys, tokens and connection strings with a password. Everyone with access to the repository or its history can read them.',
    severity: 'high',
    precision: 'high',
    cwe: [798, 538],
    owasp: 'A07:2021-Identification and Authentication Failures',
    messages: {
      secret: '{{label}} in {{key}} of {{file}} ({{masked}}).',
      connectionPassword: 'Password in the {{scheme}} connection string in {{key}} of {{file}} ({{masked}}).',
    },
    secret: true,
    languages: ['env'],
  },
  create(context) {
    // The walk of a code file takes every visitor key for a node kind, so `onEnvFile` is given to .env files only.
    if (!isEnvFile(context.file)) return {};
    const fileName = context.file.slice(context.file.lastIndexOf('/') + 1);
    const visitors: Visitors & { onEnvFile(text: string): void } = {
      onEnvFile(text) {
        for (const entry of parseEnvFile(text)) {
          const found = findEnvSecret(entry);
          if (!found || isDeclaredTestSecret(context.config, context.file, found.value)) continue;
          context.report({
            node: { start: found.start, end: found.end },
            messageId: found.messageId,
            data: { ...found.data, key: entry.key, file: fileName, masked: maskSecret(found.value) },
            severity: getSecretSeverity(context.file, 'high'),
            fingerprintKey: `${entry.key}\0${found.messageId}`,
          });
        }
      },
    };
    return visitors;
  },
});

/**
 * Finds the secret in one entry: a password in a connection string, a known
 * credential format, or a secret-looking value under a credential name.
 * Empty values, placeholders and `${VAR}` references are not secrets.
 */
function findEnvSecret(entry: EnvEntry): EnvSecret | undefined {
  const connection = findConnectionPasswords(entry.value).at(0);
  if (connection) {
    const start = entry.start + connection.index;
    return {
      messageId: 'connectionPassword',
      start,
      end: start + connection.password.length,
      value: connection.password,
      data: { scheme: connection.scheme },
    };
  }
  const format = findSecretFormat(entry.value);
  if (format) {
    const start = entry.start + format.index;
    return {
      messageId: 'secret',
      start,
      end: start + format.token.length,
      value: format.token,
      data: { label: capitalize(format.label) },
    };
  }
  if (!isCredentialName(entry.key) && !isSigningSecretName(entry.key)) return undefined;
  const secret = entry.value.replace(/^(?:Bearer|Basic|Token)\s+/i, '');
  if (!isSecretShaped(secret)) return undefined;
  const label = describeCredentialName(entry.key);
  return {
    messageId: 'secret',
    start: entry.start,
    end: entry.end,
    value: secret,
    data: {
      label:
        label === 'secret access key' && /^[A-Za-z0-9/+]{40}$/.test(secret)
          ? 'AWS secret access key'
          : capitalize(label),
    },
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
