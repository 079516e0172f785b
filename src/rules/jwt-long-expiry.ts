import { ts } from '../typescript.js';
import type { FileSemantics } from '../analysis/semantics.js';
import type { Value } from '../analysis/values.js';
import { defineRule, type RuleContext } from './rule.js';
import { getCallTarget } from './shared/report-target.js';
import { getBuilderChain, getJwtOperations, getModuleOptionPath, type JwtOperation } from './shared/jwt.js';
import { lookupOption, type OptionLookup } from './shared/jwt-options.js';
import { formatLifetime, getLifetime, REFRESH_TOKEN_MAX_LIFETIME, type LifetimeUnit } from './shared/jwt-lifetime.js';
import { getFactPlace, type FactPlace } from './shared/fact-place.js';
import { isRefreshTokenContext, toImportValue } from './shared/jwt-facts.js';
import { gatherWalkLists } from './shared/walk-lists.js';

/** A lifetime that comes from another module, for the project step to read. */
interface ImportedLifetimeFact extends FactPlace {
  value: Value;
  unit: LifetimeUnit;
  option: string;
  limit: number;
}

type MessageId = 'tooLong';

export default defineRule<MessageId, ImportedLifetimeFact>({
  meta: {
    id: 'jwt-long-expiry',
    title: 'JWT lifetime longer than the configured maximum',
    summary:
      'Flags JSON Web Tokens whose expiry lies further ahead than `maxTokenLifetime` (24 hours by default; 30 days for refresh tokens). A stolen token stays usable for that long, and a token cannot be revoked before it expires without extra state on the server.',
    severity: 'medium',
    precision: 'high',
    cwe: [613],
    owasp: 'A07:2021-Identification and Authentication Failures',
    messages: {
      tooLong: '{{option}} gives tokens a lifetime of {{lifetime}}, more than the maximum of {{limit}}.',
    },
  },
  create(context) {
    const sem = context.semantics;
    const { lists, visitors } = gatherWalkLists(context, ['invocations']);
    return {
      ...visitors,
      onEnd() {
        for (const operation of getJwtOperations(sem, lists)) {
          const limit = getLimit(context, operation.node);
          for (const found of getLifetimeOptions(sem, operation)) {
            judge(context, operation, found, limit);
          }
        }
      },
    };
  },
  project(context) {
    for (const { file, facts } of context.facts<ImportedLifetimeFact>()) {
      for (const fact of facts) {
        const lifetime = getLifetime(undefined, context.resolveValue(file, fact.value), fact.unit);
        if (lifetime === undefined || lifetime <= fact.limit) continue;
        context.report({
          file,
          location: fact.location,
          messageId: 'tooLong',
          data: { option: fact.option, lifetime: formatLifetime(lifetime), limit: formatLifetime(fact.limit) },
          fingerprintKey: fact.key,
        });
      }
    }
  },
});

/** A place that sets a token's expiry, with how its numbers read and the node to report. */
interface LifetimeOption {
  option: string;
  found: OptionLookup;
  unit: LifetimeUnit;
  /** The node to report when the lifetime comes from an imported options object. */
  fallback: ts.Node;
}

function getLifetimeOptions(sem: FileSemantics, operation: JwtOperation): LifetimeOption[] {
  const fallback = operation.node;
  switch (operation.kind) {
    case 'sign':
      return [
        { option: 'expiresIn', found: lookupOption(sem, operation.options, ['expiresIn']), unit: 'seconds', fallback },
        { option: 'The exp claim', found: lookupOption(sem, operation.payload, ['exp']), unit: 'timestamp', fallback },
      ];
    case 'signer':
      return [{ option: 'expiresIn', found: lookupOption(sem, operation.options, ['expiresIn']), unit: 'milliseconds', fallback }];
    case 'module': {
      const path = [...getModuleOptionPath(operation, 'sign'), 'expiresIn'];
      return [{ option: path.join('.'), found: lookupOption(sem, operation.options, path), unit: 'seconds', fallback }];
    }
    case 'builder':
      return [
        ...getExpirationCalls(sem, operation),
        { option: 'The exp claim', found: lookupOption(sem, operation.payload, ['exp']), unit: 'timestamp', fallback },
      ];
    default:
      return [];
  }
}

/** Lists each `setExpirationTime(input)` of a jose builder: a time span, or a timestamp when a number. */
function getExpirationCalls(sem: FileSemantics, operation: Extract<JwtOperation, { kind: 'builder' }>): LifetimeOption[] {
  const calls = getBuilderChain(sem, operation.node).calls.get('setExpirationTime') ?? [];
  return calls.flatMap((call) => {
    const argument = call.arguments[0];
    if (!argument) return [];
    const found: OptionLookup = { kind: 'set', value: sem.evaluate(argument), node: call, expression: argument };
    return [{ option: 'setExpirationTime()', found, unit: 'timestamp' as const, fallback: call }];
  });
}

function judge(context: RuleContext<MessageId>, operation: JwtOperation, lifetimeOption: LifetimeOption, limit: number): void {
  const { option, found, unit } = lifetimeOption;
  if (found.kind === 'imported') {
    recordImported(context, lifetimeOption.fallback, toImportValue(found.ref), unit, option, limit);
    return;
  }
  if (found.kind !== 'set') return;
  if (found.value.kind === 'import') {
    recordImported(context, found.node, found.value, unit, option, limit);
    return;
  }
  const lifetime =
    getLifetime(context.semantics, found.value, unit, found.expression) ?? getFallbackLifetime(context.semantics, found.expression, unit);
  if (lifetime === undefined || lifetime <= limit) return;
  const node = ts.isCallExpression(found.node) ? getCallTarget(found.node) : found.node;
  const related = isSameLine(context.sourceFile, found.node, operation.node)
    ? []
    : [{ node: getCallTarget(operation.node), message: 'The token is signed here.' }];
  context.report({
    node,
    messageId: 'tooLong',
    data: { option, lifetime: formatLifetime(lifetime), limit: formatLifetime(limit) },
    related,
  });
}

/**
 * Returns the lifetime of the default in `process.env.JWT_EXPIRES_IN || '365d'`.
 * Whenever the variable is unset, tokens get that lifetime.
 */
function getFallbackLifetime(sem: FileSemantics, expression: ts.Expression | undefined, unit: LifetimeUnit): number | undefined {
  const node = expression && sem.followSingleValue(expression);
  if (!node || !ts.isBinaryExpression(node)) return undefined;
  const operator = node.operatorToken.kind;
  if (operator !== ts.SyntaxKind.BarBarToken && operator !== ts.SyntaxKind.QuestionQuestionToken) return undefined;
  return getLifetime(sem, sem.evaluate(node.right), unit, node.right);
}

function recordImported(
  context: RuleContext<MessageId>,
  node: ts.Node,
  value: Value,
  unit: LifetimeUnit,
  option: string,
  limit: number,
): void {
  // Timestamps need the expression that builds them, which another module's summary does not keep.
  if (unit === 'timestamp') return;
  const target = ts.isCallExpression(node) || ts.isNewExpression(node) ? getCallTarget(node) : node;
  context.addFact({ ...getFactPlace(context.sourceFile, target), value, unit, option, limit });
}

function isSameLine(sourceFile: ts.SourceFile, first: ts.Node, second: ts.Node): boolean {
  const line = (node: ts.Node): number => sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line;
  return line(first) === line(second);
}

/** Returns the configured maximum, raised to the refresh-token maximum for refresh tokens. */
function getLimit(context: RuleContext<MessageId>, node: ts.Node): number {
  const limit = context.config.maxTokenLifetime;
  return isRefreshTokenContext(node) ? Math.max(limit, REFRESH_TOKEN_MAX_LIFETIME) : limit;
}
