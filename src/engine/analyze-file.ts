import { createHash } from 'node:crypto';
import { loadTypeScript, ts } from '../typescript.js';
import { FileSemantics, type SemanticOptions } from '../analysis/semantics.js';
import type { ResolvedConfig } from '../config/schema.js';
import type { Rule, RuleContext, ReportDescriptor, ReportTarget, Visitors } from '../rules/rule.js';
import type { Location, Notification, RelatedLocation, Severity } from '../types.js';
import type { CallFact, FileFinding, FileResult, ParameterSink } from './facts.js';
import { collectExportedFunctions, collectExportedInstances, summarizeModule, type ExportedInstance } from './module-summary.js';
import { collectCallFacts } from './call-facts.js';
import { keepCommentMarkers, parseSuppressions } from './suppressions.js';

export interface AnalyzeOptions {
  rules: readonly Rule[];
  config: ResolvedConfig;
  semantic: SemanticOptions;
  /** Every rule id, enabled or not, so suppressions can name disabled rules. */
  knownRuleIds: ReadonlySet<string>;
}

type Handler = (node: ts.Node) => void;

/**
 * Milliseconds spent in each rule's visitors, summed over the files this
 * thread analyses, when KENEY_AUDIT_TIMING is set. Work a rule triggers in the
 * shared semantic layer counts for the first rule that asks.
 */
export const ruleTimings: Map<string, number> | undefined = process.env.KENEY_AUDIT_TIMING ? new Map() : undefined;

/** Returns true for V8's error when the call stack runs out, which deeply nested code causes in recursive walks. */
export function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

function timeHandler(ruleId: string, handler: Handler, timings: Map<string, number>): Handler {
  return (node) => {
    const started = performance.now();
    try {
      handler(node);
    } finally {
      timings.set(ruleId, (timings.get(ruleId) ?? 0) + performance.now() - started);
    }
  };
}

/** True for `.env`, `.env.local`, `config/.env.production` and the like. */
export function isEnvFile(file: string): boolean {
  const base = file.slice(file.lastIndexOf('/') + 1);
  return base === '.env' || base.startsWith('.env.');
}

function getScriptKind(file: string): ts.ScriptKind {
  switch (file.slice(file.lastIndexOf('.'))) {
    case '.tsx':
      return ts.ScriptKind.TSX;
    case '.js':
    case '.mjs':
    case '.cjs':
      return ts.ScriptKind.JS;
    case '.jsx':
      return ts.ScriptKind.JSX;
    default:
      return ts.ScriptKind.TS;
  }
}

/**
 * The per-file step: parses one file, walks its tree once while every rule's
 * visitors listen, and returns findings, facts and the module summary. Reads
 * nothing but the text it is given.
 */
export function analyzeFile(file: string, text: string, options: AnalyzeOptions): FileResult {
  const lines = countLines(text);
  const suppressions = parseSuppressions(text, options.knownRuleIds, isEnvFile(file) ? 'env' : 'code');
  const collector = new FindingCollector(file, text);
  const facts: Record<string, unknown[]> = {};
  const notifications: Notification[] = [];

  if (isEnvFile(file)) {
    return {
      file,
      lines,
      hasSyntaxErrors: false,
      findings: runEnvRules(file, text, options, collector, facts, notifications),
      facts,
      summary: { exports: {}, reexports: [] },
      flows: { sinks: [], calls: [] },
      suppressions,
      notifications,
    };
  }

  loadTypeScript();
  // No rule reads JSDoc, and skipping it saves about a tenth of the parse.
  const sourceFile = ts.createSourceFile(
    file,
    text,
    { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone },
    true,
    getScriptKind(file),
  );
  collector.sourceFile = sourceFile;
  const syntaxErrors = (sourceFile as unknown as { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics ?? [];
  if (syntaxErrors.length > 0) {
    const first = syntaxErrors[0]!;
    const position = sourceFile.getLineAndCharacterOfPosition(first.start ?? 0);
    notifications.push({
      level: 'warning',
      kind: 'parse-error',
      file,
      line: position.line + 1,
      column: position.character + 1,
      message: `Syntax error: ${ts.flattenDiagnosticMessageText(first.messageText, ' ').replace(/\.?$/, '.')} The file has ${syntaxErrors.length} syntax error${syntaxErrors.length === 1 ? '' : 's'}, so its findings come from the recovered tree and may be incomplete.`,
    });
  }

  const semantics = new FileSemantics(sourceFile, options.semantic);
  const parameterSinks: ParameterSink[] = [];
  let exportedFunctions: Map<ts.Node, string[]> | undefined;
  const getExportedFunctions = (): Map<ts.Node, string[]> => (exportedFunctions ??= collectExportedFunctions(semantics));
  let exportedInstances: ExportedInstance[] | undefined;
  /** The paths other modules call an exported function by: its own, and through each exported object of its class. */
  const getCallPaths = (exportPath: string[]): string[][] => {
    exportedInstances ??= collectExportedInstances(semantics);
    const paths = exportPath[0]!.startsWith('#') ? [] : [exportPath];
    for (const instance of exportedInstances) {
      if (instance.classPath.every((step, index) => exportPath[index] === step)) paths.push([...instance.path, ...exportPath.slice(instance.classPath.length)]);
    }
    return paths;
  };
  const handlers: Handler[][] = [];
  const endHandlers: Array<{ rule: Rule; run: () => void }> = [];
  const failed = new Set<Rule>();

  const fail = (rule: Rule, error: unknown): void => {
    if (failed.has(rule)) return;
    failed.add(rule);
    if (isStackOverflow(error)) {
      // Deeply nested code exhausts the stack of recursive questions: a limit of the analysis, not a fault of the rule.
      notifications.push({
        level: 'warning',
        kind: 'rule-skipped',
        ruleId: rule.meta.id,
        file,
        message: `Rule ${rule.meta.id} skipped this file: its code is nested too deeply to analyse.`,
      });
      return;
    }
    const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
    notifications.push({
      level: 'error',
      kind: 'rule-failed',
      ruleId: rule.meta.id,
      file,
      message: `Rule ${rule.meta.id} failed: ${reason.split('\n').slice(0, 4).join(' | ')}`,
    });
  };

  for (const rule of options.rules) {
    if (!rule.create) continue;
    const context = createContext(rule, file, sourceFile, semantics, options.config, collector, facts);
    context.reportViaParameters = (descriptor) => {
      const exported = getExportedFunctions();
      for (const parameter of descriptor.parameters) {
        const ownPath = exported.get(parameter.fn);
        if (!ownPath) continue;
        for (const exportPath of getCallPaths(ownPath)) {
          parameterSinks.push({
            exportPath,
            index: parameter.index,
            ruleId: rule.meta.id,
            messageId: descriptor.messageId,
            data: { ...(descriptor.data ?? {}) },
            location: collector.locateTarget(descriptor.node),
            fingerprintKey: descriptor.fingerprintKey ?? collector.lineKey(descriptor.node),
            replaces: descriptor.replaces ?? [],
          });
        }
      }
    };
    let visitors: Visitors;
    try {
      visitors = rule.create(context);
    } catch (error) {
      fail(rule, error);
      continue;
    }
    // A `for...in` loop: this runs for every rule in every file, and `Object.entries` allocates a pair per visitor.
    for (const name in visitors) {
      const handler = (visitors as Record<string, unknown>)[name];
      if (typeof handler !== 'function' || name === 'onEnvFile') continue;
      if (name === 'onEnd') {
        endHandlers.push({ rule, run: handler as () => void });
        continue;
      }
      const kind = (ts.SyntaxKind as unknown as Record<string, number>)[name];
      if (kind === undefined) {
        fail(rule, new Error(`Rule ${rule.meta.id} visits the unknown node kind ${name}.`));
        continue;
      }
      const timed = ruleTimings ? timeHandler(rule.meta.id, handler as Handler, ruleTimings) : (handler as Handler);
      (handlers[kind] ??= []).push((node) => {
        if (failed.has(rule)) return;
        try {
          timed(node);
        } catch (error) {
          fail(rule, error);
        }
      });
    }
  }

  const calls: ts.CallExpression[] = [];
  const visit = (node: ts.Node): void => {
    if (node.kind === ts.SyntaxKind.CallExpression) calls.push(node as ts.CallExpression);
    const listeners = handlers[node.kind];
    if (listeners) for (const listener of listeners) listener(node);
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);

  for (const { rule, run } of endHandlers) {
    if (failed.has(rule)) continue;
    try {
      if (ruleTimings) timeHandler(rule.meta.id, run, ruleTimings)(sourceFile);
      else run();
    } catch (error) {
      fail(rule, error);
    }
  }

  let summary: FileResult['summary'] = { exports: {}, reexports: [] };
  let callFacts: CallFact[] = [];
  try {
    summary = summarizeModule(semantics);
    callFacts = collectCallFacts(semantics, calls, getExportedFunctions(), (node) => collector.locateTarget(node));
  } catch (error) {
    notifications.push({
      level: 'warning',
      kind: 'summary-failed',
      file,
      message: `Could not summarize the exports of ${file}: ${error instanceof Error ? error.message : String(error)}`,
    });
  }

  return {
    file,
    lines,
    hasSyntaxErrors: syntaxErrors.length > 0,
    findings: collector.finish(),
    facts,
    summary,
    flows: { sinks: parameterSinks, calls: callFacts },
    suppressions: keepCommentMarkers(suppressions, sourceFile),
    notifications,
  };
}

/** Runs the per-file step, and turns a crash of the parser or the semantic layer into a notification. */
export function analyzeSafely(file: string, text: string, options: AnalyzeOptions): FileResult {
  try {
    return analyzeFile(file, text, options);
  } catch (error) {
    // analyzeFile catches rule errors itself, so this is a fault of the parser or the semantic layer.
    const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
    const tooDeep = isStackOverflow(error);
    return {
      file,
      lines: 0,
      hasSyntaxErrors: false,
      findings: [],
      facts: {},
      summary: { exports: {}, reexports: [] },
      flows: { sinks: [], calls: [] },
      suppressions: [],
      notifications: [
        tooDeep
          ? {
              level: 'warning',
              kind: 'file-skipped',
              file,
              message: 'File skipped: its code is nested too deeply for the parser and the analysis (thousands of levels).',
            }
          : {
              level: 'error',
              kind: 'analysis-failed',
              file,
              message: `Analysis failed, so the file was not scanned: ${reason.split('\n').slice(0, 4).join(' | ')}`,
            },
      ],
    };
  }
}

function runEnvRules(
  file: string,
  text: string,
  options: AnalyzeOptions,
  collector: FindingCollector,
  facts: Record<string, unknown[]>,
  notifications: Notification[],
): FileFinding[] {
  for (const rule of options.rules) {
    if (!rule.meta.languages?.includes('env') || !rule.create) continue;
    const context = createContext(rule, file, undefined, undefined, options.config, collector, facts);
    try {
      rule.create(context).onEnvFile?.(text);
    } catch (error) {
      notifications.push({
        level: 'error',
        kind: 'rule-failed',
        ruleId: rule.meta.id,
        file,
        message: `Rule ${rule.meta.id} failed: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }
  return collector.finish();
}

function createContext(
  rule: Rule,
  file: string,
  sourceFile: ts.SourceFile | undefined,
  semantics: FileSemantics | undefined,
  config: ResolvedConfig,
  collector: FindingCollector,
  facts: Record<string, unknown[]>,
): RuleContext {
  const setting = config.rules[rule.meta.id];
  return {
    file,
    sourceFile: sourceFile as ts.SourceFile,
    semantics: semantics as FileSemantics,
    config,
    options: {},
    report: (descriptor: ReportDescriptor) => collector.add(rule, descriptor, setting?.severity),
    reportViaParameters: () => undefined,
    addFact: (fact: unknown) => {
      (facts[rule.meta.id] ??= []).push(fact);
    },
  };
}

/** Turns report descriptors into findings with locations, messages, snippets and fingerprints. */
class FindingCollector {
  sourceFile: ts.SourceFile | undefined;
  private readonly findings: FileFinding[] = [];
  /** The offset at which each line starts, computed at the first finding, since most files have none. */
  private starts: number[] | undefined;
  private readonly occurrences = new Map<string, number>();
  /** Lines where a secret rule reported, and the message id of every other finding. */
  private readonly secretLines = new Set<number>();
  private readonly messageIds = new Map<FileFinding, string>();

  constructor(
    private readonly file: string,
    private readonly text: string,
  ) {}

  private get lineStarts(): number[] {
    return (this.starts ??= computeLineStarts(this.text));
  }

  add(rule: Rule, descriptor: ReportDescriptor, configuredSeverity: Severity | undefined): void {
    const location = this.locate(descriptor.node);
    const template = rule.meta.messages[descriptor.messageId];
    if (template === undefined) throw new Error(`Rule ${rule.meta.id} has no message ${descriptor.messageId}.`);
    const message = formatMessage(template, descriptor.data);
    const snippet = rule.meta.secret ? undefined : this.lineText(location.startLine).trim();
    // A secret finding's line holds the secret, so its fingerprint must not be built from it.
    const key =
      descriptor.fingerprintKey ??
      (rule.meta.secret ? descriptor.messageId : normalizeWhitespace(this.lineText(location.startLine)));
    const occurrenceKey = `${rule.meta.id}\0${key}`;
    const occurrence = this.occurrences.get(occurrenceKey) ?? 0;
    this.occurrences.set(occurrenceKey, occurrence + 1);

    const finding: FileFinding = {
      ruleId: rule.meta.id,
      severity: configuredSeverity ?? descriptor.severity ?? rule.meta.severity,
      message,
      location,
      related: (descriptor.related ?? []).map((item) => this.relate(item)),
      flow: (descriptor.flow ?? []).map((item) => this.relate(item)),
      fingerprint: fingerprint([rule.meta.id, this.file, key, String(occurrence)]),
    };
    if (snippet !== undefined) finding.snippet = snippet;
    if (descriptor.unless && descriptor.unless.length > 0) finding.unless = descriptor.unless;
    if (descriptor.replaces && descriptor.replaces.length > 0) finding.replaces = descriptor.replaces;
    if (descriptor.fix) {
      finding.fix = {
        description: descriptor.fix.description,
        replacements: descriptor.fix.replacements.map((replacement) => ({
          location: this.locate(replacement.node),
          text: replacement.text,
        })),
      };
    }
    this.findings.push(finding);
    if (rule.meta.secret) this.secretLines.add(location.startLine);
    else this.messageIds.set(finding, descriptor.messageId);
  }

  /**
   * Returns the findings. A finding of another rule on the line of a secret
   * got a fingerprint built from that line, which would let a reader test
   * guesses of the secret; it gets one built from its rule and message id.
   */
  finish(): FileFinding[] {
    if (this.secretLines.size === 0) return this.findings;
    const occurrences = new Map<string, number>();
    for (const finding of this.findings) {
      const messageId = this.messageIds.get(finding);
      if (messageId === undefined || !this.secretLines.has(finding.location.startLine)) continue;
      const key = `${finding.ruleId}\0${messageId}`;
      const occurrence = occurrences.get(key) ?? 0;
      occurrences.set(key, occurrence + 1);
      finding.fingerprint = fingerprint([finding.ruleId, this.file, 'line with a secret', messageId, String(occurrence)]);
    }
    return this.findings;
  }

  locateTarget(target: ReportTarget): Location {
    return this.locate(target);
  }

  /** The fingerprint key of a finding that starts where the target starts: its line, whitespace folded. */
  lineKey(target: ReportTarget): string {
    return normalizeWhitespace(this.lineText(this.locate(target).startLine));
  }

  private relate(item: { node: ReportTarget; message: string }): RelatedLocation {
    return { location: this.locate(item.node), message: item.message };
  }

  private locate(target: ReportTarget): Location {
    let start: number;
    let end: number;
    if ('kind' in target) {
      start = target.getStart(this.sourceFile);
      end = target.getEnd();
    } else {
      start = target.start;
      end = target.end;
    }
    const begin = this.position(start);
    const finish = this.position(Math.max(end, start));
    return { file: this.file, startLine: begin.line, startColumn: begin.column, endLine: finish.line, endColumn: finish.column };
  }

  private position(offset: number): { line: number; column: number } {
    const starts = this.lineStarts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - starts[low]! + 1 };
  }

  private lineText(line: number): string {
    const starts = this.lineStarts;
    const start = starts[line - 1] ?? 0;
    const next = starts[line];
    return this.text.slice(start, next === undefined ? undefined : next).replace(/\r?\n$/, '');
  }
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 10) starts.push(index + 1);
    else if (code === 13 && text.charCodeAt(index + 1) !== 10) starts.push(index + 1);
  }
  return starts;
}

function countLines(text: string): number {
  if (text.length === 0) return 0;
  let lines = 1;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) lines++;
  return text.endsWith('\n') ? lines - 1 : lines;
}

export function formatMessage(template: string, data: Record<string, string | number> | undefined): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) =>
    data && name in data ? String(data[name]) : whole,
  );
}

function normalizeWhitespace(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}

export function fingerprint(parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 32);
}
