import { defineRule } from './rule.js';
import { createLoggingVisitors, runLoggingProject, type LoggingFact, type LoggingMessageId } from './shared/logging-rule.js';

export default defineRule<LoggingMessageId, LoggingFact>({
  meta: {
    id: 'personal-data-in-logs',
    title: 'Health or personal data written to a log',
    summary:
      'Flags log calls that write health data, government identifiers, birth dates or payment data unmasked, or whole objects whose type declares such fields. Logs reach more people and systems than the database does, and rarely get the same access control or retention limits.',
    severity: 'medium',
    precision: 'medium',
    cwe: [359],
    owasp: 'A09:2021-Security Logging and Monitoring Failures',
    messages: {
      value: '{{name}} is written to the log unmasked.',
      values: '{{names}} are written to the log unmasked.',
      body: '{{name}}, the whole request body, is written to the log.',
      headers: '{{name}}, every request header, is written to the log.',
      request: '{{name}}, the whole request, is written to the log.',
      typed: '{{name}} is written to the log with its {{field}} field unmasked.',
      record: '{{name}}, a whole patient record, is written to the log.',
    },
  },
  create(context) {
    return createLoggingVisitors(context, 'personal');
  },
  project(context) {
    runLoggingProject(context, 'personal');
  },
});
