import { ts } from '../typescript.js';
import type { FileSemantics } from '../analysis/semantics.js';
import { packageName, packagePath } from '../analysis/origin.js';
import { getCalleeName, getMemberName, propertyNameText, skipOuterExpressions } from '../analysis/syntax.js';
import { defineRule, type RuleContext } from './rule.js';
import { isEnvironmentDependent } from './shared/environment-guards.js';
import { getString, isFalse, isTrue, lookupOption } from './shared/option-lookup.js';
import { getCallTarget } from './shared/report-target.js';
import { mayImport, perFile } from './shared/file-imports.js';
import { gatherWalkLists, WalkPicks } from './shared/walk-lists.js';

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

type MessageId = 'errorhandler' | 'showStack' | 'expressEnv' | 'nodeEnv' | 'graphql' | 'inspector';

export default defineRule<MessageId>({
  meta: {
    id: 'debug-mode-enabled',
    title: 'Debug mode on in code that runs in production',
    summary:
      'Flags debug features switched on with no NODE_ENV check around them: the `errorhandler` middleware, which sends stack traces and source to the client; `app.set(\'env\', \'development\')` and `process.env.NODE_ENV = \'development\'` in a server entry point; GraphQL servers with `debug`, `includeStacktraceInErrorResponses`, `introspection`, `playground` or `graphiql` on, or yoga\'s `maskedErrors: false`; and `inspector.open()`, which lets whoever reaches the port run code. ORM `logging` and `debug` options write to the server log and are not reported.',
    severity: 'medium',
    precision: 'high',
    cwe: [489, 215],
    owasp: 'A05:2021-Security Misconfiguration',
    messages: {
      errorhandler: 'errorhandler() sends stack traces and source to the client, and here it runs in every environment; mount it only when NODE_ENV is development.',
      inspector: 'inspector.open() starts the V8 inspector in every environment, and whoever reaches its port can run code in the server; open it only when NODE_ENV is development, on 127.0.0.1.',
      showStack: '{{option}}: true sends stack traces to the client; turn it on only when NODE_ENV is development.',
      expressEnv: "app.set('env', 'development') makes Express send stack traces in error pages in every environment; let NODE_ENV decide.",
      nodeEnv: "process.env.NODE_ENV = 'development' turns on development behaviour of Express and its middleware in every environment; set NODE_ENV outside the code.",
      graphql: '{{option}}: {{value}} exposes {{what}} in every environment; tie it to NODE_ENV !== \'production\'.',
    },
  },
  create(context) {
    const sem = context.semantics;
    let importsServer: boolean | undefined;
    const checkAssignment = (binary: ts.BinaryExpression): void => {
      if (binary.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
      const target = skipOuterExpressions(binary.left);
      if (getMemberName(target) !== 'NODE_ENV') return;
      importsServer ??= sem.sourceFile.statements.some((statement) => isServerImport(statement)) || /require\(\s*['"](express|fastify|koa|@nestjs\/core)['"]\s*\)/.test(sem.sourceFile.text);
      if (!importsServer || !/^process\.env(\.NODE_ENV|\[)/.test(target.getText())) return;
      const value = getString(sem.evaluate(binary.right));
      if ((value === 'development' || value === 'dev') && !isEnvironmentDependent(sem, binary)) context.report({ node: binary, messageId: 'nodeEnv' });
    };
    const { lists, visitors } = gatherWalkLists(context, ['invocations', 'properties', 'assignments']);
    return {
      ...visitors,
      onEnd() {
        const picks = new WalkPicks();
        const errorhandler = importsErrorhandler(sem.sourceFile);
        const inspector = importsInspector(sem.sourceFile);
        picks.addWhere(lists.calls, (call, index) => mayBeChecked(call, lists.callNames[index], errorhandler) || (inspector && lists.callNames[index] === 'open'));
        picks.addWhere(lists.properties, (property, index) => ts.isPropertyAssignment(property) && isGraphqlOptionName(lists.propertyNames[index]));
        picks.addWhere(lists.assignments, (binary) => getMemberName(skipOuterExpressions(binary.left)) === 'NODE_ENV');
        // In walk order, so that findings come in the order of the code.
        for (const node of picks.inWalkOrder()) {
          switch (node.kind) {
            case ts.SyntaxKind.CallExpression:
              checkErrorHandler(context, node as ts.CallExpression);
              checkInspector(context, node as ts.CallExpression);
              checkExpressEnv(context, node as ts.CallExpression);
              break;
            case ts.SyntaxKind.PropertyAssignment:
              checkGraphqlOption(context, node as ts.PropertyAssignment);
              break;
            case ts.SyntaxKind.BinaryExpression:
              checkAssignment(node as ts.BinaryExpression);
              break;
          }
        }
      },
    };
  },
});

/**
 * True when a call may be one that {@link checkErrorHandler} or
 * {@link checkExpressEnv} reports: named `errorhandler` in any case, a plain
 * function when the errorhandler package is imported, or `set` with two arguments.
 */
function mayBeChecked(call: ts.CallExpression, name: string | undefined, errorhandler: boolean): boolean {
  if (!name) return false;
  if (name === 'set' && call.arguments.length === 2) return true;
  return /^errorhandler$/i.test(name) || (errorhandler && ts.isIdentifier(skipOuterExpressions(call.expression)));
}

/** True for a name that {@link checkGraphqlOption} looks up in its table, the same way it does. */
function isGraphqlOptionName(name: string | undefined): boolean {
  return name !== undefined && Boolean(GRAPHQL_OPTIONS[name]);
}

function isServerImport(statement: ts.Statement): boolean {
  return ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier) && SERVER_PACKAGES.has(packageName(statement.moduleSpecifier.text.replace(/^node:/, '')));
}

const importsErrorhandler = perFile((sourceFile) => mayImport(sourceFile, new Set(['errorhandler'])));
const importsInspector = perFile((sourceFile) => mayImport(sourceFile, new Set(['inspector', 'inspector/promises'])));

/** `inspector.open()` of node:inspector outside a check of the environment. */
function checkInspector(context: RuleContext<MessageId>, call: ts.CallExpression): void {
  const sem = context.semantics;
  if (getCalleeName(call) !== 'open' || !importsInspector(sem.sourceFile)) return;
  const origin = sem.originOf(call.expression);
  if (origin.root.kind !== 'module' || !/^(node:)?inspector(\/promises)?$/.test(origin.root.specifier)) return;
  const path = packagePath(origin);
  if (path.length !== 1 || path[0] !== 'open') return;
  if (!isEnvironmentDependent(sem, call)) context.report({ node: call, messageId: 'inspector' });
}

/** `errorhandler()` from the errorhandler package, and connect's old `errorHandler({ showStack: true })`. */
function checkErrorHandler(context: RuleContext<MessageId>, call: ts.CallExpression): void {
  const sem = context.semantics;
  const name = getCalleeName(call);
  if (!name || !/^errorhandler$/i.test(name) && !ts.isIdentifier(skipOuterExpressions(call.expression))) return;
  // Without the errorhandler package, only connect's errorHandler({ ... }) is left to check.
  if (!importsErrorhandler(sem.sourceFile) && !/^errorHandler$/i.test(name)) return;
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
