import type { ts } from 'ts-morph';
import type { FileSemantics } from '../analysis/semantics.js';
import type { Precision, Severity } from '../types.js';
import type { DeferredCheck, ModuleSummary } from '../engine/facts.js';
import type { ResolvedConfig } from '../config/schema.js';
import type { ModuleResolver } from '../engine/module-resolver.js';
import type { Value } from '../analysis/values.js';

export interface RuleMeta<MessageId extends string = string> {
  id: string;
  /** Short title for listings and SARIF `shortDescription`. */
  title: string;
  /** One or two sentences: what the rule flags and why it matters. */
  summary: string;
  severity: Severity;
  precision: Precision;
  cwe: number[];
  /** OWASP Top 10 (2021) category, such as `A03:2021-Injection`. */
  owasp: string;
  /** Message templates keyed by id; `{{name}}` is replaced by report data. */
  messages: Record<MessageId, string>;
  /** Findings of this rule hold a secret: no snippet is shown and no fingerprint uses the value. */
  secret?: boolean;
  /** Languages of files the rule reads besides code: `env` for `.env` files. */
  languages?: Array<'code' | 'env'>;
}

/** A node kind a rule can visit, by its `ts.SyntaxKind` name. */
export type NodeKindName = keyof typeof ts.SyntaxKind;

type NodeOf<K extends NodeKindName> = K extends 'CallExpression'
  ? ts.CallExpression
  : K extends 'NewExpression'
    ? ts.NewExpression
    : K extends 'PropertyAssignment'
      ? ts.PropertyAssignment
      : K extends 'VariableDeclaration'
        ? ts.VariableDeclaration
        : K extends 'BinaryExpression'
          ? ts.BinaryExpression
          : K extends 'ClassDeclaration'
            ? ts.ClassDeclaration
            : K extends 'MethodDeclaration'
              ? ts.MethodDeclaration
              : K extends 'Decorator'
                ? ts.Decorator
                : K extends 'StringLiteral'
                  ? ts.StringLiteral
                  : K extends 'NoSubstitutionTemplateLiteral'
                    ? ts.NoSubstitutionTemplateLiteral
                    : K extends 'TemplateExpression'
                      ? ts.TemplateExpression
                      : K extends 'PropertyAccessExpression'
                        ? ts.PropertyAccessExpression
                        : K extends 'ElementAccessExpression'
                          ? ts.ElementAccessExpression
                          : K extends 'JsxAttribute'
                            ? ts.JsxAttribute
                            : K extends 'ExportAssignment'
                              ? ts.ExportAssignment
                              : K extends 'ShorthandPropertyAssignment'
                                ? ts.ShorthandPropertyAssignment
                                : ts.Node;

export type Visitors = { [K in NodeKindName]?: (node: NodeOf<K>) => void } & {
  /** Called once the whole file has been walked. */
  onEnd?: () => void;
  /** Called with the text of a `.env` file, for rules whose `meta.languages` lists `env`. */
  onEnvFile?: (text: string) => void;
};

/** Where a finding points: a node of the file, or a text range for files that are not code. */
export type ReportTarget = ts.Node | { start: number; end: number };

export interface ReportDescriptor<MessageId extends string = string> {
  node: ReportTarget;
  messageId: MessageId;
  data?: Record<string, string | number>;
  /** Overrides the rule's severity for this finding. */
  severity?: Severity;
  /** Places that explain the finding, such as where the data came from. */
  related?: Array<{ node: ReportTarget; message: string }>;
  /** Steps from a source to this finding. */
  flow?: Array<{ node: ReportTarget; message: string }>;
  /**
   * Text that identifies the finding within its file when code moves, in place
   * of the reported source line; secret rules pass the name of the holder.
   */
  fingerprintKey?: string;
  /** The finding stands unless every check holds once the project is known. */
  unless?: DeferredCheck[];
  /** Rules whose finding at the same place this one drops, when it is kept. */
  replaces?: string[];
  fix?: { description: string; replacements: Array<{ node: ReportTarget; text: string }> };
}

export interface RuleContext<MessageId extends string = string> {
  /** Path of the file relative to the scan root, with forward slashes. */
  readonly file: string;
  readonly sourceFile: ts.SourceFile;
  readonly semantics: FileSemantics;
  readonly config: ResolvedConfig;
  /** Options of this rule, merged with its defaults. */
  readonly options: Record<string, unknown>;
  report(descriptor: ReportDescriptor<MessageId>): void;
  /**
   * Records a sink that parameters of the enclosing function reach. When the
   * function is exported and a caller in another module passes request data
   * to one of them, the project step reports the finding then, with the
   * caller's source; `replaces` names rules whose finding at the same place it
   * supersedes.
   */
  reportViaParameters(
    descriptor: Pick<ReportDescriptor<MessageId>, 'node' | 'messageId' | 'data' | 'fingerprintKey'> & {
      parameters: Array<{ fn: ts.SignatureDeclaration; index: number }>;
      replaces?: string[];
    },
  ): void;
  /** Records a fact for the rule's project step. Facts must be plain JSON data. */
  addFact(fact: unknown): void;
}

export interface ProjectFinding<MessageId extends string = string> {
  file: string;
  /** 1-based position and extent of the finding. */
  location: { startLine: number; startColumn: number; endLine: number; endColumn: number };
  messageId: MessageId;
  data?: Record<string, string | number>;
  severity?: Severity;
  related?: Array<{ file: string; location: ProjectFinding['location']; message: string }>;
  fingerprintKey: string;
  snippet?: string;
}

export interface ProjectContext<MessageId extends string = string> {
  readonly config: ResolvedConfig;
  readonly options: Record<string, unknown>;
  readonly resolver: ModuleResolver;
  /** Facts this rule recorded, by file, in the order of the sorted file list. */
  facts<Fact>(): Array<{ file: string; facts: Fact[] }>;
  summary(file: string): ModuleSummary | undefined;
  /** Resolves the `import` parts of a value that `file` evaluated, through the summaries of the modules it names. */
  resolveValue(file: string, value: Value): Value;
  report(finding: ProjectFinding<MessageId>): void;
}

export interface Rule<MessageId extends string = string, Fact = unknown> {
  meta: RuleMeta<MessageId>;
  /** Per-file step: reads only its own file. */
  create?(context: RuleContext<MessageId>): Visitors;
  /** Project step: judges facts gathered from every file. */
  project?(context: ProjectContext<MessageId>): void;
  /** Declared for type inference of facts only. */
  readonly __fact?: Fact;
}

/** Declares a rule; the identity function, there for type inference. */
export function defineRule<MessageId extends string, Fact = unknown>(rule: Rule<MessageId, Fact>): Rule<MessageId, Fact> {
  return rule;
}

/** The docs page of a rule, relative to the package root. */
export function getDocsPath(id: string): string {
  return `docs/rules/${id}.md`;
}
