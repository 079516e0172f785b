import { ts } from '../typescript.js';
import { getMemberName, getPropertyValue, propertyNameText, skipOuterExpressions } from '../analysis/syntax.js';
import { defineRule, type RuleContext } from './rule.js';
import { getStrings } from './shared/option-lookup.js';
import { gatherWalkLists, WalkPicks } from './shared/walk-lists.js';

/** The settings this rule reads. */
const SETTINGS = new Set(['minVersion', 'maxVersion', 'secureProtocol', 'ciphers']);
/** The names of assignments this rule reads: the settings and the process-wide floor and ceiling. */
const ASSIGNED = new Set([...SETTINGS, 'DEFAULT_MIN_VERSION', 'DEFAULT_MAX_VERSION']);

/** Protocol versions that RFC 8996 deprecates (TLS 1.0 and 1.1) and the SSL versions before them. */
const OUTDATED_VERSIONS = /^(SSLv2|SSLv3|TLSv1|TLSv1\.1)$/;

/** OpenSSL method names that pin one outdated protocol version. */
const OUTDATED_METHODS = /^(SSLv2|SSLv3|TLSv1|TLSv1_1)(_client|_server)?_method$/;

/**
 * Cipher suite names, or parts of them, that offer no or broken protection:
 * RC4 and DES (RFC 7465, NIST SP 800-131A), export-grade and NULL suites,
 * anonymous key exchange and MD5 MACs.
 */
const WEAK_SUITE_PART = /^(RC4|RC2|DES|3DES|DES-CBC3|IDEA|SEED|NULL|eNULL|aNULL|EXPORT|EXP|ADH|AECDH|MD5)$/;

type MessageId = 'version' | 'method' | 'ciphers';

export default defineRule<MessageId>({
  meta: {
    id: 'outdated-tls-version',
    title: 'Outdated TLS version or weak cipher suite allowed',
    summary:
      'Flags TLS settings that allow or pin TLS 1.0, TLS 1.1 or SSL (`minVersion`, `maxVersion`, `secureProtocol`, `tls.DEFAULT_MIN_VERSION`) and cipher lists that enable RC4, DES, export, NULL or anonymous suites. An attacker in the middle can force such a connection down to the weakest protocol both sides accept.',
    severity: 'high',
    precision: 'high',
    cwe: [757],
    owasp: 'A02:2021-Cryptographic Failures',
    messages: {
      version: '{{option}} {{version}} allows a protocol that RFC 8996 deprecates; set minVersion to TLSv1.2 or later.',
      method: 'secureProtocol {{method}} pins an outdated protocol; remove it and set minVersion: \'TLSv1.2\'.',
      ciphers: 'The cipher list enables {{suite}}, which gives no or broken protection; use Node’s default list or exclude it with !{{part}}.',
    },
  },
  create(context) {
    const sem = context.semantics;
    const checkAssignment = (binary: ts.BinaryExpression): void => {
      if (binary.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
      const target = skipOuterExpressions(binary.left);
      const name = getMemberName(target);
      // tls.DEFAULT_MIN_VERSION = 'TLSv1' lowers the floor of every connection of the process.
      if (name === 'DEFAULT_MIN_VERSION' || name === 'DEFAULT_MAX_VERSION') {
        const version = getStrings(sem.evaluate(binary.right)).find((text) => OUTDATED_VERSIONS.test(text));
        if (version) context.report({ node: binary, messageId: 'version', data: { option: `tls.${name} =`, version } });
        return;
      }
      if (name !== undefined && SETTINGS.has(name)) checkSetting(context, binary, name, binary.right);
    };
    const { lists, visitors } = gatherWalkLists(context, ['properties', 'assignments']);
    return {
      ...visitors,
      onEnd() {
        const picks = new WalkPicks();
        // Only these settings are read, so other members need no value.
        picks.addWhere(lists.properties, (property, index) => ts.isPropertyAssignment(property) && SETTINGS.has(lists.propertyNames[index]!));
        picks.addWhere(lists.assignments, (binary) => ASSIGNED.has(getMemberName(skipOuterExpressions(binary.left))!));
        // In walk order, so that findings come in the order of the code.
        for (const node of picks.inWalkOrder()) {
          if (ts.isPropertyAssignment(node)) checkSetting(context, node, propertyNameText(node.name)!, getPropertyValue(node));
          else checkAssignment(node as ts.BinaryExpression);
        }
      },
    };
  },
});

function checkSetting(context: RuleContext<MessageId>, node: ts.Node, name: string, value: ts.Expression | undefined): void {
  if (!value) return;
  const strings = getStrings(context.semantics.evaluate(value));
  if (name === 'minVersion' || name === 'maxVersion') {
    const version = strings.find((text) => OUTDATED_VERSIONS.test(text));
    if (version) context.report({ node, messageId: 'version', data: { option: `${name}:`, version } });
    return;
  }
  if (name === 'secureProtocol') {
    const method = strings.find((text) => OUTDATED_METHODS.test(text));
    if (method) context.report({ node, messageId: 'method', data: { method } });
    return;
  }
  if (name === 'ciphers') {
    for (const list of strings) {
      const weak = findWeakSuite(list);
      if (!weak) continue;
      context.report({ node, messageId: 'ciphers', data: weak });
      return;
    }
  }
}

/**
 * Finds the first suite of an OpenSSL cipher list that enables a weak algorithm:
 * `DES-CBC3-SHA`, `RC4-MD5`, `EXP-RC4-MD5`, `aNULL`. Entries that start with
 * `!` or `-` exclude suites, so `HIGH:!aNULL:!MD5` passes.
 */
export function findWeakSuite(list: string): { suite: string; part: string } | undefined {
  for (const entry of list.split(/[:,\s]+/)) {
    if (!entry || entry.startsWith('!') || entry.startsWith('-')) continue;
    const suite = entry.replace(/^\+/, '');
    const parts = suite.split('-');
    const part = parts.find((piece) => WEAK_SUITE_PART.test(piece)) ?? (suite.includes('DES-CBC3') ? '3DES' : undefined);
    if (part) return { suite, part };
  }
  return undefined;
}
