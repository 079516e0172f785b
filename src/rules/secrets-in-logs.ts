import { defineRule } from './rule.js';
import { createLoggingVisitors, runLoggingProject, type LoggingFact, type LoggingMessageId } from './shared/logging-rule.js';

/** Whole patient records are personal data, so this rule never reports one. */
type SecretLoggingMessageId = Exclude<LoggingMessageId, 'record'>;

export default defineRule<SecretLoggingMessageId, LoggingFact>({
  meta: {
    id: 'secrets-in-logs',
    title: 'Password, token or credential written to a log',
    summary:
      'Flags log calls that write passwords, secrets, tokens, API keys, Authorization and Cookie headers, or whole request bodies. Logs are kept for a long time, shipped to other systems and read by many people, so a credential in a log can be used by anyone who reads it.',
    severity: 'high',
    precision: 'high',
    cwe: [532],
    owasp: 'A09:2021-Security Logging and Monitoring Failures',
    messages: {
      value: '{{name}} is written to the log unmasked.',
      values: '{{names}} are written to the log unmasked.',
      body: '{{name}}, the whole request body, is written to the log, with any password or token it holds.',
      headers: '{{name}}, every request header, is written to the log, Authorization and Cookie included.',
      request: '{{name}}, the whole request, is written to the log with its Authorization and Cookie headers.',
      typed: '{{name}} is written to the log with its {{field}} field unmasked.',
    },
  },
  create(context) {
    return createLoggingVisitors(context, 'secret');
  },
  project(context) {
    runLoggingProject(context, 'secret');
  },
});
