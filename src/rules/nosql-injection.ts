import { ts } from '../typescript.js';
import type { FileSemantics } from '../analysis/semantics.js';
import { packageName } from '../analysis/origin.js';
import { getPropertyValue, isFunctionNode, propertyNameText, skipOuterExpressions } from '../analysis/syntax.js';
import { defineRule } from './rule.js';
import { getCallTarget } from './shared/report-target.js';
import { describeSources, judgeSink } from './shared/taint.js';
import type { SourceLeaf } from './shared/injection.js';
import { gatherWalkLists, WalkPicks } from './shared/walk-lists.js';

/** MongoDB driver and Mongoose methods that take a filter as their first argument. */
const FILTER_METHODS = new Set([
  'find',
  'findOne',
  'findOneAndUpdate',
  'findOneAndDelete',
  'findOneAndReplace',
  'findOneAndRemove',
  'updateOne',
  'updateMany',
  'deleteOne',
  'deleteMany',
  'replaceOne',
  'countDocuments',
  'count',
  'exists',
  'distinct',
  'where',
]);

const MONGO_PACKAGES = new Set(['mongoose', 'mongodb', 'mongojs', 'monk', '@typegoose/typegoose']);

/** How many calls of this file a filter's parameter is followed through to its callers. */
const MAX_CALLER_DEPTH = 2;

/** Request properties that body and query parsers turn into objects, such as `?email[$ne]=x`. */
const OBJECT_SOURCES = /\.(body|query)$|\.request\.body$|\.request\.query$/;

export default defineRule({
  meta: {
    id: 'nosql-injection',
    title: 'Request data in a MongoDB query',
    summary:
      'Flags MongoDB queries that run JavaScript built from non-constant data (`$where`), and filters taken whole from the request body or query string, where a client can send operators such as `$ne` and `$gt` to bypass a check.',
    severity: 'critical',
    precision: 'high',
    cwe: [943],
    owasp: 'A03:2021-Injection',
    messages: {
      where: '$where runs JavaScript built from {{part}}, which is not a constant; use query operators instead.',
      wholeFilter: '{{source}} is used whole as a MongoDB filter, so a client can send query operators; build the filter from checked fields.',
      spreadFilter: '{{source}} is spread into a MongoDB filter, so a client can send query operators in any other field; build the filter from checked fields.',
      operatorValue: '{{source}} goes into a MongoDB filter unconverted, so a client can send an operator such as {"$ne": null}; convert it with String() or validate it.',
    },
  },
  create(context) {
    const sem = context.semantics;
    const { lists, visitors } = gatherWalkLists(context, ['invocations', 'properties']);
    return {
      ...visitors,
      onEnd() {
        let usesMongo: boolean | undefined;
        const picks = new WalkPicks();
        picks.addWhere(lists.properties, (property, index) => lists.propertyNames[index] === '$where' && ts.isPropertyAssignment(property));
        picks.addWhere(lists.calls, (_, index) => {
          const name = lists.callNames[index]!;
          return FILTER_METHODS.has(name) || name === 'aggregate' || name === '$where';
        });
        // express-mongo-sanitize strips keys that start with `$` from every body, query and params object.
        let sanitized: boolean | undefined;
        // In walk order, so that findings come in the order of the code.
        for (const node of picks.inWalkOrder()) {
          if (ts.isPropertyAssignment(node)) {
            if (propertyNameText(node.name) === '$where') checkWhere(node, node.initializer);
            continue;
          }
          const call = node as ts.CallExpression;
          const callee = skipOuterExpressions(call.expression);
          if (!ts.isPropertyAccessExpression(callee)) continue;
          // Mongoose's query method: `Visit.find().$where(\`this.reason == '${reason}'\`)`.
          if (callee.name.text === '$where') {
            if (call.arguments[0]) checkWhere(call, call.arguments[0]);
          } else {
            sanitized ??= sanitizesRequests(sem, lists.calls.nodes);
            if (!sanitized) checkFilter(call, callee);
          }
        }

        function checkWhere(node: ts.Node, initializer: ts.Expression): void {
          const value = skipOuterExpressions(initializer);
          if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) return;
          const verdict = judgeSink(sem, value, { safe: [] });
          if (verdict.unsafe.length === 0 && verdict.deferred.length === 0) return;
          const part = verdict.sources[0]?.label ?? (verdict.unsafe[0]?.node ?? value).getText().slice(0, 40);
          context.report({
            node,
            messageId: 'where',
            data: { part },
            ...describeSources(verdict.sources, value),
            ...(verdict.unsafe.length === 0 ? { unless: verdict.deferred } : {}),
          });
        }

        function checkFilter(call: ts.CallExpression, callee: ts.PropertyAccessExpression): void {
          const filters = callee.name.text === 'aggregate' ? getMatchStages(call) : FILTER_METHODS.has(callee.name.text) ? call.arguments.slice(0, 1) : [];
          // Only a reference, or an object literal with one, can carry the request's object.
          const filter = filters.find(mayHoldObjectSource);
          if (!filter) return;
          usesMongo ??= importsMongo(sem.sourceFile);
          if (!isMongoReceiver(sem, callee.expression, usesMongo)) return;

          const whole = getObjectSource(sem, filter);
          if (whole) {
            context.report({
              node: getCallTarget(call),
              messageId: 'wholeFilter',
              data: { source: whole.label },
              ...describeSources([whole], filter),
            });
            return;
          }
          const spread = getSpreadSource(sem, filter);
          if (spread) {
            context.report({
              node: getCallTarget(call),
              messageId: 'spreadFilter',
              data: { source: spread.source.label },
              ...describeSources([spread.source], spread.node),
            });
            return;
          }

          const expression = skipOuterExpressions(filter);
          if (!ts.isObjectLiteralExpression(expression)) return;
          for (const property of expression.properties) {
            const value = getPropertyValue(property);
            if (!value || (property.name && propertyNameText(property.name)?.startsWith('$'))) continue;
            const source = getObjectSource(sem, value);
            if (!source) continue;
            context.report({
              node: getCallTarget(call),
              messageId: 'operatorValue',
              data: { source: source.label },
              ...describeSources([source], value),
            });
            return;
          }
        }
      },
    };
  },
});

/** Lists the filters of an aggregation pipeline: the value of each `{ $match: ... }` stage. */
function getMatchStages(call: ts.CallExpression): ts.Expression[] {
  const pipeline = call.arguments[0] && skipOuterExpressions(call.arguments[0]);
  if (!pipeline || !ts.isArrayLiteralExpression(pipeline)) return [];
  return pipeline.elements.flatMap((stage) => {
    const object = skipOuterExpressions(stage);
    if (!ts.isObjectLiteralExpression(object)) return [];
    const match = object.properties.find((property) => property.name && propertyNameText(property.name) === '$match');
    const value = match && getPropertyValue(match);
    return value ? [value] : [];
  });
}

const SANITIZING_MIDDLEWARE = new Set(['express-mongo-sanitize', '@exortek/express-mongo-sanitize']);

/**
 * True when the file mounts a middleware that strips MongoDB operators from
 * requests (`app.use(mongoSanitize())`), or turns on Mongoose's
 * `sanitizeFilter`, which wraps operator objects in filters in `$eq`.
 */
function sanitizesRequests(sem: FileSemantics, calls: readonly ts.CallExpression[]): boolean {
  if (calls.some((call) => setsSanitizeFilter(sem, call))) return true;
  if (!sem.importsAny(SANITIZING_MIDDLEWARE)) return false;
  return calls.some((call) => {
    const callee = skipOuterExpressions(call.expression);
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'use') return false;
    return call.arguments.some((argument) => {
      const middleware = skipOuterExpressions(argument);
      if (!ts.isCallExpression(middleware)) return false;
      const origin = sem.originOf(middleware.expression);
      return origin.root.kind === 'module' && SANITIZING_MIDDLEWARE.has(packageName(origin.root.specifier));
    });
  });
}

/** True for `mongoose.set('sanitizeFilter', true)` and `mongoose.set({ sanitizeFilter: true })`. */
function setsSanitizeFilter(sem: FileSemantics, call: ts.CallExpression): boolean {
  const callee = skipOuterExpressions(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'set' || !call.arguments[0]) return false;
  const origin = sem.originOf(callee.expression);
  if (origin.root.kind !== 'module' || packageName(origin.root.specifier) !== 'mongoose') return false;
  const [first, second] = call.arguments;
  const options = sem.evaluate(first);
  if (options.kind === 'object') return options.properties.sanitizeFilter?.kind === 'boolean' && options.properties.sanitizeFilter.value;
  const value = second ? sem.evaluate(second) : undefined;
  return options.kind === 'string' && options.value === 'sanitizeFilter' && value?.kind === 'boolean' && value.value;
}

/** True for `JSON.parse(text)`, which turns any text the client sends into an object, operators included. */
function isJsonParse(node: ts.Node): boolean {
  if (!ts.isCallExpression(node)) return false;
  const callee = skipOuterExpressions(node.expression);
  return ts.isPropertyAccessExpression(callee) && callee.name.text === 'parse' && ts.isIdentifier(callee.expression) && callee.expression.text === 'JSON';
}

/**
 * Returns the request source of text parsed as JSON, directly or through variables:
 * `JSON.parse(req.query.filter || '{}')`. The result is an object whatever
 * part of the request the text came from, operators included.
 */
function getParsedJson(sem: FileSemantics, expression: ts.Expression): SourceLeaf | undefined {
  let node: ts.Expression | undefined = skipOuterExpressions(expression);
  for (let hops = 0; hops < 4 && node && ts.isIdentifier(node); hops++) node = sem.followSingleValue(node);
  if (!node || !isJsonParse(node)) return undefined;
  const text = (node as ts.CallExpression).arguments[0];
  if (!text) return undefined;
  return sem.flowOf(text).find((leaf): leaf is SourceLeaf => leaf.kind === 'source' && leaf.source === 'request');
}

/**
 * A value that comes straight from a parsed request body or query string,
 * which can hold an object, as opposed to a route parameter or a converted value.
 */
function getObjectSource(sem: FileSemantics, expression: ts.Expression, depth = 0): SourceLeaf | undefined {
  const parsed = getParsedJson(sem, expression);
  if (parsed) return parsed;
  if (!isReference(skipOuterExpressions(expression)) || isConvertedVariable(sem, expression)) return undefined;
  const flow = sem.flowOf(expression);
  if (flow.length !== 1) return undefined;
  const [leaf] = flow;
  // `search(criteria) { return this.patients.find(criteria) }`, called in this file with `@Body() criteria`.
  if (leaf?.kind === 'parameter' && depth < MAX_CALLER_DEPTH && isFunctionNode(leaf.fn) && skipOuterExpressions(expression) === leaf.node) {
    for (const call of sem.getLocalCallers(leaf.fn)) {
      const argument = call.arguments[leaf.index];
      const source = argument && getObjectSource(sem, argument, depth + 1);
      if (source) return source;
    }
    return undefined;
  }
  if (leaf?.kind !== 'source' || leaf.source !== 'request') return undefined;
  // A conversion, template or operator on the way turns an object into a string or a number.
  // A variable's name hands the value on; its initializer, such as `String(req.body.email)`, may convert it.
  const handsOn = (node: ts.Node): boolean => isReference(node) || (ts.isVariableDeclaration(node.parent) && node.parent.name === node);
  if (!leaf.trace.every(handsOn)) return undefined;
  const label = leaf.label;
  const parent = label.replace(/\.[^.]+$/, '');
  if (OBJECT_SOURCES.test(label) || OBJECT_SOURCES.test(parent) || label.startsWith('@Body()') || label.startsWith('@Query()')) {
    return leaf;
  }
  return undefined;
}

/**
 * Finds a request object copied into the filter with other fields:
 * `{ ...req.body, clinicId }`, `Object.assign({}, req.query, { active: true })`,
 * in the call or in the variable the call passes.
 */
function getSpreadSource(sem: FileSemantics, filter: ts.Expression) {
  const expression = sem.followSingleValue(filter);
  if (!expression) return undefined;
  const copied: ts.Expression[] = [];
  if (ts.isObjectLiteralExpression(expression)) {
    for (const property of expression.properties) if (ts.isSpreadAssignment(property)) copied.push(property.expression);
  } else if (ts.isCallExpression(expression) && isObjectAssign(expression)) {
    copied.push(...expression.arguments.slice(1));
  }
  for (const node of copied) {
    const source = getObjectSource(sem, node);
    if (source) return { source, node };
  }
  return undefined;
}

/** True when a filter is a reference, or an object literal with a member or spread that is one: nothing else can be an object source. */
function mayHoldObjectSource(filter: ts.Expression): boolean {
  const expression = skipOuterExpressions(filter);
  if (isReference(expression) || isJsonParse(expression)) return true;
  if (ts.isCallExpression(expression)) return isObjectAssign(expression);
  if (!ts.isObjectLiteralExpression(expression)) return false;
  return expression.properties.some((property) => {
    const value = ts.isSpreadAssignment(property) ? property.expression : getPropertyValue(property);
    return value !== undefined && isReference(skipOuterExpressions(value));
  });
}

function isObjectAssign(call: ts.CallExpression): boolean {
  const callee = skipOuterExpressions(call.expression);
  return ts.isPropertyAccessExpression(callee) && callee.name.text === 'assign' && ts.isIdentifier(callee.expression) && callee.expression.text === 'Object';
}

/** True for a variable whose value a template or a call made: `const email = \`${req.body.email}\``. */
function isConvertedVariable(sem: FileSemantics, expression: ts.Expression): boolean {
  let node = skipOuterExpressions(expression);
  for (let hops = 0; hops < 4 && ts.isIdentifier(node); hops++) {
    const value = sem.followSingleValue(node);
    if (!value) return false;
    // `a || b` and `a ?? b` hand on an object as it is, while `+` makes a string.
    const concatenates = ts.isBinaryExpression(value) && value.operatorToken.kind === ts.SyntaxKind.PlusToken;
    if (ts.isTemplateExpression(value) || ts.isCallExpression(value) || concatenates) return true;
    node = value;
  }
  return false;
}

/** A name or a member access, which hands a value on without changing it. */
function isReference(node: ts.Node): boolean {
  return ts.isIdentifier(node) || ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node);
}

function importsMongo(sourceFile: ts.SourceFile): boolean {
  for (const statement of sourceFile.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      if (MONGO_PACKAGES.has(packageName(statement.moduleSpecifier.text))) return true;
    }
  }
  return /require\(\s*['"](mongoose|mongodb)['"]\s*\)/.test(sourceFile.text);
}

/**
 * A receiver that is a Mongoose model or a MongoDB collection: its origin
 * starts at a MongoDB package, it is a `collection(...)`/`model(...)` result,
 * or the file uses MongoDB and the receiver is a capitalised model name.
 */
function isMongoReceiver(sem: FileSemantics, receiver: ts.Expression, usesMongo: boolean): boolean {
  const origin = sem.originOf(receiver);
  if (origin.root.kind === 'module' && MONGO_PACKAGES.has(packageName(origin.root.specifier))) return true;
  if (origin.path.includes('collection') || origin.path.includes('model')) return true;
  // `users` collections, and models named `PatientModel`, `patientModel` or `Model`.
  if (origin.names.some((name) => /(^|[^a-z])collection$|Collection$|Model$/.test(name))) return true;
  const expression = skipOuterExpressions(receiver);
  if (usesMongo) return true;
  // Models imported from a project module: `import { Product } from './models/product'`.
  return ts.isIdentifier(expression) && /^[A-Z]/.test(expression.text) && origin.root.kind === 'module' && sem.isProjectModule(origin) && /model/i.test(origin.root.specifier);
}
