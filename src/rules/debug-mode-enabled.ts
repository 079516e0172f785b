import { ts } from 'ts-morph';
import type { FileSemantics } from '../analysis/semantics.js';
import { packageName, packagePath } from '../analysis/origin.js';
import { getCalleeName, getMemberName, propertyNameText, skipOuterExpressions } from '../analysis/syntax.js';
import { defineRule, type RuleContext } from './rule.js';
import { isEnvironmentDependent } from './shared/environment-guards.js';
import { getString, isFalse, isTrue, lookupOption } from './shared/option-lookup.js';
import { getCallTarget } from './shared/report-target.js';

/** GraphQL server packages whose options can turn on debug output, introspection or an IDE. */
const GRAPHQL_PACKAGES = /^(apollo-server(-.+)?|@apollo\/server|express-graphql|graphql-http|mercurius|@nestjs\/graphql|@nestjs\/apollo|@nestjs\/mercurius|graphql-yoga|@graphql-yoga\/.+)$/;

/**
 * GraphQL options that expose internals when set to the given value:
 * stack traces in error responses, the schema to anyone, a query IDE, and
 * unmasked resolver errors.
 */
const GRAPHQL_OPTIONS: Record<string, { value: boolean; what: string }> = {
  debug: { value: true, what: 'stack traces in error responses' },
  includeStacktraceInErrorResponses: { value: true, what: 'stack traces in error responses' },
  introspection: { value: true, what: 'the whole schema to any client' },
  playground: { value: true, what: 'the GraphQL Playground IDE' },
  graphiql: { value: true, what: 'the GraphiQL IDE' },
  maskedErrors: { value: false, what: 'the messages of unexpected resolver errors' },
};

/** Packages that start a server. A file that sets NODE_ENV and imports one is an entry point. */
const SERVER_PACKAGES = new Set(['express', 'fastify', 'koa', 'hono', '@nestjs/core', 'http', 'https', 'next', '@hapi/hapi']);

type MessageId = 'errorhandler' | 'showStack' | 'expressEnv' | 'nodeEnv' | 'graphql';

export default defineRule<MessageId>({
  meta: {
    id: 'debug-mode-enabled',
    title: 'Debug mode on in code that runs in production',
    summary:
      'Flags debug features switched on with no NODE_ENV check around them: the `errorhandler` middleware, which sends stack traces and source to the client; `app.set(\'env\', \'development\')` and `process.env.NODE_ENV = \'development\'` in a server entry point; and GraphQL servers with `debug`, `includeStacktraceInErrorResponses`, `introspection`, `playground` or `graphiql` on, or yoga\'s `maskedErrors: false`. ORM `logging` and `debug` options write to the server log and are not reported.',
    severity: 'medium',
    precision: 'high',
    cwe: [489, 215],
    owasp: 'A05:2021-Security Misconfiguration',
    messages: {
      errorhandler: 'errorhandler() sends stack traces and source to the client, and here it runs in every environment; mount it only when NODE_ENV is development.',
      showStack: '{{option}}: true sends stack traces to the client; turn it on only when NODE_ENV is development.',
      expressEnv: "app.set('env', 'development') makes Express send stack traces in error pages in every environment; let NODE_ENV decide.",
      nodeEnv: "process.env.NODE_ENV = 'development' turns on development behaviour of Express and its middleware in every environment; set NODE_ENV outside the code.",
      graphql: '{{option}}: {{value}} exposes {{what}} in every environment; tie it to NODE_ENV !== \'production\'.',
    },
  },
  create(context) {
    const sem = context.semantics;
    const importsServer = sem.sourceFile.statements.some((statement) => isServerImport(statement)) || /require\(\s*['"](express|fastify|koa|@nestjs\/core)['"]\s*\)/.test(sem.sourceFile.text);
    return {
      CallExpression(call) {
        checkErrorHandler(context, call);
        checkExpressEnv(context, call);
      },
      PropertyAssignment(property) {
        checkGraphqlOption(context, property);
      },
      BinaryExpression(binary) {
        if (!importsServer || binary.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
        const target = skipOuterExpressions(binary.left);
        if (getMemberName(target) !== 'NODE_ENV' || !/^process\.env(\.NODE_ENV|\[)/.test(target.getText())) return;
        const value = getString(sem.evaluate(binary.right));
        if ((value === 'development' || value === 'dev') && !isEnvironmentDependent(sem, binary)) context.report({ node: binary, messageId: 'nodeEnv' });
      },
    };
  },
});

function isServerImport(statement: ts.Statement): boolean {
  return ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier) && SERVER_PACKAGES.has(packageName(statement.moduleSpecifier.text.replace(/^node:/, '')));
}

/** `errorhandler()` from the errorhandler package, and connect's old `errorHandler({ showStack: true })`. */
function checkErrorHandler(context: RuleContext<MessageId>, call: ts.CallExpression): void {
  const sem = context.semantics;
  const name = getCalleeName(call);
  if (!name || !/^errorhandler$/i.test(name) && !ts.isIdentifier(skipOuterExpressions(call.expression))) return;
  const origin = sem.originOf(call.expression);
  if (origin.root.kind === 'module' && packageName(origin.root.specifier) === 'errorhandler' && packagePath(origin).length === 0) {
    if (!isEnvironmentDependent(sem, call)) context.report({ node: call, messageId: 'errorhandler' });
    return;
  }
  const options = call.arguments[0];
  if (!options || !/^errorHandler$/i.test(name)) return;
  for (const option of ['showStack', 'dumpExceptions', 'debug']) {
    const lookup = lookupOption(sem, options, [option]);
    if (lookup.kind === 'set' && isTrue(lookup.value)) {
      if (!isEnvironmentDependent(sem, call)) context.report({ node: lookup.node, messageId: 'showStack', data: { option } });
      return;
    }
  }
}

/** `app.set('env', 'development')`. */
function checkExpressEnv(context: RuleContext<MessageId>, call: ts.CallExpression): void {
  const sem = context.semantics;
  const [name, value] = call.arguments;
  if (getCalleeName(call) !== 'set' || !name || !value || call.arguments.length !== 2) return;
  if (getString(sem.evaluate(name)) !== 'env' || getString(sem.evaluate(value)) !== 'development') return;
  if (isEnvironmentDependent(sem, call)) return;
  context.report({ node: getCallTarget(call), messageId: 'expressEnv' });
}

function checkGraphqlOption(context: RuleContext<MessageId>, property: ts.PropertyAssignment): void {
  const sem = context.semantics;
  const option = propertyNameText(property.name);
  const rule = option ? GRAPHQL_OPTIONS[option] : undefined;
  if (!option || !rule) return;
  const value = sem.evaluate(property.initializer);
  if (rule.value ? !isTrue(value) : !isFalse(value)) return;
  if (!isGraphqlOptions(sem, property.parent) || isEnvironmentDependent(sem, property)) return;
  context.report({ node: property, messageId: 'graphql', data: { option, value: String(rule.value), what: rule.what } });
}

/** True when an object is passed to a GraphQL server: `new ApolloServer({...})`, `graphqlHTTP({...})`, `GraphQLModule.forRoot({...})`, `app.register(mercurius, {...})`. */
function isGraphqlOptions(sem: FileSemantics, object: ts.ObjectLiteralExpression): boolean {
  let node: ts.Node = object;
  while (ts.isParenthesizedExpression(node.parent) || ts.isAsExpression(node.parent) || ts.isSatisfiesExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return isPassedToGraphql(sem, parent.name);
  if (!ts.isCallExpression(parent) && !ts.isNewExpression(parent)) return false;
  if (isGraphqlFunction(sem, parent.expression)) return true;
  const first = parent.arguments?.[0];
  return getCalleeName(parent) === 'register' && first !== undefined && first !== node && isGraphqlFunction(sem, first);
}

function isGraphqlFunction(sem: FileSemantics, expression: ts.Expression): boolean {
  const origin = sem.originOf(expression);
  return origin.root.kind === 'module' && GRAPHQL_PACKAGES.test(packageName(origin.root.specifier));
}

/** `const options = { debug: true }; new ApolloServer(options)`. */
function isPassedToGraphql(sem: FileSemantics, name: ts.Identifier): boolean {
  const declaration = sem.resolve(name);
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && isGraphqlFunction(sem, node.expression)) {
      found = (node.arguments ?? []).some((argument) => {
        const expression = skipOuterExpressions(argument);
        return ts.isIdentifier(expression) && sem.resolve(expression) === declaration;
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(sem.sourceFile);
  return found;
}
