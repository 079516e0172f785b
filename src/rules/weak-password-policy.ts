import { ts } from '../typescript.js';
import type { FileSemantics } from '../analysis/semantics.js';
import { packageName } from '../analysis/origin.js';
import { splitWords } from '../analysis/sensitive.js';
import type { Value } from '../analysis/values.js';
import {
  getCalleeName,
  getDecoratorArguments,
  getDecoratorName,
  getDecorators,
  getEnclosingFunction,
  getFunctionName,
  getMemberName,
  getPropertyValue,
  propertyNameText,
  skipOuterExpressions,
} from '../analysis/syntax.js';
import { defineRule, type ReportTarget, type RuleContext } from './rule.js';
import { getNumber } from './shared/numeric-settings.js';
import { getObjectLiteral, lookupOption } from './shared/option-lookup.js';
import { getRegexMinLength, isAnchored } from './shared/regex-length.js';
import { getCallTarget } from './shared/report-target.js';
import { getFactPlace, type FactPlace } from './shared/fact-place.js';
import { mayImport, perFile } from './shared/file-imports.js';
import { gatherWalkLists, WalkPicks } from './shared/walk-lists.js';

/** NIST SP 800-63B (section 5.1.1.2): passwords a person chooses are at least 8 characters long. */
const MIN_LENGTH = 8;

/** Validation libraries whose schemas are chains of calls. */
const CHAIN_LIBRARIES = new Set(['zod', 'joi', '@hapi/joi', 'yup']);

/** Methods that build an object schema from a map of fields. */
const OBJECT_BUILDERS = new Set(['object', 'keys', 'shape', 'extend', 'append']);

/** Chain methods that run code the scan cannot judge, which may check the length. */
const CUSTOM_CHECKS = new Set(['refine', 'superRefine', 'custom', 'test', 'validate', 'transform', 'check', 'pipe']);

/** Chain methods and decorators that check the content of a field, showing that the schema validates its fields. */
const CONTENT_CHECKS = /^(email|isEmail|IsEmail|min|max|length|isLength|IsLength|Length|MinLength|MaxLength|regex|pattern|matches|Matches|uuid|isUUID|IsUUID|url|isURL|IsUrl|isMobilePhone|IsPhoneNumber|IsMobilePhone|alphanum|isAlphanumeric|IsAlphanumeric|isIn|IsIn|valid|oneOf|enum|IsEnum|isDate|IsDateString|date|datetime)$/;

/** Words of a password field that is checked against the stored one or repeats another field, not chosen here. */
const NOT_CHOSEN_WORDS = new Set(['current', 'old', 'existing', 'previous', 'confirm', 'confirmation', 'confirmed', 'repeat', 'repeated', 'retype', 'again', 'verify', 'verification', 'hash', 'hashed', 'digest', 'reset']);

/** Words of names that describe a password rather than hold one. */
const DESCRIBING_WORDS = new Set(['hint', 'policy', 'language', 'locale', 'expiry', 'expires', 'expiration', 'age', 'strength', 'label', 'placeholder', 'format']);

/** Last words of names that hold several things, whose `length` counts them: `passwordFields`, `passwords`, `passwordRules`. */
const COLLECTION_WORDS = new Set(['fields', 'inputs', 'elements', 'list', 'items', 'rules', 'attempts', 'errors', 'history', 'passwords', 'hashes', 'entries', 'options']);

/** Names of schemas, classes, functions and routes that choose a password, and of those that only check one. */
const CHOOSING_CONTEXT = /regist|sign[-_ ]?up|create|new[-_ ]?(user|account|password)|reset|change|update|set[-_ ]?password|enrol|onboard|invit|accept|join/i;
const CHECKING_CONTEXT = /log[-_ ]?in|sign[-_ ]?in|authenticat|credential|verify|session/i;

/** One check that bounds how short a password can be. */
interface LengthCheck {
  min: number;
  node: ReportTarget;
}

/** The length rules of a field's validation, or the fact that custom code or a length read from elsewhere may check it. */
interface FieldChecks {
  lengths: LengthCheck[];
  custom: boolean;
  /** Names of the other checks on the field, for telling content checks from type checks. */
  methods: string[];
  /** Minimums read from constants of other modules, `.min(PASSWORD_MIN_LENGTH)`, which the project step reads. */
  imported?: Array<{ value: Value; node: ReportTarget }>;
}

/** A minimum from another module, for the project step: where to report and the longest minimum known here. */
interface ImportedLengthFact extends FactPlace {
  value: Value;
  field: string;
  known: number;
}

type MessageId = 'tooShort' | 'noLength';

export default defineRule<MessageId, ImportedLengthFact>({
  meta: {
    id: 'weak-password-policy',
    title: 'Password rule shorter than 8 characters, or none',
    summary:
      'Flags password fields whose validation accepts fewer than 8 characters: zod, joi and yup `.min(n)`, class-validator `@MinLength(n)` and `@Length(n)`, express-validator `isLength({ min })`, Mongoose `minlength`, JSON Schema and TypeBox `minLength`, anchored patterns such as `^.{6,}$`, and hand-written `password.length < n` checks; and new-password fields with no length check in a schema that checks its other fields. Short passwords fall to online guessing and to offline cracking of a leaked hash.',
    severity: 'medium',
    precision: 'high',
    cwe: [521],
    owasp: 'A07:2021-Identification and Authentication Failures',
    messages: {
      tooShort: '`{{field}}` accepts passwords of {{min}} characters; require at least 8 (NIST SP 800-63B) and check new passwords against lists of breached ones.',
      noLength: '`{{field}}` has no minimum length while the other fields of this schema are checked; require at least 8 characters.',
    },
  },
  project(context) {
    for (const { file, facts } of context.facts<ImportedLengthFact>()) {
      for (const fact of facts) {
        const value = context.resolveValue(file, fact.value);
        if (value.kind !== 'number') continue;
        const min = Math.max(value.value, fact.known);
        if (min >= MIN_LENGTH) continue;
        context.report({ file, location: fact.location, messageId: 'tooShort', data: { field: fact.field, min }, fingerprintKey: fact.key });
      }
    }
  },
  create(context) {
    const sem = context.semantics;
    // A schema kept in a variable is reached both from its declaration and from the objects that use it.
    const reported = new Set<number>();
    const report: Report = (node, messageId, field, min, imported) => {
      const start = 'kind' in node ? node.getStart() : node.start;
      if (reported.has(start)) return;
      reported.add(start);
      if (imported) context.addFact({ ...getFactPlace(context.sourceFile, node), value: imported.value, field, known: imported.known });
      else context.report({ node, messageId, data: { field, ...(min !== undefined ? { min } : {}) } });
    };
    const checkVariable = (declaration: ts.VariableDeclaration): void => {
      // export const passwordSchema = z.string().min(6);
      if (!ts.isIdentifier(declaration.name) || !declaration.initializer || !isChosenPasswordName(declaration.name.text)) return;
      const checks = getChainChecks(sem, declaration.initializer);
      if (checks && !onlyChecksPassword(declaration.name.text, declaration.name.text)) judgeChecks(checks, declaration.name.text, undefined, report);
    };
    const { lists, visitors } = gatherWalkLists(context, ['invocations', 'variables', 'classes', 'comparisons', 'properties']);
    return {
      ...visitors,
      onEnd() {
        const picks = new WalkPicks();
        picks.addWhere(lists.calls, (_, index) => CALL_NAMES.has(lists.callNames[index]!));
        if (importsMongoose(sem.sourceFile)) picks.addWhere(lists.invocations, ts.isNewExpression);
        picks.addWhere(lists.variables, (declaration) => ts.isIdentifier(declaration.name) && MAY_NAME_PASSWORD.test(declaration.name.text));
        picks.addWhere(lists.classes, (node) => node.members.length > 0);
        picks.addWhere(lists.comparisons, (binary) => isLengthRead(binary.left) || isLengthRead(binary.right));
        picks.addWhere(lists.properties, (property, index) => ts.isPropertyAssignment(property) && MAY_NAME_PASSWORD.test(lists.propertyNames[index] ?? ''));
        // In walk order: a schema reached twice is reported from where the walk meets it first.
        for (const node of picks.inWalkOrder()) {
          switch (node.kind) {
            case ts.SyntaxKind.CallExpression: {
              const call = node as ts.CallExpression;
              checkObjectSchema(context, call, report);
              checkExpressValidator(context, call, report);
              checkManualCall(context, call, report);
              break;
            }
            case ts.SyntaxKind.NewExpression:
              checkMongooseSchema(context, node as ts.NewExpression, report);
              break;
            case ts.SyntaxKind.VariableDeclaration:
              checkVariable(node as ts.VariableDeclaration);
              break;
            case ts.SyntaxKind.ClassDeclaration:
              checkClassValidatorDto(context, node as ts.ClassDeclaration, report);
              break;
            case ts.SyntaxKind.BinaryExpression:
              checkManualLength(context, node as ts.BinaryExpression, report);
              break;
            case ts.SyntaxKind.PropertyAssignment:
              checkJsonSchemaProperty(context, node as ts.PropertyAssignment, report);
              break;
          }
        }
      },
    };
  },
});

/** Reports a finding, or, with `imported`, records a minimum of another module for the project step to judge. */
type Report = (node: ReportTarget, messageId: MessageId, field: string, min?: number, imported?: { value: Value; known: number }) => void;

const MAY_NAME_PASSWORD = /pass|pwd/i;

/** Names of the calls the checks below read: schema builders, express-validator fields and hand-written checks. */
const CALL_NAMES = new Set([...OBJECT_BUILDERS, 'body', 'check', 'param', 'query', 'test', 'match', 'isLength']);

/** `x.length`, which a hand-written minimum compares. */
function isLengthRead(expression: ts.Expression): boolean {
  const node = skipOuterExpressions(expression);
  return ts.isPropertyAccessExpression(node) && node.name.text === 'length';
}

/** True for a field where a person chooses a password, such as `password`, `newPassword` or `passphrase`, but not `currentPassword` or `confirmPassword`. */
function isChosenPasswordName(name: string): boolean {
  // Every word that names a password contains `pass` or `pwd`.
  if (!MAY_NAME_PASSWORD.test(name)) return false;
  // `DB_PASSWORD` in an environment schema is a service's credential, which no person chooses at a form.
  if (/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(name)) return false;
  const words = splitWords(name);
  if (!words.some((word) => /^(password|passwd|passphrase|pwd)$/.test(word) || word.endsWith('password'))) return false;
  if (COLLECTION_WORDS.has(words[words.length - 1]!)) return false;
  // `passwordHint`, `passwordHintLanguage`, `passwordPolicyName`: a field about the password, not the password.
  if (words.some((word) => DESCRIBING_WORDS.has(word))) return false;
  return !words.some((word) => NOT_CHOSEN_WORDS.has(word)) && !/^(is|has|show|should|min|max)$/.test(words[0]!);
}

/** Reports when the longest minimum is below 8, and a field with no length check when `missing.allowed` is set. */
function judgeChecks(checks: FieldChecks, field: string, missing: { node: ts.Node; allowed: boolean } | undefined, report: Report): void {
  if (checks.custom) return;
  if (checks.imported && checks.imported.length > 0) {
    const known = checks.lengths.reduce((best, check) => Math.max(best, check.min), 0);
    if (known < MIN_LENGTH) for (const imported of checks.imported) report(imported.node, 'tooShort', field, undefined, { value: imported.value, known });
    return;
  }
  if (checks.lengths.length === 0) {
    if (missing?.allowed) report(missing.node, 'noLength', field);
    return;
  }
  const strongest = checks.lengths.reduce((best, check) => (check.min > best.min ? check : best));
  if (strongest.min < MIN_LENGTH) report(strongest.node, 'tooShort', field, strongest.min);
}

/**
 * Collects the checks of a zod, joi or yup chain such as
 * `z.string().min(6).regex(/[A-Z]/)`, following `const` schemas. Returns
 * undefined when the expression is not such a chain.
 */
function getChainChecks(sem: FileSemantics, expression: ts.Expression, depth = 0): FieldChecks | undefined {
  const checks: FieldChecks = { lengths: [], custom: false, methods: [] };
  let node = followConst(sem, expression);
  for (let hops = 0; hops < 30; hops++) {
    if (ts.isCallExpression(node)) {
      const callee = skipOuterExpressions(node.expression);
      const method = getMemberName(callee) ?? (ts.isIdentifier(callee) ? callee.text : undefined);
      if (method) addChainCheck(sem, checks, method, node);
      if (!ts.isPropertyAccessExpression(callee)) return isChainLibrary(sem, callee) ? checks : undefined;
      node = skipOuterExpressions(callee.expression);
      continue;
    }
    if (ts.isIdentifier(node)) {
      if (isChainLibrary(sem, node)) return checks;
      const followed = followConst(sem, node);
      if (followed === node || depth > 4) return undefined;
      const inner = getChainChecks(sem, followed, depth + 1);
      if (!inner) return undefined;
      return { lengths: [...checks.lengths, ...inner.lengths], custom: checks.custom || inner.custom, methods: [...checks.methods, ...inner.methods] };
    }
    return undefined;
  }
  return undefined;
}

function addChainCheck(sem: FileSemantics, checks: FieldChecks, method: string, call: ts.CallExpression): void {
  checks.methods.push(method);
  const first = call.arguments[0];
  const refined = method === 'refine' && first ? getRefinedMinimum(sem, first) : undefined;
  if (refined !== undefined) checks.lengths.push({ min: refined, node: getCallTarget(call) });
  else if (CUSTOM_CHECKS.has(method)) checks.custom = true;
  if ((method === 'min' || method === 'length') && first) {
    const min = getNumber(sem, first);
    // `.min(1, 'Password is required')` only requires a value.
    if (min !== undefined && min > 1) checks.lengths.push({ min, node: getCallTarget(call) });
    // `.min(PASSWORD_MIN_LENGTH)` imported from another module sets a length that the project step reads.
    if (min === undefined) addUnknownLength(sem, checks, first, getCallTarget(call));
  }
  if ((method === 'regex' || method === 'pattern' || method === 'matches') && first) addRegexCheck(sem, checks, first, getCallTarget(call));
}

/** Records a minimum this file cannot read: an import goes to the project step, anything else counts as a check of its own. */
function addUnknownLength(sem: FileSemantics, checks: FieldChecks, expression: ts.Expression, node: ReportTarget): void {
  const value = sem.evaluate(expression);
  if (value.kind === 'import') (checks.imported ??= []).push({ value, node });
  else checks.custom = true;
}

function addRegexCheck(sem: FileSemantics, checks: FieldChecks, expression: ts.Expression, node: ReportTarget): void {
  const source = getRegexSource(sem, expression);
  if (source !== undefined && isAnchored(source)) checks.lengths.push({ min: getRegexMinLength(source), node });
}

/** Returns the source of a regular expression literal, or of `new RegExp('...')` with constant text. */
function getRegexSource(sem: FileSemantics, expression: ts.Expression): string | undefined {
  const value = sem.evaluate(expression);
  if (value.kind === 'regexp') return value.source;
  const node = skipOuterExpressions(expression);
  if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && ts.isIdentifier(node.expression) && node.expression.text === 'RegExp' && node.arguments?.[0]) {
    const text = sem.evaluate(node.arguments[0]);
    return text.kind === 'string' ? text.value : undefined;
  }
  return undefined;
}

function isChainLibrary(sem: FileSemantics, expression: ts.Expression): boolean {
  const origin = sem.originOf(expression);
  return origin.root.kind === 'module' && CHAIN_LIBRARIES.has(packageName(origin.root.specifier));
}

function followConst(sem: FileSemantics, expression: ts.Expression): ts.Expression {
  const node = skipOuterExpressions(expression);
  if (!ts.isIdentifier(node)) return node;
  const declaration = sem.resolve(node);
  if (declaration?.kind !== 'variable' || declaration.pattern.length > 0) return node;
  const initializer = sem.getSingleValue(declaration);
  return initializer ? skipOuterExpressions(initializer) : node;
}

/** `z.object({...})`, `Joi.object({...})`, `Joi.object().keys({...})`, `yup.object().shape({...})`. */
function checkObjectSchema(context: RuleContext<MessageId>, call: ts.CallExpression, report: Report): void {
  const sem = context.semantics;
  const method = getCalleeName(call);
  if (!method || !OBJECT_BUILDERS.has(method)) return;
  const fields = call.arguments[0] ? getObjectLiteral(sem, call.arguments[0]) : undefined;
  if (!fields) return;
  const callee = skipOuterExpressions(call.expression);
  if (!isChainLibrary(sem, callee) && !(ts.isPropertyAccessExpression(callee) && getChainChecks(sem, callee.expression))) return;

  const entries = fields.properties.flatMap((property) => {
    const name = property.name && propertyNameText(property.name);
    const value = getPropertyValue(property);
    const checks = value ? getChainChecks(sem, value) : undefined;
    return name && checks ? [{ name, property, checks }] : [];
  });
  const othersChecked = (name: string) => entries.some((entry) => entry.name !== name && entry.checks.methods.some((method) => CONTENT_CHECKS.test(method)));
  const schemaContext = getSchemaContext(call);
  for (const entry of entries) {
    if (!isChosenPasswordName(entry.name) || onlyChecksPassword(entry.name, schemaContext)) continue;
    const allowed = othersChecked(entry.name) && choosesPassword(entry.name, schemaContext);
    judgeChecks(entry.checks, entry.name, { node: entry.property, allowed }, report);
  }
}

/** Returns the names that tell what a schema is for: the variable that contains it and the functions and route around it. */
function getSchemaContext(node: ts.Node): string {
  const names: string[] = [];
  for (let current: ts.Node | undefined = node; current; current = current.parent) {
    if (ts.isVariableDeclaration(current) && ts.isIdentifier(current.name)) names.push(current.name.text);
    if (ts.isClassDeclaration(current) && current.name) names.push(current.name.text);
    if (ts.isPropertyAssignment(current)) names.push(propertyNameText(current.name) ?? '');
    if (ts.isCallExpression(current)) {
      const path = current.arguments[0];
      if (path && ts.isStringLiteralLike(path) && path.text.startsWith('/')) names.push(path.text);
    }
  }
  const fn = getEnclosingFunction(node);
  const fnName = fn ? getFunctionName(fn) : undefined;
  if (fnName) names.push(fnName);
  return names.join(' ');
}

/** True when the field sets a password: `newPassword`, or a schema named for sign-up, reset or change, not for login. */
function choosesPassword(field: string, context: string): boolean {
  if (splitWords(field)[0] === 'new') return true;
  return CHOOSING_CONTEXT.test(context) && !CHECKING_CONTEXT.test(context);
}

/** True for a login schema, which checks a password against the stored hash and sets no policy. */
function onlyChecksPassword(field: string, context: string): boolean {
  return splitWords(field)[0] !== 'new' && CHECKING_CONTEXT.test(context) && !CHOOSING_CONTEXT.test(context);
}

/** `body('password').isLength({ min: 6 })` and the other chains of express-validator. */
function checkExpressValidator(context: RuleContext<MessageId>, call: ts.CallExpression, report: Report): void {
  const sem = context.semantics;
  const field = getValidatorField(sem, call);
  if (!field || !isChosenPasswordName(field)) return;
  const checks = getValidatorChecks(sem, call);
  const route = call.parent && ts.isCallExpression(call.parent) ? undefined : findRouteCall(call);
  const siblings = route ? route.arguments.filter((argument) => argument !== getChainTop(call)) : [];
  const othersChecked = siblings.some((sibling) => {
    const base = getChainBase(sibling);
    return base !== undefined && getValidatorField(sem, base) !== undefined && getValidatorChecks(sem, base).methods.some((method) => CONTENT_CHECKS.test(method));
  });
  const routeContext = route ? `${getSchemaContext(route)} ${routePath(route)}` : getSchemaContext(call);
  if (onlyChecksPassword(field, routeContext)) return;
  const allowed = othersChecked && choosesPassword(field, routeContext);
  judgeChecks(checks, field, { node: getChainTop(call), allowed }, report);
}

const importsExpressValidator = perFile((sourceFile) => mayImport(sourceFile, new Set(['express-validator'])));
const importsMongoose = perFile((sourceFile) => mayImport(sourceFile, new Set(['mongoose'])));

/** Returns the field a validator base call names: `body('password')` gives `password`. */
function getValidatorField(sem: FileSemantics, call: ts.CallExpression): string | undefined {
  const name = getCalleeName(call);
  const first = call.arguments[0];
  if (!name || !/^(body|check|param|query)$/.test(name) || !first || !importsExpressValidator(sem.sourceFile)) return undefined;
  const origin = sem.originOf(call.expression);
  if (origin.root.kind !== 'module' || packageName(origin.root.specifier) !== 'express-validator') return undefined;
  const value = sem.evaluate(first);
  return value.kind === 'string' ? value.value : undefined;
}

/** Collects the checks chained on a validator base call: `.isLength({ min })`, `.isStrongPassword()`, `.matches(re)`. */
function getValidatorChecks(sem: FileSemantics, base: ts.CallExpression): FieldChecks {
  const checks: FieldChecks = { lengths: [], custom: false, methods: [] };
  let node: ts.Node = base;
  for (let hops = 0; hops < 30; hops++) {
    const access = node.parent;
    if (!ts.isPropertyAccessExpression(access) || !ts.isCallExpression(access.parent) || access.parent.expression !== access) break;
    const call = access.parent;
    const method = access.name.text;
    checks.methods.push(method);
    const options = call.arguments[0];
    if (method === 'custom') checks.custom = true;
    if (method === 'isLength' && options) {
      const lookup = lookupOption(sem, options, ['min']);
      const min = lookup.kind === 'set' && lookup.expression ? getNumber(sem, lookup.expression) : undefined;
      if (min !== undefined && min > 1) checks.lengths.push({ min, node: getCallTarget(call) });
      if (min === undefined && lookup.kind === 'set' && lookup.expression) addUnknownLength(sem, checks, lookup.expression, getCallTarget(call));
      else if (min === undefined && lookup.kind !== 'missing') checks.custom = true;
    }
    if (method === 'isStrongPassword') {
      // validator.js requires 8 characters unless minLength sets another length.
      const lookup = options ? lookupOption(sem, options, ['minLength']) : ({ kind: 'missing' } as const);
      const min = lookup.kind === 'set' && lookup.expression ? getNumber(sem, lookup.expression) : lookup.kind === 'missing' ? 8 : undefined;
      if (min !== undefined) checks.lengths.push({ min, node: getCallTarget(call) });
      else checks.custom = true;
    }
    if (method === 'matches' && options) addRegexCheck(sem, checks, options, getCallTarget(call));
    node = call;
  }
  return checks;
}

/** Returns the outermost call of a chain that starts at `base`. */
function getChainTop(base: ts.CallExpression): ts.CallExpression {
  let node = base;
  while (ts.isPropertyAccessExpression(node.parent) && ts.isCallExpression(node.parent.parent) && node.parent.parent.expression === node.parent) node = node.parent.parent;
  return node;
}

/** Returns the innermost call of a chain: `body('x')` of `body('x').isEmail().normalizeEmail()`. */
function getChainBase(expression: ts.Expression): ts.CallExpression | undefined {
  let node = skipOuterExpressions(expression);
  let base: ts.CallExpression | undefined;
  while (ts.isCallExpression(node)) {
    base = node;
    const callee = skipOuterExpressions(node.expression);
    if (!ts.isPropertyAccessExpression(callee)) break;
    node = skipOuterExpressions(callee.expression);
  }
  return base;
}

/** Finds the route registration or validator list a validator chain sits in: `router.post('/register', body(...), ...)` or `[body(...), ...]`. */
function findRouteCall(call: ts.CallExpression): ts.CallExpression | undefined {
  let node: ts.Node = getChainTop(call);
  for (let hops = 0; hops < 3; hops++) {
    const parent = node.parent;
    if (ts.isCallExpression(parent) && parent.arguments.includes(node as ts.Expression)) return parent;
    if (!ts.isArrayLiteralExpression(parent)) return undefined;
    node = parent;
  }
  return undefined;
}

function routePath(route: ts.CallExpression): string {
  const first = route.arguments[0];
  return first && ts.isStringLiteralLike(first) ? first.text : '';
}

/** `class RegisterDto { @MinLength(6) password: string }` with class-validator. */
function checkClassValidatorDto(context: RuleContext<MessageId>, node: ts.ClassDeclaration, report: Report): void {
  const sem = context.semantics;
  const members = node.members.filter((member): member is ts.PropertyDeclaration => ts.isPropertyDeclaration(member) && getDecorators(member).length > 0);
  if (members.length === 0) return;
  const decoratorNames = (member: ts.PropertyDeclaration) => getDecorators(member).map((decorator) => getDecoratorName(decorator) ?? '');
  for (const member of members) {
    const field = member.name && propertyNameText(member.name);
    if (!field || !isChosenPasswordName(field)) continue;
    const checks: FieldChecks = { lengths: [], custom: false, methods: decoratorNames(member) };
    for (const decorator of getDecorators(member)) {
      const name = getDecoratorName(decorator);
      const [first] = getDecoratorArguments(decorator);
      if ((name === 'MinLength' || name === 'Length') && first) {
        const min = getNumber(sem, first);
        if (min !== undefined && min > 1) checks.lengths.push({ min, node: decorator });
        if (min === undefined) addUnknownLength(sem, checks, first, decorator);
      } else if (name === 'IsStrongPassword') {
        const lookup = first ? lookupOption(sem, first, ['minLength']) : ({ kind: 'missing' } as const);
        const min = lookup.kind === 'set' && lookup.expression ? getNumber(sem, lookup.expression) : lookup.kind === 'missing' ? 8 : undefined;
        if (min !== undefined) checks.lengths.push({ min, node: decorator });
        else checks.custom = true;
      } else if (name === 'Matches' && first) {
        addRegexCheck(sem, checks, first, decorator);
      } else if (name === 'Validate') {
        checks.custom = true;
      }
    }
    const className = node.name?.text ?? '';
    if (onlyChecksPassword(field, className)) continue;
    const othersChecked = members.some((other) => other !== member && decoratorNames(other).some((name) => CONTENT_CHECKS.test(name)));
    const allowed = othersChecked && choosesPassword(field, className);
    judgeChecks(checks, field, { node: member, allowed }, report);
  }
}

/**
 * JSON Schema, as Fastify and Ajv take it, and TypeBox, which builds it:
 * `password: { type: 'string', minLength: 6 }` and
 * `password: Type.String({ minLength: 6 })`.
 */
function checkJsonSchemaProperty(context: RuleContext<MessageId>, property: ts.PropertyAssignment, report: Report): void {
  const sem = context.semantics;
  const field = propertyNameText(property.name);
  // A login route's schema checks that a password was sent, and sets no policy.
  if (!field || !isChosenPasswordName(field) || onlyChecksPassword(field, getSchemaContext(property))) return;
  let schema = skipOuterExpressions(property.initializer);
  if (ts.isCallExpression(schema)) {
    const callee = skipOuterExpressions(schema.expression);
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'String' || !schema.arguments[0]) return;
    schema = skipOuterExpressions(schema.arguments[0]);
  } else {
    const type = ts.isObjectLiteralExpression(schema) ? lookupOption(sem, schema, ['type']) : undefined;
    if (type?.kind !== 'set' || type.value.kind !== 'string' || type.value.value !== 'string') return;
  }
  if (!ts.isObjectLiteralExpression(schema)) return;
  const lookup = lookupOption(sem, schema, ['minLength']);
  if (lookup.kind !== 'set') return;
  const min = lookup.value.kind === 'number' ? lookup.value.value : undefined;
  if (min !== undefined && min < MIN_LENGTH) report(lookup.node, 'tooShort', field, min);
}

/** `new Schema({ password: { type: String, minlength: 6 } })` in Mongoose. */
function checkMongooseSchema(context: RuleContext<MessageId>, expression: ts.NewExpression, report: Report): void {
  const sem = context.semantics;
  if (!importsMongoose(sem.sourceFile)) return;
  const origin = sem.originOf(expression.expression);
  if (origin.root.kind !== 'module' || packageName(origin.root.specifier) !== 'mongoose') return;
  const fields = expression.arguments?.[0] ? getObjectLiteral(sem, expression.arguments[0]) : undefined;
  for (const property of fields?.properties ?? []) {
    const field = property.name && propertyNameText(property.name);
    const value = getPropertyValue(property);
    if (!field || !value || !isChosenPasswordName(field)) continue;
    for (const option of ['minlength', 'minLength']) {
      const lookup = lookupOption(sem, value, [option]);
      if (lookup.kind !== 'set') continue;
      // Mongoose takes `minlength: 6` or `minlength: [6, 'message']`.
      const limit = lookup.value.kind === 'array' ? lookup.value.items[0] : lookup.value;
      const min = limit?.kind === 'number' ? limit.value : undefined;
      if (min !== undefined && min < MIN_LENGTH) report(lookup.node, 'tooShort', field, min);
    }
  }
}

/**
 * Hand-written checks by call: `PASSWORD_PATTERN.test(password)`,
 * `password.match(/^.{6,}$/)` and validator.js
 * `isLength(password, { min: 6 })`.
 */
function checkManualCall(context: RuleContext<MessageId>, call: ts.CallExpression, report: Report): void {
  const sem = context.semantics;
  const callee = skipOuterExpressions(call.expression);
  const method = getCalleeName(call);
  const [first, second] = call.arguments;
  if (!method || !first) return;

  let field: string | undefined;
  let pattern: ts.Expression | undefined;
  let options: ts.Expression | undefined;
  if (method === 'test' && ts.isPropertyAccessExpression(callee)) {
    field = getPasswordName(first);
    pattern = callee.expression;
  } else if (method === 'match' && ts.isPropertyAccessExpression(callee)) {
    field = getPasswordName(callee.expression);
    pattern = first;
  } else if (method === 'isLength' && second) {
    field = getPasswordName(first);
    options = second;
  }
  if (!field || !isChosenPasswordName(field) || CHECKING_CONTEXT.test(getSchemaContext(call))) return;
  if (pattern && isRejectingMatch(call)) return;

  const checks: FieldChecks = { lengths: [], custom: false, methods: [method] };
  if (pattern) addRegexCheck(sem, checks, pattern, getCallTarget(call));
  if (options) {
    const lookup = lookupOption(sem, options, ['min']);
    const min = lookup.kind === 'set' && lookup.expression ? getNumber(sem, lookup.expression) : undefined;
    if (min !== undefined && min > 1) checks.lengths.push({ min, node: getCallTarget(call) });
  }
  judgeChecks(checks, field, undefined, report);
}

/**
 * True for a pattern that a password must not match: `if (/^\d+$/.test(password))`
 * with no negation, whose branch rejects the password. A pattern the
 * password must match is tested under a `!`, or returned.
 */
function isRejectingMatch(call: ts.CallExpression): boolean {
  let negated = false;
  let node: ts.Node = call;
  while (ts.isParenthesizedExpression(node.parent) || (ts.isPrefixUnaryExpression(node.parent) && node.parent.operator === ts.SyntaxKind.ExclamationToken)) {
    if (ts.isPrefixUnaryExpression(node.parent)) negated = !negated;
    node = node.parent;
  }
  if (negated || !ts.isIfStatement(node.parent) || node.parent.expression !== node || node.parent.elseStatement) return false;
  // `if (STRONG.test(password)) return true;` accepts the password the pattern matches.
  return !/\breturn\s+(true|password|value)\b/.test(node.parent.thenStatement.getText());
}

/** Returns the name of a variable or property that may hold a password: `password`, `req.body.newPassword`. */
function getPasswordName(expression: ts.Expression): string | undefined {
  const node = skipOuterExpressions(expression);
  return ts.isIdentifier(node) ? node.text : getMemberName(node);
}

/**
 * `if (password.length < 6)`: a hand-written minimum. Comparisons with 0 or 1
 * only test that a password is present. Handlers named for login are left
 * out, since they check a password rather than set one.
 */
function checkManualLength(context: RuleContext<MessageId>, binary: ts.BinaryExpression, report: Report): void {
  const sem = context.semantics;
  const operator = binary.operatorToken.kind;
  const left = skipOuterExpressions(binary.left);
  const right = skipOuterExpressions(binary.right);
  const leftField = getLengthOf(left);
  const rightField = getLengthOf(right);
  const field = leftField ?? rightField;
  if (!field || !isChosenPasswordName(field)) return;
  const limit = getNumber(sem, leftField ? right : left);
  if (limit === undefined) return;
  // Normalise to `length OP limit`.
  const flipped = leftField ? operator : flip(operator);
  let min: number | undefined;
  if (flipped === ts.SyntaxKind.LessThanToken || flipped === ts.SyntaxKind.GreaterThanEqualsToken) min = limit;
  else if (flipped === ts.SyntaxKind.LessThanEqualsToken || flipped === ts.SyntaxKind.GreaterThanToken) min = limit + 1;
  if (min === undefined || min <= 1 || min >= MIN_LENGTH) return;
  if (CHECKING_CONTEXT.test(getSchemaContext(binary))) return;
  report(binary, 'tooShort', field, min);
}

/** The minimum of `.refine((value) => value.length >= 6)`, a callback that only compares its value's length. */
function getRefinedMinimum(sem: FileSemantics, callback: ts.Expression): number | undefined {
  const fn = skipOuterExpressions(callback);
  if (!ts.isArrowFunction(fn) || ts.isBlock(fn.body) || fn.parameters.length !== 1 || !ts.isIdentifier(fn.parameters[0]!.name)) return undefined;
  const parameter = fn.parameters[0]!.name.text;
  const body = skipOuterExpressions(fn.body);
  if (!ts.isBinaryExpression(body)) return undefined;
  const left = skipOuterExpressions(body.left);
  if (!ts.isPropertyAccessExpression(left) || left.name.text !== 'length' || !ts.isIdentifier(left.expression) || left.expression.text !== parameter) return undefined;
  const limit = getNumber(sem, body.right);
  if (limit === undefined) return undefined;
  if (body.operatorToken.kind === ts.SyntaxKind.GreaterThanEqualsToken) return limit;
  if (body.operatorToken.kind === ts.SyntaxKind.GreaterThanToken) return limit + 1;
  return undefined;
}

/** `password.length` and `req.body.password.length` give `password`. */
function getLengthOf(node: ts.Expression): string | undefined {
  if (!ts.isPropertyAccessExpression(node) || node.name.text !== 'length') return undefined;
  const target = skipOuterExpressions(node.expression);
  return ts.isIdentifier(target) ? target.text : getMemberName(target);
}

function flip(operator: ts.SyntaxKind): ts.SyntaxKind {
  switch (operator) {
    case ts.SyntaxKind.LessThanToken:
      return ts.SyntaxKind.GreaterThanToken;
    case ts.SyntaxKind.GreaterThanToken:
      return ts.SyntaxKind.LessThanToken;
    case ts.SyntaxKind.LessThanEqualsToken:
      return ts.SyntaxKind.GreaterThanEqualsToken;
    case ts.SyntaxKind.GreaterThanEqualsToken:
      return ts.SyntaxKind.LessThanEqualsToken;
    default:
      return operator;
  }
}
