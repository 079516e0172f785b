import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { CALL, NEW, packageName, packagePath } from '../../analysis/origin.js';
import { getDecoratorArguments, getDecoratorName, getDecorators, getEnclosingFunction, propertyNameText, skipOuterExpressions } from '../../analysis/syntax.js';
import { resolveObjectLiteral } from './object-literal.js';
import { isStringExpression } from './code-sinks.js';
import { getResponseBase, isServerResponse } from './response.js';
import { mayImport, perFile } from './file-imports.js';

/**
 * A place that writes HTML:
 * - `response`: the body of a server response that the browser renders as HTML;
 * - `dom`: a browser API that parses markup, such as `innerHTML`;
 * - `jquery`: a jQuery call that parses a string as markup, and takes selectors and elements too;
 * - `react`: React's `dangerouslySetInnerHTML`, or Angular's `bypassSecurityTrustHtml`.
 */
export interface HtmlSink {
  kind: 'response' | 'dom' | 'jquery' | 'react';
  /** The function or property, for messages: `res.send()`, `innerHTML`. */
  method: string;
  html: ts.Expression;
}

/** Markup: an opening or closing tag, a comment or a doctype. */
const MARKUP = /<(\/?[a-zA-Z][\w-]*(\s|>|\/|$)|!--|!doctype)/i;
const HTML_TYPE = /html|xhtml|^svg|image\/svg/i;
const CONTENT_TYPE = /^content-type$/i;

/** Methods that write a response body. */
const BODY_METHODS = new Set(['send', 'write', 'end']);
/** Methods that set the content type: `res.type('html')`, `res.contentType('text/html')`. */
const TYPE_METHODS = new Set(['type', 'contentType']);
const HEADER_METHODS = new Set(['set', 'header', 'setHeader', 'writeHead', 'headers']);

/** Browser methods and jQuery methods that parse their argument as markup. */
const DOM_METHODS = new Set(['insertAdjacentHTML', 'createContextualFragment', 'write', 'writeln']);
const JQUERY_METHODS = new Set(['html', 'append', 'prepend', 'after', 'before', 'replaceWith', 'wrap', 'wrapInner', 'wrapAll']);
const DOM_PROPERTIES = new Set(['innerHTML', 'outerHTML', 'srcdoc']);

/** NestJS route decorators: a string a handler returns is the response body. */
const NEST_ROUTES = new Set(['Get', 'Post', 'Put', 'Patch', 'Delete', 'All', 'Head', 'Options']);

/** Every method name of a call that {@link getHtmlCall} can recognise, so that other calls cost one lookup. */
const HTML_METHODS = new Set([...BODY_METHODS, 'html', 'body', ...DOM_METHODS, ...JQUERY_METHODS, 'bypassSecurityTrustHtml']);

/**
 * True when a call may write HTML by its name alone, as {@link getHtmlCall}
 * or {@link getJQueryConstructor} would recognise it: the name each gives
 * to a call is the one `calleeName` in walk-lists gives.
 */
export function mayWriteHtml(name: string | undefined): boolean {
  return name !== undefined && (HTML_METHODS.has(name) || name === '$' || name === 'jQuery');
}

/** Recognises a call that writes HTML. */
export function getHtmlCall(sem: FileSemantics, node: ts.CallExpression | ts.NewExpression): HtmlSink | undefined {
  const callee = skipOuterExpressions(node.expression);
  if (ts.isNewExpression(node)) {
    const name = ts.isIdentifier(callee) ? callee.text : undefined;
    if (name !== 'Response' && name !== 'NextResponse') return undefined;
    const args = getArguments(node);
    if (args[0] && args[1] && isHtmlInit(sem, args[1])) {
      return { kind: 'response', method: `new ${name}()`, html: args[0] };
    }
    return undefined;
  }
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.name.text;
  if (!HTML_METHODS.has(method)) return undefined;
  const args = getArguments(node);
  const first = args[0];
  if (!first) return undefined;

  if (BODY_METHODS.has(method) && isServerResponse(sem, callee.expression)) {
    if (!isHtmlResponse(sem, node, callee.expression, first)) return undefined;
    const base = getResponseBase(callee.expression);
    return { kind: 'response', method: `${ts.isIdentifier(base) ? base.text : 'res'}.${method}()`, html: first };
  }
  // Hono: `c.html(markup)`, and `c.body(markup, 200, { 'Content-Type': 'text/html' })`.
  if (method === 'html' && isHonoContext(sem, callee.expression)) return { kind: 'response', method: 'c.html()', html: first };
  if (method === 'body' && isHonoContext(sem, callee.expression) && args.slice(1).some((argument) => isHtmlHeaders(sem, argument))) {
    return { kind: 'response', method: 'c.body()', html: first };
  }

  if (method === 'insertAdjacentHTML' && args[1]) return { kind: 'dom', method: 'insertAdjacentHTML()', html: args[1] };
  if (DOM_METHODS.has(method) && method !== 'insertAdjacentHTML' && isDocumentOrRange(sem, callee.expression, method)) {
    return {
      kind: 'dom',
      method: method === 'createContextualFragment' ? `${method}()` : `document.${method}()`,
      html: first,
    };
  }
  if (JQUERY_METHODS.has(method) && isJQuery(sem, callee.expression))
    return { kind: 'jquery', method: `$().${method}()`, html: first };
  if (method === 'bypassSecurityTrustHtml') return { kind: 'react', method: 'bypassSecurityTrustHtml()', html: first };
  return undefined;
}

function getArguments(node: ts.CallExpression | ts.NewExpression): ts.Expression[] {
  return (node.arguments ?? []).filter((argument): argument is ts.Expression => !ts.isSpreadElement(argument));
}

/** `$(markup)` and `jQuery(markup)` parse a string that looks like markup. */
export function getJQueryConstructor(sem: FileSemantics, call: ts.CallExpression): HtmlSink | undefined {
  const callee = skipOuterExpressions(call.expression);
  const first = call.arguments[0];
  if (!first || !ts.isIdentifier(callee) || (callee.text !== '$' && callee.text !== 'jQuery')) return undefined;
  const declaration = sem.resolve(callee);
  if (declaration && declaration.kind !== 'import') return undefined;
  // A constant selector such as `$('#results')` is not markup, but a built string may be.
  if (sem.evaluate(first).kind === 'string') return undefined;
  return { kind: 'jquery', method: `${callee.text}()`, html: first };
}

/** True when an assignment may write HTML, as {@link getHtmlAssignment} reads it: to one of a few member names. */
export function mayAssignHtml(binary: ts.BinaryExpression): boolean {
  const left = skipOuterExpressions(binary.left);
  return ts.isPropertyAccessExpression(left) && (DOM_PROPERTIES.has(left.name.text) || left.name.text === 'body');
}

/** `element.innerHTML = markup`, `outerHTML` and `iframe.srcdoc`, and Koa's `ctx.body = html`. */
export function getHtmlAssignment(sem: FileSemantics, binary: ts.BinaryExpression): HtmlSink | undefined {
  const operator = binary.operatorToken.kind;
  if (operator !== ts.SyntaxKind.EqualsToken && operator !== ts.SyntaxKind.PlusEqualsToken) return undefined;
  const left = skipOuterExpressions(binary.left);
  if (!ts.isPropertyAccessExpression(left)) return undefined;
  const name = left.name.text;
  if (DOM_PROPERTIES.has(name)) return { kind: 'dom', method: name, html: binary.right };
  if (name === 'body' && isKoaContext(sem, left.expression) && isKoaHtmlBody(sem, binary)) {
    return { kind: 'response', method: 'ctx.body', html: binary.right };
  }
  return undefined;
}

/** `<div dangerouslySetInnerHTML={{ __html: markup }} />` */
export function getDangerousHtml(attribute: ts.JsxAttribute): HtmlSink | undefined {
  if (!ts.isIdentifier(attribute.name) || attribute.name.text !== 'dangerouslySetInnerHTML') return undefined;
  const initializer = attribute.initializer;
  if (!initializer || !ts.isJsxExpression(initializer) || !initializer.expression) return undefined;
  const object = skipOuterExpressions(initializer.expression);
  if (!ts.isObjectLiteralExpression(object)) return { kind: 'react', method: 'dangerouslySetInnerHTML', html: initializer.expression };
  for (const property of object.properties) {
    if (ts.isPropertyAssignment(property) && propertyNameText(property.name) === '__html') {
      return { kind: 'react', method: 'dangerouslySetInnerHTML', html: property.initializer };
    }
    if (ts.isShorthandPropertyAssignment(property) && property.name.text === '__html') {
      return { kind: 'react', method: 'dangerouslySetInnerHTML', html: property.name };
    }
  }
  return undefined;
}

/**
 * Finds the strings a NestJS route handler returns, which Nest sends as
 * `text/html` on Express unless the handler sets another type with `@Header()`.
 */
export function getNestHtmlReturns(sem: FileSemantics, method: ts.MethodDeclaration): HtmlSink[] {
  const decorators = getDecorators(method);
  if (!decorators.some((decorator) => NEST_ROUTES.has(getDecoratorName(decorator) ?? ''))) return [];
  const declaredType = decorators
    .filter((decorator) => getDecoratorName(decorator) === 'Header')
    .map((decorator) => getDecoratorArguments(decorator))
    .find((args) => args[0] && isContentTypeName(sem, args[0]))?.[1];
  const declared = declaredType ? classifyType(sem, declaredType) : undefined;
  if (declared === 'other' || !method.body) return [];
  const sinks: HtmlSink[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node)) return;
    if (ts.isReturnStatement(node) && node.expression) {
      const value = node.expression;
      if (declared === 'html' || hasMarkup(sem, value, 0) || isTextValue(sem, value, 0)) sinks.push({ kind: 'response', method: 'a NestJS handler', html: value });
    }
    ts.forEachChild(node, visit);
  };
  method.body.statements.forEach(visit);
  return sinks;
}

/**
 * Decides whether a response body is rendered as HTML: the handler set an HTML
 * type, or set none and the body contains markup. Express's `res.send()` also
 * sends a plain string as `text/html` when no type is set.
 */
function isHtmlResponse(sem: FileSemantics, call: ts.CallExpression, response: ts.Expression, body: ts.Expression): boolean {
  // An object or array goes out as JSON.
  const inner = skipOuterExpressions(body);
  if (ts.isArrayLiteralExpression(inner) || resolveObjectLiteral(sem, inner)) return false;
  const declared = getDeclaredType(sem, call, response);
  if (declared) return declared === 'html';
  if (hasMarkup(sem, body, 0)) return true;
  const method = (call.expression as ts.PropertyAccessExpression).name.text;
  return method === 'send' && isExpressResponse(sem, response) && isTextValue(sem, body, 0);
}

/** True unless the response is a Fastify reply or a Next.js API response, which send strings as `text/plain`. */
function isExpressResponse(sem: FileSemantics, response: ts.Expression): boolean {
  const base = getResponseBase(response);
  if (!ts.isIdentifier(base)) return false;
  if (/^(reply|rep)$/.test(base.text)) return false;
  const declaration = sem.resolve(base);
  const type = declaration?.kind === 'parameter' ? declaration.node.type?.getText() : undefined;
  return !type || !/FastifyReply|NextApiResponse|ServerResponse/.test(type);
}

/**
 * Classifies the content type the handler sets before writing the body, in
 * the call chain (`res.type('html').send(...)`) or by an earlier statement on
 * the same response in the same function, as `html`, `other` or unknown.
 */
function getDeclaredType(sem: FileSemantics, call: ts.CallExpression, response: ts.Expression): 'html' | 'other' | undefined {
  let current = skipOuterExpressions(response);
  while (ts.isCallExpression(current)) {
    const found = getTypeSetting(sem, current);
    if (found) return found;
    const callee = skipOuterExpressions(current.expression);
    if (!ts.isPropertyAccessExpression(callee)) break;
    current = skipOuterExpressions(callee.expression);
  }
  const base = getResponseBase(response);
  const fn = getEnclosingFunction(call);
  if (!fn?.body || !ts.isIdentifier(base)) return undefined;
  const declaration = sem.resolve(base);
  let found: 'html' | 'other' | undefined;
  const visit = (node: ts.Node): void => {
    if (node.pos >= call.pos) return;
    if (ts.isCallExpression(node)) {
      const root = getResponseBase(skipOuterExpressions(node.expression));
      const receiver = ts.isPropertyAccessExpression(root) ? getResponseBase(root.expression) : undefined;
      if (receiver && ts.isIdentifier(receiver) && sem.resolve(receiver) === declaration) found = getTypeSetting(sem, node) ?? found;
    }
    ts.forEachChild(node, visit);
  };
  visit(fn.body);
  return found;
}

/** Classifies the content type one call sets: `type(x)`, `set('Content-Type', x)`, `writeHead(200, { 'Content-Type': x })`, `attachment(name)`. */
function getTypeSetting(sem: FileSemantics, call: ts.CallExpression): 'html' | 'other' | undefined {
  const callee = skipOuterExpressions(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.name.text;
  // Express's `res.attachment('export.csv')` makes the browser save the body as a file, not render it.
  if (method === 'attachment') return 'other';
  const [first, second] = call.arguments;
  if (!first) return undefined;
  if (TYPE_METHODS.has(method)) return classifyType(sem, first);
  if (!HEADER_METHODS.has(method)) return undefined;
  if (second && isContentTypeName(sem, first)) return classifyType(sem, second);
  for (const argument of call.arguments) {
    const type = getHeadersType(sem, argument);
    if (type) return type;
  }
  return undefined;
}

function getHeadersType(sem: FileSemantics, headers: ts.Expression): 'html' | 'other' | undefined {
  const object = resolveObjectLiteral(sem, headers);
  if (!object) return undefined;
  for (const property of object.properties) {
    const name = property.name && propertyNameText(property.name);
    if (name && CONTENT_TYPE.test(name) && ts.isPropertyAssignment(property)) return classifyType(sem, property.initializer);
  }
  return undefined;
}

function isContentTypeName(sem: FileSemantics, expression: ts.Expression): boolean {
  const value = sem.evaluate(expression);
  return value.kind === 'string' && CONTENT_TYPE.test(value.value);
}

function classifyType(sem: FileSemantics, expression: ts.Expression): 'html' | 'other' | undefined {
  const value = sem.evaluate(expression);
  if (value.kind !== 'string') return undefined;
  return HTML_TYPE.test(value.value) ? 'html' : 'other';
}

/** True for `{ headers: { 'Content-Type': 'text/html' } }`, the init of a Fetch API `Response`. */
function isHtmlInit(sem: FileSemantics, init: ts.Expression): boolean {
  const object = resolveObjectLiteral(sem, init);
  const headers = object?.properties.find((property) => property.name && propertyNameText(property.name) === 'headers');
  return headers !== undefined && ts.isPropertyAssignment(headers) && isHtmlHeaders(sem, headers.initializer);
}

function isHtmlHeaders(sem: FileSemantics, headers: ts.Expression): boolean {
  return getHeadersType(sem, headers) === 'html';
}

/** Koa renders a string body as HTML when it starts with `<`, or when `ctx.type` names HTML. */
function isKoaHtmlBody(sem: FileSemantics, assignment: ts.BinaryExpression): boolean {
  if (hasMarkup(sem, assignment.right, 0)) return true;
  const fn = getEnclosingFunction(assignment);
  if (!fn?.body) return false;
  let html = false;
  const visit = (node: ts.Node): void => {
    if (node.pos >= assignment.pos) return;
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = skipOuterExpressions(node.left);
      if (ts.isPropertyAccessExpression(left) && left.name.text === 'type') html = classifyType(sem, node.right) === 'html';
    }
    ts.forEachChild(node, visit);
  };
  visit(fn.body);
  return html;
}

function isKoaContext(sem: FileSemantics, expression: ts.Expression): boolean {
  const inner = skipOuterExpressions(expression);
  if (ts.isIdentifier(inner)) return sem.getRoleOfIdentifier(inner) === 'koa-context' || inner.text === 'ctx';
  return ts.isPropertyAccessExpression(inner) && inner.name.text === 'response' && isKoaContext(sem, inner.expression);
}

function isHonoContext(sem: FileSemantics, expression: ts.Expression): boolean {
  const inner = skipOuterExpressions(expression);
  return ts.isIdentifier(inner) && (sem.getRoleOfIdentifier(inner) === 'hono-context' || inner.text === 'c');
}

/** True for the receiver of `document.write()`, and for `range.createContextualFragment()`. */
function isDocumentOrRange(sem: FileSemantics, receiver: ts.Expression, method: string): boolean {
  if (method === 'createContextualFragment') return true;
  const inner = skipOuterExpressions(receiver);
  if (ts.isIdentifier(inner)) return inner.text === 'document' && !sem.resolve(inner);
  return ts.isPropertyAccessExpression(inner) && inner.name.text === 'document';
}

/** Checks for a jQuery object: a chain that starts with a `$(...)` or `jQuery(...)` call. */
function isJQuery(sem: FileSemantics, receiver: ts.Expression): boolean {
  let current = skipOuterExpressions(receiver);
  for (let hops = 0; hops < 10; hops++) {
    if (ts.isCallExpression(current)) {
      const callee = skipOuterExpressions(current.expression);
      if (ts.isIdentifier(callee)) return callee.text === '$' || callee.text === 'jQuery';
      if (!ts.isPropertyAccessExpression(callee)) return false;
      current = skipOuterExpressions(callee.expression);
      continue;
    }
    if (ts.isIdentifier(current)) {
      const declaration = sem.resolve(current);
      const initializer = declaration?.kind === 'variable' ? sem.getSingleValue(declaration) : undefined;
      if (!initializer) return /^\$/.test(current.text);
      current = skipOuterExpressions(initializer);
      continue;
    }
    return false;
  }
  return false;
}

/** True when the text of an expression, through the names it reads, contains markup or rendered Markdown. */
export function hasMarkup(sem: FileSemantics, expression: ts.Node, depth: number): boolean {
  if (depth > 3) return false;
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      if (MARKUP.test(node.text)) found = true;
      return;
    }
    if (ts.isCallExpression(node) && isMarkdownRenderer(sem, node)) {
      found = true;
      return;
    }
    if (ts.isIdentifier(node) && !(ts.isPropertyAccessExpression(node.parent) && node.parent.name === node)) {
      const declaration = sem.resolve(node);
      if (declaration?.kind === 'variable') {
        found = sem.getAssignedValues(declaration).some((value) => hasMarkup(sem, value, depth + 1));
      }
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(expression);
  return found;
}

/**
 * True when a value is a string rather than an object that would be sent as
 * JSON: text built by a template or concatenation, or one field of the
 * request such as `req.query.name` (a whole `req.body` is an object).
 */
function isTextValue(sem: FileSemantics, expression: ts.Expression, depth: number): boolean {
  if (isStringExpression(sem, expression, 0)) return true;
  const inner = skipOuterExpressions(expression);
  if (ts.isIdentifier(inner) && depth < 3) {
    const declaration = sem.resolve(inner);
    if (declaration?.kind === 'variable' && declaration.pattern.length === 0) {
      return sem.getAssignedValues(declaration).some((value) => isTextValue(sem, value, depth + 1));
    }
  }
  if (!ts.isPropertyAccessExpression(inner) && !ts.isElementAccessExpression(inner) && !ts.isIdentifier(inner)) return false;
  return sem.flowOf(inner).some(
    (leaf) => leaf.kind === 'source' && leaf.source === 'request' && !/(^|\.)(body|query|params|headers|cookies|signedCookies|files?)$|^@(Body|Query|Param|Headers)\(\)$/.test(leaf.label),
  );
}

/** Markdown renderers, which keep raw HTML in their input: `marked.parse()`, markdown-it's `render()`. */
const MARKDOWN_PACKAGES = new Set([
  'marked',
  'markdown-it',
  'showdown',
  'snarkdown',
  'micromark',
  'remarkable',
  'commonmark',
  'markdown',
]);
const MARKDOWN_FUNCTIONS = new Set([
  '',
  'marked',
  'parse',
  'parseInline',
  'render',
  'renderInline',
  'makeHtml',
  'micromark',
  'toHTML',
]);

const mayImportMarkdown = perFile((sourceFile) => mayImport(sourceFile, MARKDOWN_PACKAGES));

/** True for a call that renders Markdown to HTML, so its output keeps its input's markup. */
export function isMarkdownRenderer(sem: FileSemantics, call: ts.CallExpression): boolean {
  if (!mayImportMarkdown(sem.sourceFile)) return false;
  const origin = sem.originOf(call.expression);
  if (origin.root.kind !== 'module' || !MARKDOWN_PACKAGES.has(packageName(origin.root.specifier))) return false;
  const path = packagePath(origin).filter((step) => step !== CALL && step !== NEW);
  return MARKDOWN_FUNCTIONS.has(path[path.length - 1] ?? '');
}
