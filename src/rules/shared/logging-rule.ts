import path from 'node:path';
import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { isRelativeSpecifier, packageName } from '../../analysis/origin.js';
import type { SensitiveKind } from '../../analysis/sensitive.js';
import type { ResolvedConfig } from '../../config/schema.js';
import type { ExportSummary, ImportRef } from '../../engine/facts.js';
import type { ProjectContext, ReportDescriptor, RuleContext, Visitors } from '../rule.js';
import {
  getExportedLoggerRedaction,
  getLogCall,
  getLoggerSetup,
  getLoggingHints,
  getMorganLogging,
  isRedacted,
  type LoggerSetup,
  type LoggingHints,
  type RedactInfo,
} from './logging.js';
import { getRuleOfKind, LoggedValueClassifier, type LoggedItem, type LoggedRule, type Place } from './logged-values.js';
import type { TypeFact, TypeRef } from './sensitive-types.js';

/** Message ids shared by the two log rules. */
export type LoggingMessageId = 'value' | 'values' | 'body' | 'headers' | 'request' | 'typed' | 'record';

interface Location {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

/** A logged item in plain data, for the project step. */
interface ItemFact {
  reason: LoggedItem['reason'];
  rule?: LoggedRule;
  kind?: SensitiveKind;
  label: string;
  field?: string;
  contents: LoggedItem['contents'];
  place?: Place;
  via: ImportRef[];
  pending?: { refs: TypeRef[]; body: boolean };
  location: Location;
  /** The origin of the data, as a related location of the finding. */
  source?: { location: Location; message: string };
}

/**
 * Facts of the log rules:
 * - `module`: the types of a file that declare sensitive fields, and the loggers it exports that redact;
 * - `call`: a log call whose verdict depends on other modules: an imported type, an
 *   imported helper that may mask its argument, or an imported logger that may redact.
 */
export type LoggingFact =
  | { type: 'module'; types: Record<string, TypeFact>; loggers: Record<string, RedactInfo> }
  | { type: 'call'; location: Location; fingerprintKey: string; logger?: ImportRef; items: ItemFact[] };

interface FileAnalysis {
  classifier: LoggedValueClassifier;
  hints: LoggingHints;
  /** The calls that log sensitive values, in the order of the walk. */
  logged: Array<{ call: ts.CallExpression; analysis: CallAnalysis }>;
  /** Set once a rule has taken on the analysis of the calls, for both rules. */
  analyzing: boolean;
  /** What stopped the analysis of the calls; the other rule fails with it too. */
  error?: { reason: unknown };
  /** The module fact, the same for both rules; null when the module has nothing to record. */
  moduleFact?: Extract<LoggingFact, { type: 'module' }> | null;
}

interface CallAnalysis {
  items: LoggedItem[];
  setup: LoggerSetup;
}

/** Both rules analyse the same calls of the same file; the analysis is shared through this cache. */
const analyses = new WeakMap<FileSemantics, { config: ResolvedConfig; analysis: FileAnalysis }>();

function getFileAnalysis(sem: FileSemantics, config: ResolvedConfig): FileAnalysis {
  const cached = analyses.get(sem);
  if (cached && cached.config === config) return cached.analysis;
  const classifier = new LoggedValueClassifier(sem, {
    sensitiveFields: config.sensitiveFields,
    redactors: config.wrappers.redactors,
  });
  const analysis: FileAnalysis = { classifier, hints: getLoggingHints(sem.sourceFile), logged: [], analyzing: false };
  analyses.set(sem, { config, analysis });
  return analysis;
}

function analyzeCall(sem: FileSemantics, analysis: FileAnalysis, call: ts.CallExpression): CallAnalysis | undefined {
  const log = getLogCall(sem, call, analysis.hints);
  if (log) {
    const items = log.args.flatMap((argument) => analysis.classifier.classifyArgument(argument.expression, argument.index));
    return items.length > 0 ? { items, setup: getLoggerSetup(sem, log) } : undefined;
  }
  const items = getMorganItems(analysis.classifier, getMorganLogging(sem, call, analysis.hints));
  return items.length > 0 ? { items, setup: {} } : undefined;
}

function getMorganItems(classifier: LoggedValueClassifier, morgan: ReturnType<typeof getMorganLogging>): LoggedItem[] {
  if (!morgan) return [];
  if (morgan.kind === 'token') return classifier.classifyReturnedValues(morgan.fn);
  return morgan.headers.flatMap((header) => classifier.classifyHeaderName(header, morgan.node) ?? []);
}

/** Decides what the per-file step does with an item: report it now, drop it, or leave it to the project step. */
function settleItem(item: LoggedItem, rule: LoggedRule, setup: LoggerSetup): 'report' | 'drop' | 'defer' {
  if (item.pending) return 'defer';
  if (item.rule !== rule) return 'drop';
  if (item.place && setup.redact && isRedacted(setup.redact, item.place, contentsOf(item))) return 'drop';
  if (item.via.length > 0) return 'defer';
  if (item.place && setup.imported) return 'defer';
  return 'report';
}

function contentsOf(item: { contents: LoggedItem['contents'] }): readonly string[] | 'unknown' | undefined {
  return item.contents === 'leaf' ? undefined : item.contents;
}

/**
 * Creates the per-file step of a log rule, which reports log calls with
 * sensitive values of the rule's kind. The first of the two rules to start
 * on a file analyses its calls during the walk and reports its own findings
 * there; the other one reports from the same analysis once the walk is over.
 */
export function createLoggingVisitors(context: RuleContext<LoggingMessageId>, rule: LoggedRule): Visitors {
  const sem = context.semantics;
  const analysis = getFileAnalysis(sem, context.config);
  const addModuleFact = (): void => {
    if (analysis.moduleFact === undefined) {
      const types = analysis.classifier.types.getTypeFacts();
      const loggers = getExportedLoggerRedaction(sem);
      const some = Object.keys(types).length > 0 || Object.keys(loggers).length > 0;
      analysis.moduleFact = some ? { type: 'module', types, loggers } : null;
    }
    if (analysis.moduleFact) context.addFact(analysis.moduleFact);
  };

  if (analysis.analyzing) {
    return {
      onEnd() {
        for (const { call, analysis: result } of analysis.logged) reportCall(context, rule, call, result);
        if (analysis.error) throw analysis.error.reason;
        addModuleFact();
      },
    };
  }
  analysis.analyzing = true;
  return {
    CallExpression(call) {
      let result: CallAnalysis | undefined;
      try {
        result = analyzeCall(sem, analysis, call);
      } catch (reason) {
        analysis.error = { reason };
        throw reason;
      }
      if (!result) return;
      analysis.logged.push({ call, analysis: result });
      reportCall(context, rule, call, result);
    },
    onEnd: addModuleFact,
  };
}

/** Reports a log call with values of the rule's kind, or records it for the project step when other modules decide. */
function reportCall(
  context: RuleContext<LoggingMessageId>,
  rule: LoggedRule,
  call: ts.CallExpression,
  analysis: CallAnalysis,
): void {
  const reported: LoggedItem[] = [];
  const deferred: LoggedItem[] = [];
  for (const item of analysis.items) {
    const verdict = settleItem(item, rule, analysis.setup);
    if (verdict === 'report') reported.push(item);
    else if (verdict === 'defer') deferred.push(item);
  }
  if (reported.length > 0) {
    context.report({ node: call, ...describeItems(reported), related: getRelated(reported) });
    return;
  }
  if (deferred.length === 0) return;
  const fact: LoggingFact = {
    type: 'call',
    location: locate(context.sourceFile, call.getStart(), call.getEnd()),
    fingerprintKey: getLineText(context.sourceFile, call.getStart()),
    items: deferred.map((item) => toItemFact(context.sourceFile, item)),
  };
  if (analysis.setup.imported) fact.logger = analysis.setup.imported;
  context.addFact(fact);
}

/** Builds the message of a finding: the first item decides, and several named values are listed together. */
function describeItems(items: ReadonlyArray<Pick<LoggedItem, 'reason' | 'label' | 'field'>>): Pick<ReportDescriptor<LoggingMessageId>, 'messageId' | 'data'> {
  const first = items[0]!;
  if (first.reason === 'typed') return { messageId: 'typed', data: { name: first.label, field: first.field ?? 'sensitive' } };
  if (first.reason !== 'name') return { messageId: first.reason, data: { name: first.label } };
  const names = [...new Set(items.filter((item) => item.reason === 'name').map((item) => item.label))];
  if (names.length === 1) return { messageId: 'value', data: { name: names[0]! } };
  const listed = names.length > 3 ? [...names.slice(0, 3), `${names.length - 3} more`] : names;
  return { messageId: 'values', data: { names: `${listed.slice(0, -1).join(', ')} and ${listed[listed.length - 1]}` } };
}

function getRelated(items: readonly LoggedItem[]): NonNullable<ReportDescriptor['related']> {
  const related: NonNullable<ReportDescriptor['related']> = [];
  for (const item of items) {
    if (item.source) related.push({ node: item.source.node, message: item.source.message });
  }
  return related;
}

function toItemFact(sourceFile: ts.SourceFile, item: LoggedItem): ItemFact {
  const fact: ItemFact = {
    reason: item.reason,
    label: item.label,
    contents: item.contents,
    via: item.via,
    location: locate(sourceFile, item.node.getStart(), item.node.getEnd()),
  };
  if (item.rule) fact.rule = item.rule;
  if (item.kind) fact.kind = item.kind;
  if (item.field) fact.field = item.field;
  if (item.place) fact.place = item.place;
  if (item.pending) fact.pending = item.pending;
  if (item.source) {
    const node = item.source.node;
    fact.source = { location: locate(sourceFile, node.getStart(), node.getEnd()), message: item.source.message };
  }
  return fact;
}

function locate(sourceFile: ts.SourceFile, start: number, end: number): Location {
  const begin = sourceFile.getLineAndCharacterOfPosition(start);
  const finish = sourceFile.getLineAndCharacterOfPosition(end);
  return { startLine: begin.line + 1, startColumn: begin.character + 1, endLine: finish.line + 1, endColumn: finish.character + 1 };
}

/** Returns the text of the line that contains a position, with runs of white space collapsed: the default fingerprint key. */
function getLineText(sourceFile: ts.SourceFile, position: number): string {
  const line = sourceFile.getLineAndCharacterOfPosition(position).line;
  const starts = sourceFile.getLineStarts();
  const text = sourceFile.text.slice(starts[line], starts[line + 1] ?? sourceFile.text.length);
  return text.trim().replace(/\s+/g, ' ');
}

const MAX_LOOKUP_DEPTH = 8;

/**
 * Runs the project step of a log rule, which settles the log calls that
 * depend on other modules. An item is reported unless a helper it passed
 * through is a redactor or the imported logger redacts its place. An item
 * typed by a type of another module is reported when that type declares
 * sensitive fields of the rule's kind.
 */
export function runLoggingProject(context: ProjectContext<LoggingMessageId>, rule: LoggedRule): void {
  const all = context.facts<LoggingFact>();
  const modules = new Map<string, Extract<LoggingFact, { type: 'module' }>>();
  for (const { file, facts } of all) {
    for (const fact of facts) if (fact.type === 'module') modules.set(file, fact);
  }
  const lookup = new ExportLookup(context, modules);

  for (const { file, facts } of all) {
    for (const fact of facts) {
      if (fact.type !== 'call') continue;
      const redact = fact.logger ? lookup.findLogger(file, fact.logger) : undefined;
      const reportable: ItemFact[] = [];
      for (const item of fact.items) {
        const settled = settlePending(lookup, file, item);
        if (!settled || settled.rule !== rule) continue;
        if (settled.via.some((ref) => lookup.isRedactor(file, ref))) continue;
        if (redact && settled.place && isRedacted(redact, settled.place, contentsOf(settled))) continue;
        reportable.push(settled);
      }
      if (reportable.length === 0) continue;
      context.report({
        file,
        location: fact.location,
        ...describeItems(reportable),
        related: reportable.flatMap((item) => (item.source ? [{ file, ...item.source }] : [])),
        fingerprintKey: fact.fingerprintKey,
      });
    }
  }
}

/** Decides an item that waits for a type of another module, and returns undefined when the type contains nothing sensitive. */
function settlePending(lookup: ExportLookup, file: string, item: ItemFact): ItemFact | undefined {
  if (!item.pending) return item;
  const fields: Array<{ path: string; kind: SensitiveKind }> = [];
  let found = false;
  for (const ref of item.pending.refs) {
    const type = lookup.findTypeFields(file, ref, 0);
    if (!type) continue;
    found = true;
    fields.push(...type);
  }
  if (fields.length === 0) {
    if (found || !item.pending.body) return undefined;
    const { pending: _settled, ...rest } = item;
    return { ...rest, reason: 'body', rule: 'secret', contents: 'unknown' };
  }
  const secret = fields.filter((field) => getRuleOfKind(field.kind) === 'secret');
  const chosen = secret.length > 0 ? secret : fields;
  const first = chosen[0]!;
  const { pending: _settled, ...rest } = item;
  return {
    ...rest,
    reason: 'typed',
    rule: getRuleOfKind(first.kind),
    kind: first.kind,
    field: first.path,
    contents: [...new Set(chosen.map((field) => field.path.split('.')[0]!))],
  };
}

/** Finds exported types, loggers and helpers in the scanned modules, following re-exports. */
class ExportLookup {
  constructor(
    private readonly context: ProjectContext<LoggingMessageId>,
    private readonly modules: ReadonlyMap<string, Extract<LoggingFact, { type: 'module' }>>,
  ) {}

  /**
   * Returns the sensitive fields of an imported type: an empty list when the
   * module is scanned and the type has none, undefined when the module is not scanned.
   */
  findTypeFields(fromFile: string, ref: TypeRef, depth: number): Array<{ path: string; kind: SensitiveKind }> | undefined {
    if (depth > MAX_LOOKUP_DEPTH) return [];
    const found = this.findExport(fromFile, ref.specifier, ref.name, (file, name) => this.modules.get(file)?.types[name], 0);
    if (found === undefined) return undefined;
    if (found.value === undefined) return [];
    const fields = [...found.value.fields];
    // Each nested lookup puts its own prefix in front of the paths it returns.
    for (const nested of found.value.refs) fields.push(...(this.findTypeFields(found.file, nested, depth + 1) ?? []));
    const prefix = ref.prefix ? `${ref.prefix}.` : '';
    return fields
      .filter((field) => {
        const key = field.path.split('.')[0]!;
        if (ref.exclude?.includes(key)) return false;
        return !ref.only || ref.only.includes(key);
      })
      .map((field) => ({ ...field, path: prefix + field.path }));
  }

  /** Returns the redaction of an imported logger, when its module creates it with some. */
  findLogger(fromFile: string, ref: ImportRef): RedactInfo | undefined {
    const name = ref.path[0] ?? 'default';
    return this.findExport(fromFile, ref.specifier, name, (file, exportName) => this.modules.get(file)?.loggers[exportName], 0)?.value;
  }

  /**
   * True when an imported helper masks its argument: the configuration
   * declares it under `wrappers.redactors`, or as a sanitizer of kind
   * `redacted`, or everything it returns is constant, hashed or otherwise masked.
   */
  isRedactor(fromFile: string, ref: ImportRef): boolean {
    const name = ref.path.join('.') || 'default';
    const target = this.context.resolver.resolve(fromFile, ref.specifier);
    const { redactors, sanitizers } = this.context.config.wrappers;
    const declaredRedactors = [...redactors, ...sanitizers.filter((sanitizer) => sanitizer.kind === 'redacted')];
    for (const declared of declaredRedactors) {
      if (declared.export !== name) continue;
      if (matchesModule(declared.module, ref.specifier, target, this.context)) return true;
    }
    const [first = 'default', ...rest] = ref.path;
    const found = this.findExport(fromFile, ref.specifier, first, (file, exportName) => this.context.summary(file)?.exports[exportName], 0);
    let summary: ExportSummary | undefined = found?.value;
    for (const step of rest) summary = summary?.members?.[step];
    const returns = summary?.returns;
    return Boolean(returns && (returns.constant || returns.sanitized.includes('redacted') || returns.sanitized.includes('number')));
  }

  /**
   * Looks an export up in the module a specifier names, through `export ... from`.
   * Returns undefined when the module is not scanned, and `{ value: undefined }`
   * when it is scanned but `pick` finds nothing.
   */
  private findExport<T>(
    fromFile: string,
    specifier: string,
    name: string,
    pick: (file: string, name: string) => T | undefined,
    depth: number,
  ): { file: string; value: T | undefined } | undefined {
    if (depth > MAX_LOOKUP_DEPTH) return undefined;
    const file = this.context.resolver.resolve(fromFile, specifier);
    if (!file) return undefined;
    const value = pick(file, name);
    if (value !== undefined) return { file, value };
    for (const reexport of this.context.summary(file)?.reexports ?? []) {
      const original = reexport.names ? reexport.names[name] : name;
      if (original === undefined || original === '*') continue;
      const found = this.findExport(file, reexport.specifier, original, pick, depth + 1);
      if (found?.value !== undefined) return found;
    }
    return { file, value: undefined };
  }
}

/**
 * True when a declared module names the imported one: the same package, or
 * the same file of the project. Relative paths count from the scan root, and
 * absolute paths, which the config loader makes of paths relative to the
 * config file, match when they end with the file's path from the scan root.
 */
function matchesModule(declared: string, specifier: string, target: string | undefined, context: ProjectContext<LoggingMessageId>): boolean {
  if (declared === specifier) return true;
  if (!isRelativeSpecifier(declared)) return packageName(specifier) === declared;
  if (!target) return false;
  if (declared.startsWith('.')) return context.resolver.resolve('.keneyaudit.yml', declared) === target;
  const bare = (file: string): string => file.replace(/\.(m|c)?[jt]sx?$/, '').replace(/\/index$/, '');
  const declaredPath = bare(declared.split(path.sep).join('/'));
  const targetPath = bare(target);
  return declaredPath === targetPath || declaredPath.endsWith(`/${targetPath}`);
}
