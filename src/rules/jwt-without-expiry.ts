import path from 'node:path';
import { ts } from '../typescript.js';
import { getDecoratorName } from '../analysis/syntax.js';
import type { FileSemantics } from '../analysis/semantics.js';
import type { DeferredCheck, ImportRef } from '../engine/facts.js';
import { defineRule, type ProjectContext } from './rule.js';
import { getCallTarget } from './shared/report-target.js';
import { describeCallee, getBuilderChain, getJwtOperation, getModuleOptionPath, type JwtOperation } from './shared/jwt.js';
import { definedCheck, isTrue, lookupOption, type OptionLookup } from './shared/jwt-options.js';
import { getFactPlace, type FactPlace } from './shared/fact-place.js';
import { getProjectImports, toImportValue } from './shared/jwt-facts.js';
import { gatherWalkLists, WalkPicks } from './shared/walk-lists.js';

/** Whether tokens get an expiry, as far as one file can tell. */
type Presence = { kind: 'set' } | { kind: 'absent' } | { kind: 'unknown' } | { kind: 'imported'; ref: ImportRef };

/**
 * Facts for the project step. A NestJS `JwtService.sign()` call gets its
 * defaults from the `JwtModule` registration of the module that provides the
 * service, and `fastify.jwt.sign()` from the `@fastify/jwt` registration;
 * both usually sit in another file.
 */
type RegistrationFact =
  | (FactPlace & { type: 'registration'; expiry: Presence; global: boolean; imports: string[]; option: string; module: string })
  | (FactPlace & { type: 'sign'; expiry: Presence; callee: string; module: string })
  /** A NestJS `@Module()` file and the project modules it imports, to follow `imports: [AuthModule]`. */
  | { type: 'nest-module'; imports: string[] };

/** Libraries whose sign calls take their defaults from a registration. */
const REGISTERED_LIBRARIES = new Set(['@nestjs/jwt', '@fastify/jwt']);

/** The registration's name in messages, by library. */
const MODULE_NAMES: Record<string, string> = { '@nestjs/jwt': 'JwtModule', '@fastify/jwt': '@fastify/jwt' };

type MessageId = 'sign' | 'signClaim' | 'builder' | 'signer' | 'registration' | 'registeredSign';

export default defineRule<MessageId, RegistrationFact>({
  meta: {
    id: 'jwt-without-expiry',
    title: 'JWT signed without an expiry',
    summary:
      'Flags JSON Web Tokens signed with no expiry: no `expiresIn` option, no `setExpirationTime()` and no `exp` claim. A token that never expires grants access to patient data for as long as the signing key lives, even after it leaks or its user is removed.',
    severity: 'high',
    precision: 'high',
    cwe: [613],
    owasp: 'A07:2021-Identification and Authentication Failures',
    messages: {
      sign: '{{callee}} signs a token with no expiresIn option and no exp claim, so the token never expires.',
      signClaim: '{{callee}} signs a token whose payload has no exp claim, so the token never expires.',
      builder: 'This {{className}} chain never calls setExpirationTime() and its payload has no exp claim, so the token never expires.',
      signer: '{{callee}} has no expiresIn option, so the tokens it signs never expire.',
      registration: 'The {{module}} options set no {{option}}, so tokens signed with these defaults never expire.',
      registeredSign: '{{callee}} signs a token with no expiresIn, and no {{module}} registration in the scan sets one.',
    },
  },
  create(context) {
    const sem = context.semantics;
    const { lists, visitors } = gatherWalkLists(context, ['invocations', 'decorators']);
    const check = (node: ts.CallExpression | ts.NewExpression): void => {
      const operation = getJwtOperation(sem, node);
      if (!operation) return;
      switch (operation.kind) {
        case 'sign': {
          if (REGISTERED_LIBRARIES.has(operation.library)) {
            context.addFact({
              type: 'sign',
              ...getFactPlace(context.sourceFile, getCallTarget(operation.node)),
              expiry: getSignPresence(sem, operation),
              callee: describeCallee(operation),
              module: MODULE_NAMES[operation.library]!,
            });
            return;
          }
          // Hono's sign() has no options: only the payload can carry an expiry.
          const messageId = operation.library === 'hono/jwt' ? 'signClaim' : 'sign';
          reportMissing(getSignExpiry(sem, operation.options, operation.payload), (unless) =>
            context.report({ node: getCallTarget(operation.node), messageId, data: { callee: describeCallee(operation) }, unless }),
          );
          return;
        }
        case 'builder':
          if (operation.className === 'UnsecuredJWT') return;
          reportMissing(getBuilderExpiry(sem, operation), (unless) =>
            context.report({ node: operation.node, messageId: 'builder', data: { className: operation.className }, unless }),
          );
          return;
        case 'signer':
          reportMissing(getOptionExpiry(lookupOption(sem, operation.options, ['expiresIn'])), (unless) =>
            context.report({ node: getCallTarget(operation.node), messageId: 'signer', data: { callee: describeCallee(operation) }, unless }),
          );
          return;
        case 'module': {
          const path = [...getModuleOptionPath(operation, 'sign'), 'expiresIn'];
          context.addFact({
            type: 'registration',
            ...getFactPlace(context.sourceFile, getCallTarget(operation.node)),
            expiry: operation.optionsUnknown ? { kind: 'unknown' } : toPresence(lookupOption(sem, operation.options, path)),
            global: isGlobalRegistration(sem, operation),
            imports: getProjectImports(sem),
            option: path.join('.'),
            module: MODULE_NAMES[operation.library]!,
          });
          return;
        }
        default:
          return;
      }
    };
    const checkDecorator = (decorator: ts.Decorator): void => {
      if (getDecoratorName(decorator) !== 'Module' || !ts.isClassDeclaration(decorator.parent)) return;
      context.addFact({ type: 'nest-module', imports: getProjectImports(sem) });
    };
    return {
      ...visitors,
      onEnd() {
        const picks = new WalkPicks();
        picks.addWhere(lists.invocations, (node) => getJwtOperation(sem, node) !== undefined);
        picks.addWhere(lists.decorators, (decorator) => getDecoratorName(decorator) === 'Module');
        // In walk order, so that facts come in the order of the code.
        for (const node of picks.inWalkOrder()) {
          if (ts.isDecorator(node)) checkDecorator(node);
          else check(node as ts.CallExpression | ts.NewExpression);
        }
      },
    };
  },
  project(context) {
    reportRegistrations(context);
  },
});

/** The verdict on one signing place: it sets an expiry, cannot be judged, or lacks one unless imported values supply it. */
type Expiry = { kind: 'set' } | { kind: 'unknown' } | { kind: 'missing'; unless: DeferredCheck[] };

const SET: Expiry = { kind: 'set' };
const UNKNOWN: Expiry = { kind: 'unknown' };

function reportMissing(expiry: Expiry, report: (unless: DeferredCheck[]) => void): void {
  if (expiry.kind === 'missing') report(expiry.unless);
}

/** jsonwebtoken's `sign(payload, key, options)`: `expiresIn` in the options or `exp` in the payload. */
function getSignExpiry(sem: FileSemantics, options: ts.Expression | undefined, payload: ts.Expression | undefined): Expiry {
  const option = getOptionExpiry(lookupOption(sem, options, ['expiresIn']));
  if (option.kind !== 'missing') return option;
  return withClaim(sem, payload, option.unless);
}

function getOptionExpiry(option: OptionLookup): Expiry {
  switch (option.kind) {
    case 'set':
      return SET;
    case 'unknown':
      return UNKNOWN;
    case 'imported':
      return { kind: 'missing', unless: [definedCheck(option.ref)] };
    default:
      return { kind: 'missing', unless: [] };
  }
}

/**
 * Adds the payload's `exp` claim to a verdict. A payload that cannot be read,
 * such as a parameter, is taken to have no `exp`: code rarely sets it by hand.
 */
function withClaim(sem: FileSemantics, payload: ts.Expression | undefined, unless: DeferredCheck[]): Expiry {
  const claim = lookupOption(sem, payload, ['exp']);
  if (claim.kind === 'set') return SET;
  if (claim.kind !== 'imported') return { kind: 'missing', unless };
  // Either import could supply the expiry, and deferred checks cannot express "either".
  if (unless.length > 0) return UNKNOWN;
  return { kind: 'missing', unless: [definedCheck(claim.ref)] };
}

/** Judges a jose builder: missing when it is signed here without `setExpirationTime()` or an `exp` claim. */
function getBuilderExpiry(sem: FileSemantics, operation: Extract<JwtOperation, { kind: 'builder' }>): Expiry {
  const chain = getBuilderChain(sem, operation.node);
  if (!chain.signed || chain.escapes) return UNKNOWN;
  if (chain.calls.has('setExpirationTime')) return SET;
  return withClaim(sem, operation.payload, []);
}

function getSignPresence(sem: FileSemantics, operation: Extract<JwtOperation, { kind: 'sign' }>): Presence {
  const option = toPresence(lookupOption(sem, operation.options, ['expiresIn']));
  if (option.kind !== 'absent') return option;
  const claim = lookupOption(sem, operation.payload, ['exp']);
  return claim.kind === 'set' ? { kind: 'set' } : option;
}

function toPresence(option: OptionLookup): Presence {
  switch (option.kind) {
    case 'set':
      return { kind: 'set' };
    case 'imported':
      return { kind: 'imported', ref: option.ref };
    default:
      return { kind: option.kind };
  }
}

/**
 * `JwtModule.register({ global: true })` makes `JwtService` available to every
 * module. A Fastify plugin registration is taken as global too, because
 * @fastify/jwt is wrapped with fastify-plugin and so decorates the instance it
 * is registered on.
 */
function isGlobalRegistration(sem: FileSemantics, operation: Extract<JwtOperation, { kind: 'module' }>): boolean {
  if (operation.library === '@fastify/jwt') return true;
  const argument = operation.node.arguments?.[0];
  const global = lookupOption(sem, argument, ['global']);
  return global.kind === 'set' && isTrue(global.value);
}

/**
 * Judges signing with registered defaults across files. A registration covers
 * its own file, the files it imports (the providers of its module), the files
 * imported by NestJS modules that import it (`imports: [AuthModule]` where
 * AuthModule exports JwtModule) and, when global, the files below its folder. A registration without `signOptions.expiresIn` is
 * reported unless every `sign()` call it covers passes its own `expiresIn`. A
 * `sign()` call without `expiresIn` is reported at the call only when no
 * registration covers it.
 */
function reportRegistrations(context: ProjectContext<MessageId>): void {
  const registrations: Array<{ file: string; fact: Extract<RegistrationFact, { type: 'registration' }> }> = [];
  const signs: Array<{ file: string; fact: Extract<RegistrationFact, { type: 'sign' }> }> = [];
  const imports = new Map<string, Set<string>>();
  for (const { file, facts } of context.facts<RegistrationFact>()) {
    for (const fact of facts) {
      if (fact.type === 'registration') registrations.push({ file, fact });
      else if (fact.type === 'sign') signs.push({ file, fact });
      if (fact.type !== 'sign') imports.set(file, resolveImports(context, file, fact.imports, imports.get(file)));
    }
  }

  const covers = (registration: (typeof registrations)[number], file: string, module: string): boolean => {
    if (registration.fact.module !== module) return false;
    if (registration.file === file) return true;
    if (imports.get(registration.file)?.has(file)) return true;
    for (const importing of imports.values()) {
      if (importing.has(registration.file) && importing.has(file)) return true;
    }
    const folder = path.posix.dirname(registration.file);
    return registration.fact.global && (folder === '.' || file.startsWith(`${folder}/`));
  };

  for (const registration of registrations) {
    if (resolvePresence(context, registration.file, registration.fact.expiry) !== 'absent') continue;
    const covered = signs.filter((sign) => covers(registration, sign.file, sign.fact.module));
    if (covered.length > 0 && covered.every((sign) => resolvePresence(context, sign.file, sign.fact.expiry) !== 'absent')) continue;
    const { location, key, option, module } = registration.fact;
    context.report({ file: registration.file, location, messageId: 'registration', data: { module, option }, fingerprintKey: key });
  }

  for (const sign of signs) {
    if (resolvePresence(context, sign.file, sign.fact.expiry) !== 'absent') continue;
    if (registrations.some((registration) => covers(registration, sign.file, sign.fact.module))) continue;
    const { location, key, callee, module } = sign.fact;
    context.report({ file: sign.file, location, messageId: 'registeredSign', data: { callee, module }, fingerprintKey: key });
  }
}

function resolveImports(context: ProjectContext, file: string, specifiers: readonly string[], into = new Set<string>()): Set<string> {
  for (const specifier of specifiers) {
    const resolved = context.resolver.resolve(file, specifier);
    if (resolved) into.add(resolved);
  }
  return into;
}

/** Settles an imported expiry: absent only when the exporting module is scanned and lacks it. */
function resolvePresence(context: ProjectContext, file: string, presence: Presence): 'set' | 'absent' | 'unknown' {
  if (presence.kind !== 'imported') return presence.kind;
  const value = context.resolveValue(file, toImportValue(presence.ref));
  if (value.kind === 'import') return 'unknown';
  return value.kind === 'undefined' ? 'absent' : 'set';
}
