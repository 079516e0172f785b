import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import type { Declaration, PatternStep } from '../../analysis/scope.js';
import { CALL, NEW, packageName, packagePath, type Origin } from '../../analysis/origin.js';
import { getRequestAccess } from '../../analysis/request.js';
import { getSanitizerKind, REDACTING_NAME } from '../../analysis/sanitizers.js';
import { splitWords, type SensitiveKind } from '../../analysis/sensitive.js';
import { isConstant, isProcessEnv as isProcessEnvObject } from '../../analysis/values.js';
import {
  getCalleeName,
  getDecoratorArguments,
  getDecoratorName,
  getDecorators,
  getMemberName,
  getReturnedExpressions,
  isFunctionNode,
  propertyNameText,
  skipOuterExpressions,
} from '../../analysis/syntax.js';
import type { DeclaredExport } from '../../config/schema.js';
import type { ImportRef } from '../../engine/facts.js';
import { shorten } from './taint.js';
import { excludeKeys, isBooleanType, isLiteralUnionType, TypeIndex, type TypeRef, type TypeTarget } from './sensitive-types.js';
import {
  FORMATTING_WORDS,
  GETTER_VERBS,
  isDerivingName,
  isMaskingReplacement,
  isShortWindow,
  isTransformingName,
  LODASH_COPIES,
  MASKING_CALL,
  PASS_THROUGH_FUNCTIONS,
  PASS_THROUGH_METHODS,
  PASS_THROUGH_PACKAGES,
  sameSteps,
  type PassMode,
} from './logged-calls.js';
import { classifyLoggedName, getRuleOfKind, isPatientRecordName, type LoggedRule } from './logged-names.js';
import { getRequestPart, isProcessEnv, isRequestObject, looksLikeRequest } from './logged-requests.js';
import { ValueTypes, type Binding } from './value-types.js';

export { classifyLoggedName, getRuleOfKind, type LoggedRule } from './logged-names.js';

/**
 * Why a logged value is sensitive:
 * - `name`: its name or key names the kind of data (`newPassword`, `req.headers.authorization`, `ssn`);
 * - `body`: a whole request body, which contains the password on a login or sign-up route;
 * - `headers`: every request header, Authorization and Cookie included;
 * - `request`: a whole request object, headers included;
 * - `typed`: a whole object whose type declares sensitive fields;
 * - `record`: a whole object of unknown type whose name says it is a patient's record.
 */
export type ItemReason = 'name' | 'body' | 'headers' | 'request' | 'typed' | 'record';

/** The position of a value in the logged arguments: the argument index and the keys down to it, as a redaction path. */
export interface Place {
  argIndex: number;
  path: string[];
}

/** One sensitive value inside the arguments of a log call. */
export interface LoggedItem {
  reason: ItemReason;
  /** Undefined while the item waits for a type of another module, which decides. */
  rule: LoggedRule | undefined;
  kind?: SensitiveKind;
  /** Text that names the logged value in messages: `newPassword`, `req.body`, `auth (req.headers.authorization)`. */
  label: string;
  /** The first sensitive field of a typed object, such as `ssn`. */
  field?: string;
  /** The parts a redaction must cover: the value itself, unknown keys, or the listed fields. */
  contents: 'leaf' | 'unknown' | string[];
  node: ts.Node;
  /** The origin of the data when it is elsewhere: a variable's value, a caller's argument, a type's field. */
  source?: { node: ts.Node; message: string };
  /** Undefined once the value is formatted into text, which no redaction reaches. */
  place: Place | undefined;
  /** Functions of other project modules the value passed through; any of them may mask it. */
  via: ImportRef[];
  /** Types of other modules that decide whether the item is sensitive; `body` when a request body stays sensitive if none is found. */
  pending?: { refs: TypeRef[]; body: boolean };
  /** A whole object turned into text by a serializer (`JSON.stringify`, `util.inspect`), so its fields reach the log even inside a string. */
  serialized?: boolean;
}

interface State {
  depth: number;
  place: Place | undefined;
  via: ImportRef[];
  /** Parameters of functions being followed from a call, bound to the call's arguments. */
  bindings: ReadonlyMap<ts.ParameterDeclaration, Binding>;
  /** Declarations being followed, against cycles. */
  following: ReadonlySet<ts.Node>;
  /** How many local callers were followed to reach this point. */
  callerHops: number;
}

interface Result {
  items: LoggedItem[];
  /** True when the value is constant, a number or boolean, or masked: safe to log whatever its name. */
  safe: boolean;
}

export interface ClassifierOptions {
  /** Extra field names from the configuration, counted as health data. */
  sensitiveFields: readonly string[];
  /** Functions the configuration declares as masking their argument. */
  redactors: readonly DeclaredExport[];
}

const SAFE: Result = { items: [], safe: true };
const OPAQUE: Result = { items: [], safe: false };
const MAX_DEPTH = 24;
const MAX_FOLLOWED_CALLS = 3;
const MAX_CALLER_HOPS = 2;

/**
 * Finds the sensitive values in the arguments of a log call: names that the
 * classifier marks, request bodies and headers, and objects whose type
 * declares sensitive fields. Values are followed through variables, string
 * building, object literals, functions of the same file and their callers.
 * Constants, flags, counts and masked values are not sensitive.
 */
export class LoggedValueClassifier {
  readonly types: TypeIndex;
  private readonly valueTypes: ValueTypes;

  constructor(
    private readonly sem: FileSemantics,
    private readonly options: ClassifierOptions,
  ) {
    this.types = new TypeIndex(sem, (name) => classifyLoggedName(name, options.sensitiveFields));
    this.valueTypes = new ValueTypes(sem, this.types);
  }

  /** Returns the sensitive values a function returns, such as the function of a morgan token. */
  classifyReturnedValues(fn: ts.FunctionLikeDeclaration): LoggedItem[] {
    const state: State = {
      depth: 0,
      place: undefined,
      via: [],
      bindings: new Map(),
      following: new Set([fn]),
      callerHops: MAX_CALLER_HOPS,
    };
    return merge(getReturnedExpressions(fn).map((expression) => this.classify(expression, state))).items;
  }

  /** Returns an item for a request header that a log format writes, such as morgan's `:req[authorization]`. */
  classifyHeaderName(header: string, node: ts.Node): LoggedItem | undefined {
    const kind = classifyLoggedName(header, this.options.sensitiveFields);
    if (!kind) return undefined;
    return {
      reason: 'name',
      rule: getRuleOfKind(kind),
      kind,
      label: `the ${header} header`,
      contents: 'leaf',
      node,
      place: undefined,
      via: [],
    };
  }

  /** Returns the sensitive values in one argument of a log call. */
  classifyArgument(expression: ts.Expression, argIndex: number): LoggedItem[] {
    const state: State = {
      depth: 0,
      place: { argIndex, path: [] },
      via: [],
      bindings: new Map(),
      following: new Set(),
      callerHops: 0,
    };
    const node = ts.isSpreadElement(expression) ? expression.expression : expression;
    return this.classify(node, state).items;
  }

  private classify(node: ts.Expression, state: State): Result {
    if (state.depth > MAX_DEPTH) return OPAQUE;
    const expression = skipOuterExpressions(node);
    if (isSafeSyntax(expression)) return SAFE;
    if (isConstant(this.sem.evaluate(expression))) return SAFE;
    const next = { ...state, depth: state.depth + 1 };

    switch (expression.kind) {
      case ts.SyntaxKind.TemplateExpression: {
        const text = inText(next);
        return coerce(
          merge(
            (expression as ts.TemplateExpression).templateSpans.map((span) => this.classify(span.expression, text)),
          ),
        );
      }
      case ts.SyntaxKind.BinaryExpression:
        return this.classifyBinary(expression as ts.BinaryExpression, next);
      case ts.SyntaxKind.ConditionalExpression: {
        const conditional = expression as ts.ConditionalExpression;
        return merge([this.classify(conditional.whenTrue, next), this.classify(conditional.whenFalse, next)]);
      }
      case ts.SyntaxKind.Identifier:
        return this.classifyIdentifier(expression as ts.Identifier, next);
      case ts.SyntaxKind.PropertyAccessExpression:
      case ts.SyntaxKind.ElementAccessExpression:
        return this.classifyMember(expression as ts.PropertyAccessExpression | ts.ElementAccessExpression, next);
      case ts.SyntaxKind.CallExpression:
        return this.classifyCall(expression as ts.CallExpression, next);
      case ts.SyntaxKind.NewExpression:
        return this.classifyNew(expression as ts.NewExpression, next);
      case ts.SyntaxKind.ObjectLiteralExpression:
        return this.classifyObject(expression as ts.ObjectLiteralExpression, next);
      case ts.SyntaxKind.ArrayLiteralExpression: {
        const array = expression as ts.ArrayLiteralExpression;
        const inArray = at(next, '*');
        return merge(array.elements.map((element) => this.classify(ts.isSpreadElement(element) ? element.expression : element, inArray)));
      }
      default:
        return OPAQUE;
    }
  }

  private classifyBinary(binary: ts.BinaryExpression, state: State): Result {
    switch (binary.operatorToken.kind) {
      case ts.SyntaxKind.PlusToken:
      case ts.SyntaxKind.PlusEqualsToken: {
        const text = inText(state);
        return coerce(merge([this.classify(binary.left, text), this.classify(binary.right, text)]));
      }
      case ts.SyntaxKind.BarBarToken:
      case ts.SyntaxKind.QuestionQuestionToken:
        return merge([this.classify(binary.left, state), this.classify(binary.right, state)]);
      case ts.SyntaxKind.AmpersandAmpersandToken:
      case ts.SyntaxKind.CommaToken:
      case ts.SyntaxKind.EqualsToken:
        return this.classify(binary.right, state);
      default:
        return SAFE;
    }
  }

  private classifyIdentifier(identifier: ts.Identifier, state: State): Result {
    if (identifier.text === 'undefined') return SAFE;
    const declaration = this.sem.resolve(identifier);
    if (!declaration) return this.fromName(identifier.text, identifier, state) ?? OPAQUE;
    switch (declaration.kind) {
      case 'function':
      case 'class':
      case 'enum':
      case 'type':
        return SAFE;
      case 'catch':
        return OPAQUE;
      case 'import':
        // `MEDICATION_RESOURCE_CODE` names a constant by convention: its name says what it is about, not what it holds.
        if (CONSTANT_NAME.test(identifier.text)) return OPAQUE;
        return this.fromName(identifier.text, identifier, state) ?? OPAQUE;
      case 'parameter':
        return this.classifyParameter(identifier, declaration, state);
      case 'variable':
        return this.classifyVariable(identifier, declaration, state);
    }
  }

  private classifyParameter(identifier: ts.Identifier, declaration: Extract<Declaration, { kind: 'parameter' }>, state: State): Result {
    const binding = state.bindings.get(declaration.node);
    if (binding) {
      if (!binding.argument) return SAFE;
      const named = declaration.pattern.length > 0 ? this.fromPattern(identifier, declaration.pattern, state) : undefined;
      if (named) return named;
      if (declaration.pattern.length > 0) return OPAQUE;
      return this.classify(binding.argument, { ...state, bindings: binding.bindings });
    }
    if (isBooleanType(declaration.node.type)) return SAFE;
    const declared = this.fromDeclaredType(declaration.node.type, declaration.pattern, identifier, state);
    if (declared) return declared;

    const named = this.fromName(identifier.text, identifier, state);
    // `cookieConsent: 'all' | 'necessary'` contains one of its type's constants, never a credential.
    if (named && isLiteralUnionType(declaration.node.type) && named.items.every((item) => item.rule === 'secret')) return SAFE;
    if (named) return named;
    if (declaration.pattern.length > 0) return this.fromPattern(identifier, declaration.pattern, state) ?? OPAQUE;

    const role = this.sem.getRoleOfParameter(declaration.node);
    if (role) {
      const fromRole = this.classifyRequestParameter(identifier, declaration.node, role, state);
      if (fromRole) return fromRole;
    }
    const typed = this.fromType(
      this.valueTypes.typeOfExpression(identifier, state),
      identifier,
      identifier.text,
      state,
    );
    if (typed) return typed.result;
    const fromCallers = this.fromCallers(identifier, declaration, state);
    // `function notify(patient) { log.info(patient) }`, with no type and no caller in this file to say what it holds.
    if (fromCallers.items.length === 0 && !fromCallers.safe && !declaration.node.type && isPatientRecordName(identifier.text)) {
      return this.item('record', identifier, identifier.text, state, 'unknown', 'health');
    }
    return fromCallers;
  }

  /** A handler parameter: a whole request, or a NestJS `@Body()`, `@Headers()` or `@Cookies()` parameter. */
  private classifyRequestParameter(
    identifier: ts.Identifier,
    parameter: ts.ParameterDeclaration,
    role: string,
    state: State,
  ): Result | undefined {
    if (role === 'request' || role === 'koa-context') {
      return looksLikeRequest(parameter)
        ? this.item('request', identifier, identifier.text, state, 'unknown')
        : undefined;
    }
    if (role !== 'data') return undefined;
    for (const decorator of getDecorators(parameter)) {
      const name = getDecoratorName(decorator);
      const key = getDecoratorArguments(decorator)[0];
      const keyText = key && ts.isStringLiteralLike(key) ? key.text : undefined;
      if (name === 'Headers' || name === 'Cookies') {
        if (keyText !== undefined) return this.fromName(keyText, identifier, state, identifier.text) ?? OPAQUE;
        if (name === 'Cookies') return this.item('name', identifier, identifier.text, state, 'unknown', 'token');
        return this.item('headers', identifier, identifier.text, state, 'unknown');
      }
      if (name !== 'Body') continue;
      if (keyText !== undefined) return this.fromName(keyText, identifier, state, identifier.text) ?? OPAQUE;
      const typed = this.fromType(this.types.targetsOfTypeNode(parameter.type), identifier, identifier.text, state, true);
      if (typed) return typed.result;
      return this.item('body', identifier, identifier.text, state, 'unknown');
    }
    return undefined;
  }

  /** Classifies a parameter that is not sensitive by itself by what the callers in this file pass to it. */
  private fromCallers(identifier: ts.Identifier, declaration: Extract<Declaration, { kind: 'parameter' }>, state: State): Result {
    const fn = declaration.fn;
    if (state.callerHops >= MAX_CALLER_HOPS || !isFunctionNode(fn)) return OPAQUE;
    const results: Result[] = [];
    for (const call of this.sem.getLocalCallers(fn)) {
      const argument = call.arguments[declaration.index];
      if (!argument || ts.isSpreadElement(argument)) continue;
      const result = this.classify(argument, {
        ...state,
        bindings: new Map(),
        callerHops: state.callerHops + 1,
      });
      const line = this.sem.sourceFile.getLineAndCharacterOfPosition(argument.getStart()).line + 1;
      results.push({
        safe: result.safe,
        items: result.items.map((item) => ({
          ...item,
          label: item.label === identifier.text ? item.label : `${item.label} (passed in as ${identifier.text})`,
          node: identifier,
          source: { node: argument, message: `${item.label} is passed to ${identifier.text} at line ${line}.` },
        })),
      });
    }
    return results.length > 0 ? { items: merge(results).items, safe: false } : OPAQUE;
  }

  private classifyVariable(identifier: ts.Identifier, declaration: Extract<Declaration, { kind: 'variable' }>, state: State): Result {
    if (state.following.has(declaration.node) || isBooleanType(declaration.node.type)) return OPAQUE;
    const following = new Set(state.following).add(declaration.node);
    const inner: State = { ...state, following };

    const single = this.sem.getSingleValue(declaration);
    let initial: Result | undefined;
    if (single && declaration.pattern.length === 0) {
      // Random digits named as a code are a one-time code, whatever the number conversion: `const code = randomInt(1e5, 1e6)`.
      if (ONE_TIME_CODE_NAME.test(identifier.text) && RANDOM_DIGITS.test(single.getText())) return this.item('name', identifier, identifier.text, state, 'leaf', 'token');
      initial = this.classify(single, inner);
      // A value masked where it is made stays masked: `const token = maskToken(raw)`.
      if (initial.safe) return SAFE;
    }

    const declared = this.fromDeclaredType(declaration.node.type, declaration.pattern, identifier, state);
    if (declared) return declared;
    const named = this.fromName(identifier.text, identifier, state);
    if (named) return named;
    if (declaration.pattern.length > 0) return this.fromPattern(identifier, declaration.pattern, inner) ?? OPAQUE;

    const annotated = this.fromType(this.types.targetsOfTypeNode(declaration.node.type), identifier, identifier.text, state);
    if (annotated) return annotated.result;

    const values = initial ? [single!] : this.sem.getAssignedValues(declaration);
    const results = initial ? [initial] : values.map((value) => this.classify(value, inner));
    const merged = merge(results);
    const removed = findRemovedKeys(this.sem, declaration, identifier);
    const items = merged.items.flatMap((item) => this.withoutOverwritten(item, removed, state.place?.path.length ?? 0));
    // `const patient = await Patient.findById(id)`: a record read whole, with no type to list its fields.
    if (merged.items.length === 0 && !merged.safe && !declaration.node.type && values.length > 0 && values.every(isFetchedValue) && isPatientRecordName(identifier.text)) {
      return this.item('record', identifier, identifier.text, state, 'unknown', 'health');
    }
    return {
      safe: merged.safe || (merged.items.length > 0 && items.length === 0),
      items: items.map((item) => relabel(item, identifier, values[0])),
    };
  }

  /** Classifies a destructured name: `const { password: pw } = req.body`, `const { body } = req`, `const { ssn, ...rest } = patient`. */
  private fromPattern(identifier: ts.Identifier, pattern: readonly PatternStep[], state: State): Result | undefined {
    const last = pattern[pattern.length - 1];
    if (!last) return undefined;
    if ('property' in last) {
      const named = this.fromName(last.property, identifier, state, identifier.text);
      if (named) return named;
    }
    // The pattern is found from the name the declaration binds; `identifier` may be a later use of it.
    const declared = this.sem.resolve(identifier);
    const binding = declared && (declared.kind === 'variable' || declared.kind === 'parameter') ? declared.name : identifier;
    const base = this.getPatternBase(binding, pattern.length);
    if (!base) return undefined;
    if ('rest' in last) return this.classifyRest(identifier, binding, base, state);
    if (!('property' in last)) {
      // `const [, token] = header.split(' ')`: an element carries the data of the whole.
      const whole = this.classify(base, state);
      return { safe: whole.safe, items: whole.items.map((item) => relabel(item, identifier, base)) };
    }

    if (pattern.length === 1 && isRequestObject(this.sem, base)) {
      if (last.property === 'body') return this.item('body', identifier, identifier.text, state, 'unknown');
      if (last.property === 'headers') return this.item('headers', identifier, identifier.text, state, 'unknown');
    }
    const targets = this.types.fieldTargets(this.valueTypes.typeOfExpression(base, state), last.property);
    return this.fromType(targets, identifier, identifier.text, state)?.result;
  }

  /** Returns the value a destructuring pattern reads from, when the pattern is one level deep. */
  private getPatternBase(identifier: ts.Identifier, depth: number): ts.Expression | undefined {
    if (depth !== 1) return undefined;
    const element = identifier.parent;
    if (!ts.isBindingElement(element)) return undefined;
    const holder = element.parent.parent;
    if (ts.isVariableDeclaration(holder)) return holder.initializer;
    return undefined;
  }

  /**
   * Classifies the rest of a destructuring, `const { password, ...rest } = req.body`,
   * as its base less the keys taken out before it.
   */
  private classifyRest(identifier: ts.Identifier, binding: ts.Identifier, base: ts.Expression, state: State): Result {
    const pattern = binding.parent.parent;
    if (!ts.isObjectBindingPattern(pattern)) return OPAQUE;
    const removed = pattern.elements
      .filter((element) => !element.dotDotDotToken)
      .map((element) => {
        const key = element.propertyName ?? element.name;
        return ts.isIdentifier(key) || ts.isStringLiteral(key) ? key.text : '';
      })
      .filter(Boolean);

    const targets = this.valueTypes.typeOfExpression(base, state);
    if (targets.length > 0) {
      return this.fromType(excludeKeys(targets, removed), identifier, identifier.text, state)?.result ?? OPAQUE;
    }
    const whole = this.classify(base, state);
    const depth = state.place?.path.length ?? 0;
    const items = whole.items.flatMap((item) => this.withoutOverwritten(item, new Set(removed), depth));
    return {
      safe: whole.safe || (whole.items.length > 0 && items.length === 0),
      items: items.map((item) => relabel(item, identifier, base)),
    };
  }

  private classifyMember(member: ts.PropertyAccessExpression | ts.ElementAccessExpression, state: State): Result {
    const name = getMemberName(member);
    if (name === undefined) return OPAQUE;
    if (name === 'length' || name === 'size') return SAFE;
    const label = shorten(member.getText());
    // `header.split(' ')[1]`: an element carries the data of the whole.
    if (/^\d+$/.test(name)) return this.classify(member.expression, state);

    const part = getRequestPart(this.sem, member, name);
    if (part) return this.item(part, member, label, state, 'unknown');
    if (isClientErrorConfig(this.sem, member, name)) return this.item('headers', member, label, state, 'unknown');
    if (isProcessEnv(member)) return this.item('name', member, label, state, 'unknown', 'credential');
    // `process.env.DATABASE_URL` contains the user name and password of the database.
    if (isConnectionUrlVariable(this.sem, member, name)) return this.item('name', member, label, state, 'leaf', 'credential');

    const named = this.fromName(name, member, state, label);
    if (named) return named;

    const base = skipOuterExpressions(member.expression);
    const targets = this.types.fieldTargets(this.valueTypes.typeOfExpression(base, state), name);
    return this.fromType(targets, member, label, state)?.result ?? OPAQUE;
  }

  private classifyCall(call: ts.CallExpression, state: State): Result {
    const callee = skipOuterExpressions(call.expression);
    const name = getCalleeName(call);
    const origin = this.sem.originOf(callee);

    if (this.isMaskingCall(call, callee, name, origin)) return SAFE;
    const requestRead = this.classifyRequestCall(call, callee, name, state);
    if (requestRead) return requestRead;
    if (name && isDerivingName(name)) return SAFE;

    const local = this.sem.getLocalFunction(origin);
    if (local) {
      // The body was read, so the function's name matters only when it names a getter's result.
      const returned = this.classifyLocalCall(local, call, state);
      if (returned.items.length > 0 || returned.safe) return returned;
      return (name ? this.fromGetterName(name, call, state) : undefined) ?? returned;
    }

    const typed = this.fromType(this.valueTypes.typeOfExpression(call, state), call, shorten(call.getText()), state);
    if (typed) return typed.result;

    const getter = name ? this.fromGetterName(name, call, state) : undefined;
    if (getter) return getter;

    const passed = this.classifyPassThrough(call, callee, name, origin, state);
    if (passed) return passed;

    if (origin.root.kind === 'module' && this.sem.isProjectModule(origin) && name && isTransformingName(name)) {
      // A helper of another module such as `toLogSafe(body)`: its result carries the arguments unless the helper masks them, which the project step checks.
      const ref: ImportRef = { specifier: origin.root.specifier, path: origin.path.filter((step) => step !== CALL && step !== NEW) };
      const viaState = { ...inText(state), via: [...state.via, ref] };
      return serialize(merge(call.arguments.map((argument) => this.classify(argument, viaState))));
    }
    return OPAQUE;
  }

  private isMaskingCall(call: ts.CallExpression, callee: ts.Expression, name: string | undefined, origin: Origin): boolean {
    const sanitizer = getSanitizerKind(origin) ?? this.sem.getDeclaredSanitizer(origin);
    if (sanitizer === 'redacted' || sanitizer === 'number') return true;
    if (this.isDeclaredRedactor(origin)) return true;
    if (name && (REDACTING_NAME.test(name) || MASKING_CALL.test(name))) return true;
    if (!name || !ts.isPropertyAccessExpression(callee)) return false;
    if (name === 'slice' || name === 'substring' || name === 'substr') return isShortWindow(call);
    if (name === 'replace' || name === 'replaceAll') return isMaskingReplacement(call.arguments[1]);
    return false;
  }

  /** True when an origin names a package function that the configuration lists under `wrappers.redactors`. */
  private isDeclaredRedactor(origin: Origin): boolean {
    if (origin.root.kind !== 'module' || this.options.redactors.length === 0) return false;
    const specifier = origin.root.specifier;
    const path = packagePath(origin).filter((step) => step !== CALL && step !== NEW);
    const name = path.join('.') || 'default';
    return this.options.redactors.some(
      (declared) => declared.export === name && (declared.module === specifier || declared.module === packageName(specifier)),
    );
  }

  /**
   * Classifies keyed reads and whole-request reads: `req.get('authorization')`,
   * `config.get('jwt.secret')`, `_.get(body, 'user.password')`,
   * `c.req.header()` and `await request.json()`.
   */
  private classifyRequestCall(call: ts.CallExpression, callee: ts.Expression, name: string | undefined, state: State): Result | undefined {
    const label = shorten(call.getText());
    const [first, second] = call.arguments;
    // lodash's `get(object, path)` takes the key second.
    const key = first && !ts.isStringLiteralLike(first) && second ? second : first;
    const keyText = key && ts.isStringLiteralLike(key) ? key.text : undefined;
    if (name === 'get' || name === 'header' || name === 'getHeader' || name === 'cookie' || name === 'param') {
      if (keyText !== undefined) {
        // A dotted path such as `'user.password'` names the value by its last key.
        const lastKey = keyText.split('.').pop() ?? keyText;
        return this.fromName(lastKey, call, state, label) ?? undefined;
      }
    }
    const access = ts.isPropertyAccessExpression(callee) ? getRequestAccess(this.sem, call) : undefined;
    if (!access?.controlled) return undefined;
    if (name === 'json' || name === 'formData' || name === 'parseBody' || name === 'text') return this.item('body', call, label, state, 'unknown');
    if (name === 'header' && call.arguments.length === 0) return this.item('headers', call, label, state, 'unknown');
    return undefined;
  }

  /** Follows a call of a function of this file into what it returns, with its parameters bound to the arguments. */
  private classifyLocalCall(fn: ts.FunctionLikeDeclaration, call: ts.CallExpression, state: State): Result {
    const followed = [...state.following].filter((node) => isFunctionNode(node)).length;
    if (state.following.has(fn) || followed >= MAX_FOLLOWED_CALLS) return OPAQUE;
    const bindings = new Map(state.bindings);
    fn.parameters.forEach((parameter, index) => {
      bindings.set(parameter, { argument: call.arguments[index], bindings: state.bindings });
    });
    const inner: State = { ...state, bindings, following: new Set(state.following).add(fn) };
    const returned = getReturnedExpressions(fn).map((expression) => this.classify(expression, inner));
    const merged = merge(returned);
    if (merged.items.length > 0 || merged.safe) return merged;
    const typed = this.fromType(this.types.targetsOfTypeNode(fn.type), call, shorten(call.getText()), state);
    return typed?.result ?? merged;
  }

  /**
   * Classifies `getAccessToken()`, `user.getPassword()` or `decryptSsn(record)`
   * by the data its name names. A lookup by a configuration key, such as
   * `getSecret(SecretsKeys.WEBSITE_URL)`, is classified by the key instead,
   * because secret stores also keep addresses and ids.
   */
  private fromGetterName(name: string, call: ts.CallExpression, state: State): Result | undefined {
    const words = splitWords(name);
    if (words.length < 2 || !GETTER_VERBS.has(words[0]!)) return undefined;
    const key = getConfigKeyName(call.arguments[0]);
    const kind = classifyLoggedName(key ?? words.slice(1).join(' '), this.options.sensitiveFields);
    if (!kind) return OPAQUE;
    return this.item('name', call, shorten(call.getText()), state, 'leaf', kind);
  }

  /** Calls that return their receiver's or arguments' data: `String(x)`, `JSON.stringify(x)`, `x.trim()`, `util.inspect(x)`. */
  private classifyPassThrough(
    call: ts.CallExpression,
    callee: ts.Expression,
    name: string | undefined,
    origin: Origin,
    state: State,
  ): Result | undefined {
    const argumentsOf = (target: State): Result =>
      merge(
        call.arguments
          .filter((argument) => !ts.isArrowFunction(argument) && !ts.isFunctionExpression(argument))
          .map((argument) => this.classify(ts.isSpreadElement(argument) ? argument.expression : argument, target)),
      );
    const root = origin.root;
    let module: string | undefined;
    if (root.kind === 'global') module = 'global';
    else if (root.kind === 'module') module = packageName(root.specifier);
    const path = root.kind === 'global' ? [root.name, ...origin.path] : packagePath(origin);
    const steps = path.filter((step) => step !== CALL && step !== NEW);

    const known = module
      ? PASS_THROUGH_FUNCTIONS.find((entry) => entry.module === module && sameSteps(entry.path, steps))
      : undefined;
    if (known) return pass(argumentsOf(known.mode === 'copy' ? state : inText(state)), known.mode);
    if (module && PASS_THROUGH_PACKAGES.has(module)) return serialize(argumentsOf(inText(state)));
    if (module === 'lodash' || module === 'lodash-es' || module === 'underscore') {
      const method = steps[steps.length - 1];
      if (method === 'pick') return this.classifyPick(call, state);
      return method && LODASH_COPIES.has(method) ? argumentsOf(state) : undefined;
    }
    const mode = name ? PASS_THROUGH_METHODS.get(name) : undefined;
    if (mode && ts.isPropertyAccessExpression(callee)) {
      const receiver = this.classify(callee.expression, mode === 'copy' ? state : inText(state));
      return pass(merge([receiver, coerce(argumentsOf(inText(state)))]), mode);
    }
    if (name && splitWords(name).some((word) => FORMATTING_WORDS.has(word))) {
      const receiver = ts.isPropertyAccessExpression(callee) ? [this.classify(callee.expression, inText(state))] : [];
      return serialize(merge([...receiver, argumentsOf(inText(state))]));
    }
    return undefined;
  }

  /** `_.pick(user, ['id', 'password'])`: sensitive when a picked key is. */
  private classifyPick(call: ts.CallExpression, state: State): Result {
    const keys = call.arguments.slice(1).flatMap((argument) => {
      const value = this.sem.evaluate(argument);
      if (value.kind === 'string') return [value.value];
      if (value.kind === 'array') return value.items.flatMap((item) => (item.kind === 'string' ? [item.value] : []));
      return [];
    });
    const items = keys.flatMap((key) => this.fromName(key, call, at(state, key), `${key} picked by ${getCalleeName(call) ?? 'pick'}()`)?.items ?? []);
    return items.length > 0 ? { items, safe: false } : SAFE;
  }

  private classifyNew(expression: ts.NewExpression, state: State): Result {
    const name = getCalleeName(expression) ?? '';
    if (/(Error|Exception)$/.test(name) || name === 'String' || name === 'URL' || name === 'URLSearchParams') {
      return coerce(merge((expression.arguments ?? []).map((argument) => this.classify(argument, inText(state)))));
    }
    const typed = this.fromType(
      this.valueTypes.typeOfExpression(expression, state),
      expression,
      shorten(expression.getText()),
      state,
    );
    return typed?.result ?? OPAQUE;
  }

  private classifyObject(object: ts.ObjectLiteralExpression, state: State): Result {
    const results: Result[] = [];
    const spread: LoggedItem[] = [];
    const overwritten = new Set<string>();
    for (const property of object.properties) {
      if (ts.isSpreadAssignment(property)) {
        spread.push(...this.classify(property.expression, state).items);
        continue;
      }
      const key = property.name && propertyNameText(property.name);
      const keyState = key === undefined ? inText(state) : at(state, key);
      if (ts.isShorthandPropertyAssignment(property)) {
        results.push(this.classify(property.name, keyState));
        continue;
      }
      if (!ts.isPropertyAssignment(property)) continue;
      const value = this.classify(property.initializer, keyState);
      if (value.items.length > 0 || key === undefined) {
        results.push(value);
        continue;
      }
      const keyKind = classifyLoggedName(key, this.options.sensitiveFields);
      if (value.safe) {
        overwritten.add(key);
        continue;
      }
      // An unknown value under a key that names a secret: `{ token: session.value }`.
      results.push(keyKind ? this.item('name', property, key, keyState, 'leaf', keyKind) : OPAQUE);
    }
    results.push({
      items: spread.flatMap((item) => this.withoutOverwritten(item, overwritten, state.place?.path.length ?? 0)),
      safe: false,
    });
    return merge(results);
  }

  /**
   * Removes from an item the keys that are overwritten with safe values or
   * deleted: `{ ...req.body, password: '[redacted]' }`,
   * `{ ...user, password: undefined }`, `delete body.password`. `depth` is
   * the length of the path of the object that contains the keys.
   */
  private withoutOverwritten(item: LoggedItem, overwritten: ReadonlySet<string>, depth: number): LoggedItem[] {
    if (overwritten.size === 0) return [item];
    if (item.reason === 'name') {
      const key = item.place?.path[depth] ?? item.label;
      return overwritten.has(key) ? [] : [item];
    }
    if (item.reason === 'body' || item.reason === 'headers' || item.reason === 'request') {
      const removesSecret = [...overwritten].some((key) => {
        const kind = classifyLoggedName(key, this.options.sensitiveFields);
        return kind !== undefined && getRuleOfKind(kind) === 'secret';
      });
      return removesSecret ? [] : [item];
    }
    if (item.pending) {
      // The fields are known in the project step only, so the removed keys go with the types.
      // A type nested under a field goes when that field goes.
      const refs = item.pending.refs.flatMap((ref) => {
        if (ref.prefix === undefined) return [{ ...ref, exclude: [...(ref.exclude ?? []), ...overwritten] }];
        return overwritten.has(ref.prefix.split('.')[0]!) ? [] : [ref];
      });
      return refs.length > 0 ? [{ ...item, pending: { ...item.pending, refs } }] : [];
    }
    if (item.reason === 'typed' && Array.isArray(item.contents)) {
      const remaining = item.contents.filter((field) => !overwritten.has(field));
      if (remaining.length === item.contents.length) return [item];
      if (remaining.length === 0) return [];
      return [{ ...item, contents: remaining, field: remaining[0]! }];
    }
    return [item];
  }

  /**
   * Classifies a value by its type annotation when the annotation names
   * object types of this file only. Their fields decide, whatever the
   * variable is called, so `token: Claims` with
   * `interface Claims { sub: string; exp: number }` is not a token.
   */
  private fromDeclaredType(type: ts.TypeNode | undefined, pattern: readonly PatternStep[], identifier: ts.Identifier, state: State): Result | undefined {
    // `({ timezone }: Visit)` binds one field of the annotated type, not the whole of it.
    const targets = this.types.narrowToPattern(this.types.targetsOfTypeNode(type), pattern);
    if (targets.length === 0 || targets.some((target) => target.kind !== 'local')) return undefined;
    return this.fromType(targets, identifier, identifier.text, state)?.result;
  }

  /** Returns an item for a name the classifier marks, or undefined. */
  private fromName(name: string, node: ts.Node, state: State, label = name): Result | undefined {
    const kind = classifyLoggedName(name, this.options.sensitiveFields);
    return kind ? this.item('name', node, label, state, 'leaf', kind) : undefined;
  }

  /**
   * Returns an item for a whole object of a type with sensitive fields, or
   * undefined when no type is known. Types known to have no sensitive field
   * give an empty result, which counts as safe for a request body only.
   */
  private fromType(targets: readonly TypeTarget[], node: ts.Node, label: string, state: State, isBody = false): { result: Result } | undefined {
    if (targets.length === 0) return undefined;
    const sensitivity = this.types.sensitivityOf(targets);
    if (sensitivity.fields.length === 0) {
      if (sensitivity.refs.length === 0) return { result: isBody ? SAFE : OPAQUE };
      return {
        result: {
          safe: false,
          items: [{ reason: 'typed', rule: undefined, label, contents: [], node, place: state.place, via: state.via, pending: { refs: sensitivity.refs, body: isBody } }],
        },
      };
    }
    const secret = sensitivity.fields.filter((field) => getRuleOfKind(field.kind) === 'secret');
    const chosen = secret.length > 0 ? secret : sensitivity.fields;
    const first = chosen[0]!;
    const item: LoggedItem = {
      reason: 'typed',
      rule: getRuleOfKind(first.kind),
      kind: first.kind,
      label,
      field: first.path,
      contents: [...new Set(chosen.map((field) => field.path.split('.')[0]!))],
      node,
      place: state.place,
      via: state.via,
    };
    if (first.node) item.source = { node: first.node, message: `${first.owner ?? 'The type'} declares ${first.path} here.` };
    return { result: { items: [item], safe: false } };
  }

  private item(
    reason: ItemReason,
    node: ts.Node,
    label: string,
    state: State,
    contents: LoggedItem['contents'],
    kind?: SensitiveKind,
  ): Result {
    const rule = kind ? getRuleOfKind(kind) : 'secret';
    const item: LoggedItem = { reason, rule, label, contents, node, place: state.place, via: state.via };
    if (kind) item.kind = kind;
    return { items: [item], safe: false };
  }
}

/** Words of a service that connection URLs name: `DATABASE_URL`, `MONGODB_URI`, `REDIS_URL`, `AMQP_URL`. */
const CONNECTION_SERVICES = new Set(['database', 'db', 'mongo', 'mongodb', 'postgres', 'postgresql', 'pg', 'mysql', 'mariadb', 'mssql', 'sql', 'redis', 'amqp', 'rabbitmq', 'broker']);

/** True for an environment variable that contains a connection URL, which carries the password of the service. */
function isConnectionUrlVariable(sem: FileSemantics, member: ts.PropertyAccessExpression | ts.ElementAccessExpression, name: string): boolean {
  const base = skipOuterExpressions(member.expression);
  if (!isProcessEnvObject(sem, base)) return false;
  const words = splitWords(name);
  const last = words.at(-1);
  const isUrl = last === 'url' || last === 'uri' || last === 'dsn' || (last === 'string' && words.at(-2) === 'connection');
  return isUrl && words.some((word) => CONNECTION_SERVICES.has(word));
}

/**
 * True for a value fetched whole, whose fields the code does not show: a call
 * or an `await`. A member such as `req.params.patient` is more often an id.
 */
function isFetchedValue(value: ts.Expression): boolean {
  const node = skipOuterExpressions(value);
  return ts.isCallExpression(node) || ts.isAwaitExpression(node);
}

function merge(results: readonly Result[]): Result {
  if (results.length === 0) return SAFE;
  if (results.length === 1) return results[0]!;
  return { items: results.flatMap((result) => result.items), safe: results.every((result) => result.safe) };
}

/**
 * Converts a result to text as `String()` converts a value. A plain object
 * prints as `[object Object]`, so only single values and serialized objects remain.
 */
function coerce(result: Result): Result {
  const items = result.items.filter((item) => item.reason === 'name' || item.serialized);
  return items.length === result.items.length ? result : { items, safe: result.safe || items.length === 0 };
}

/** Marks the objects of a result as written out field by field, so they reach the log even inside a string. */
function serialize(result: Result): Result {
  if (result.items.every((item) => item.reason === 'name' || item.serialized)) return result;
  return {
    ...result,
    items: result.items.map((item) => (item.reason === 'name' ? item : { ...item, serialized: true })),
  };
}

function pass(result: Result, mode: PassMode): Result {
  if (mode === 'serialize') return serialize(result);
  if (mode === 'coerce') return coerce(result);
  return result;
}

/**
 * Finds the keys of a variable's object that code before a read removes or
 * overwrites with a constant: `delete body.password` or
 * `body.password = '[redacted]'`, in the block that declares the variable.
 */
function findRemovedKeys(
  sem: FileSemantics,
  declaration: Extract<Declaration, { kind: 'variable' }>,
  read: ts.Identifier,
): Set<string> {
  const keys = new Set<string>();
  const block = declaration.node.parent.parent.parent;
  if (!block || !(ts.isBlock(block) || ts.isSourceFile(block))) return keys;
  const isTarget = (node: ts.Expression): boolean => {
    const base = skipOuterExpressions(node);
    return ts.isIdentifier(base) && base.text === read.text && sem.resolve(base) === declaration;
  };
  const visit = (node: ts.Node): void => {
    if (node.getStart() >= read.getStart() || ts.isFunctionLike(node)) return;
    let target: ts.Expression | undefined;
    if (ts.isDeleteExpression(node)) target = node.expression;
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      isConstant(sem.evaluate(node.right))
    ) {
      target = node.left;
    }
    const member = target && skipOuterExpressions(target);
    if (
      member &&
      (ts.isPropertyAccessExpression(member) || ts.isElementAccessExpression(member)) &&
      isTarget(member.expression)
    ) {
      const key = getMemberName(member);
      if (key !== undefined) keys.add(key);
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(block, visit);
  return keys;
}

/** Returns the state for a value formatted into text, which no redaction path reaches. */
function inText(state: State): State {
  return state.place ? { ...state, place: undefined } : state;
}

function at(state: State, key: string): State {
  return state.place ? { ...state, place: { argIndex: state.place.argIndex, path: [...state.place.path, key] } } : state;
}

/**
 * True for the request settings an HTTP client's error carries: axios puts
 * the request's `config`, headers and Authorization included, on the error it
 * throws, as `err.config`, `err.config.headers` and `err.response.config`.
 */
function isClientErrorConfig(sem: FileSemantics, member: ts.PropertyAccessExpression | ts.ElementAccessExpression, name: string): boolean {
  let base = skipOuterExpressions(member.expression);
  if (name === 'headers') {
    if (getMemberName(base) !== 'config' || !(ts.isPropertyAccessExpression(base) || ts.isElementAccessExpression(base))) return false;
    base = skipOuterExpressions(base.expression);
  } else if (name !== 'config') {
    return false;
  }
  if ((ts.isPropertyAccessExpression(base) || ts.isElementAccessExpression(base)) && getMemberName(base) === 'response') base = skipOuterExpressions(base.expression);
  if (!ts.isIdentifier(base)) return false;
  // `const err = error as AxiosError` names the caught error again.
  const alias = sem.followSingleValue(base);
  if (alias && ts.isIdentifier(alias)) base = alias;
  if (!ts.isIdentifier(base)) return false;
  const declaration = sem.resolve(base);
  if (declaration?.kind === 'catch') return true;
  // `.catch((error) => ...)` and an interceptor's error handler `(error) => Promise.reject(error)`.
  return declaration?.kind === 'parameter' && /^(e|err|error|ex|exception|axiosError|httpError)$/.test(base.text);
}

/** Gives an item found through a variable the variable's name: `auth (req.headers.authorization)`. */
function relabel(item: LoggedItem, identifier: ts.Identifier, value: ts.Expression | undefined): LoggedItem {
  const name = identifier.text;
  const label = item.label === name || item.reason === 'typed' ? name : `${name} (${item.label})`;
  const relabelled: LoggedItem = { ...item, label, node: identifier };
  if (!item.source && value) relabelled.source = { node: value, message: `${name} gets its value here.` };
  return relabelled;
}

/** Literals, flags and arithmetic, which hold no data worth masking. */
/** Names of variables that may hold a one-time code: `code`, `otp`, `pin`, `smsCode`, `verificationCode`. */
const ONE_TIME_CODE_NAME = /^(code|otp|pin|passcode)$|(Code|Otp|OTP|Pin|PIN|Passcode)$/;

/** Text of an expression that draws random digits: `randomInt(100000, 1000000)`, `Math.floor(Math.random() * 1e6)`. */
const RANDOM_DIGITS = /\b(randomInt|Math\.random|randomBytes|getRandomValues|randomUUID)\b/;

function isSafeSyntax(expression: ts.Expression): boolean {
  switch (expression.kind) {
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
    case ts.SyntaxKind.NumericLiteral:
    case ts.SyntaxKind.BigIntLiteral:
    case ts.SyntaxKind.RegularExpressionLiteral:
    case ts.SyntaxKind.TrueKeyword:
    case ts.SyntaxKind.FalseKeyword:
    case ts.SyntaxKind.NullKeyword:
    case ts.SyntaxKind.PrefixUnaryExpression:
    case ts.SyntaxKind.PostfixUnaryExpression:
    case ts.SyntaxKind.TypeOfExpression:
    case ts.SyntaxKind.VoidExpression:
    case ts.SyntaxKind.DeleteExpression:
    case ts.SyntaxKind.ArrowFunction:
    case ts.SyntaxKind.FunctionExpression:
    case ts.SyntaxKind.ClassExpression:
    case ts.SyntaxKind.ThisKeyword:
      return true;
    default:
      return false;
  }
}

/** An upper-case name with underscores, the convention for constants. */
const CONSTANT_NAME = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/;

/** Objects whose members name configuration keys: `SecretsKeys.PROJECT_ID`, `ConfigKey.API_URL`, `Env.DB_PASSWORD`. */
const KEY_HOLDER = /(keys?|names?|env|config|settings|secrets)$/i;

/**
 * Returns the key a configuration lookup reads: an upper-case name given as a
 * string, or a member of an object of key names. Other arguments, such as
 * `getToken(user)` or `getToken('refresh')`, are not keys.
 */
function getConfigKeyName(argument: ts.Expression | undefined): string | undefined {
  if (!argument) return undefined;
  const expression = skipOuterExpressions(argument);
  if (ts.isStringLiteralLike(expression)) return /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(expression.text) ? expression.text : undefined;
  if (ts.isPropertyAccessExpression(expression)) {
    const holder = skipOuterExpressions(expression.expression);
    const holderName = ts.isIdentifier(holder) ? holder.text : ts.isPropertyAccessExpression(holder) ? holder.name.text : undefined;
    return holderName !== undefined && KEY_HOLDER.test(holderName) ? expression.name.text : undefined;
  }
  return undefined;
}
