import { ts } from '../typescript.js';
import { CALL, NEW, packageName, packagePath } from './origin.js';
import type { FileSemantics } from './semantics.js';
import { getPropertyValue, propertyNameText, skipOuterExpressions } from './syntax.js';

/**
 * Template syntax that writes a value without HTML escaping, by engine, with
 * the value's name in the first group. Handlebars and Mustache use
 * `{{{name}}}` and `{{& name}}`, EJS `<%- name %>`, lodash and underscore
 * `<%= name %>` (their `<%- %>` escapes), Pug `!{name}`, Nunjucks
 * `{{ name | safe }}`, Eta `<%~ it.name %>` and doT `{{= it.name }}`.
 */
const RAW_OUTPUT: Record<string, RegExp> = {
  handlebars: /\{\{\{\s*([\w$]+)|\{\{&\s*([\w$]+)/g,
  mustache: /\{\{\{\s*([\w$]+)|\{\{&\s*([\w$]+)/g,
  ejs: /<%-\s*([\w$]+)/g,
  lodash: /<%=\s*([\w$]+)/g,
  'lodash-es': /<%=\s*([\w$]+)/g,
  'lodash.template': /<%=\s*([\w$]+)/g,
  underscore: /<%=\s*([\w$]+)/g,
  pug: /!\{\s*([\w$]+)/g,
  nunjucks: /\{\{\s*([\w$]+)[^}]*\|\s*safe\b/g,
  eta: /<%~\s*(?:it\.)?([\w$]+)/g,
  dot: /\{\{=\s*(?:it\.)?([\w$]+)/g,
};

/** Functions that compile template text into a function, and those that render it at once with the data second. */
const COMPILERS = new Set(['compile', 'template', '']);
const RENDERERS = new Set(['render', 'renderString']);

/**
 * Returns the data that a template call writes into its HTML without
 * escaping: `Handlebars.compile('<div>{{{note}}}</div>')({ note })` gives
 * `note`, and `ejs.render(PAGE, { comment })` gives `comment` when PAGE has
 * `<%- comment %>`. Returns undefined for calls that do not render a template
 * of constant text, and an empty list when the template escapes everything.
 */
export function getUnescapedTemplateData(sem: FileSemantics, call: ts.CallExpression): ts.Expression[] | undefined {
  const rendered = getRenderedTemplate(sem, call);
  if (!rendered) return undefined;
  const pattern = RAW_OUTPUT[rendered.engine];
  if (!pattern) return undefined;
  const text = sem.evaluate(rendered.template);
  if (text.kind !== 'string') return undefined;
  const names = new Set([...text.value.matchAll(pattern)].map((match) => (match[1] ?? match[2])!));
  if (!rendered.data) return [];
  const data = sem.followSingleValue(rendered.data);
  if (!data || !ts.isObjectLiteralExpression(data)) return names.size > 0 ? [rendered.data] : [];
  const values: ts.Expression[] = [];
  for (const property of data.properties) {
    if (ts.isSpreadAssignment(property)) {
      if (names.size > 0) values.push(property.expression);
      continue;
    }
    const name = property.name && propertyNameText(property.name);
    const value = getPropertyValue(property);
    if (name && value && (names.has(name) || isSafeString(sem, value))) values.push(value);
  }
  return values;
}

/** Handlebars' `new SafeString(text)` marks text as HTML that `{{ }}` writes without escaping. */
function isSafeString(sem: FileSemantics, expression: ts.Expression): boolean {
  const value = sem.followSingleValue(expression);
  if (!value || !ts.isNewExpression(value)) return false;
  const callee = skipOuterExpressions(value.expression);
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  return name === 'SafeString';
}

/** Returns the engine, template text and data of a render call, or of a call of a compiled template. */
function getRenderedTemplate(
  sem: FileSemantics,
  call: ts.CallExpression,
): { engine: string; template: ts.Expression; data: ts.Expression | undefined } | undefined {
  const origin = sem.originOf(call.expression);
  if (origin.root.kind !== 'module') return undefined;
  const engine = packageName(origin.root.specifier);
  if (!RAW_OUTPUT[engine]) return undefined;
  const path = packagePath(origin).filter((step) => step !== NEW);
  const method = path[path.length - 1];
  if (method && RENDERERS.has(method) && call.arguments[0]) {
    return { engine, template: call.arguments[0], data: call.arguments[1] };
  }
  // A compiled template called with its data: find the compile call through the variable that contains it.
  if (path[path.length - 1] !== CALL || !COMPILERS.has(path.slice(0, -1).join('.'))) return undefined;
  const compiled = sem.followSingleValue(call.expression);
  const compile = compiled && skipOuterExpressions(compiled);
  if (!compile || !ts.isCallExpression(compile) || !compile.arguments[0]) return undefined;
  return { engine, template: compile.arguments[0], data: call.arguments[0] };
}
