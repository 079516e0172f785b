import { ts } from '../typescript.js';
import type { SuppressionComment } from './facts.js';

const MARKER = 'keney-audit-ignore';
const CODE_COMMENT = /(?:\/\/|\/\*)\s*keney-audit-ignore-(next-line|line)\b(.*)$/;
/** `.env` files comment with `#`. In code, `#` starts a private name, which must not read as a comment. */
const ENV_COMMENT = /#\s*keney-audit-ignore-(next-line|line)\b(.*)$/;

/**
 * Reads suppression comments:
 *
 *     // keney-audit-ignore-next-line sql-injection -- the table name is an enum
 *     query(text); // keney-audit-ignore-line sql-injection -- reviewed
 *
 * Several rule ids may be separated by commas. A comment without a rule id,
 * without a reason after `--`, or naming an unknown rule suppresses nothing
 * and carries a `problem`. The text is searched line by line; for code,
 * {@link keepCommentMarkers} then drops the markers that are not in comments.
 */
export function parseSuppressions(text: string, knownRuleIds: ReadonlySet<string>, syntax: 'code' | 'env' = 'code'): SuppressionComment[] {
  if (!text.includes(MARKER)) return [];
  const comments: SuppressionComment[] = [];
  const lines = splitLines(text);
  const pattern = syntax === 'env' ? ENV_COMMENT : CODE_COMMENT;
  lines.forEach((lineText, index) => {
    if (!lineText.includes(MARKER)) return;
    const match = pattern.exec(lineText);
    if (!match) return;
    const line = index + 1;
    const targetLine = match[1] === 'next-line' ? nextCodeLine(lines, index, syntax) : line;
    // A block comment ends at its first `*/`: code after it on the line is not part of the reason.
    const rest = match[2]!;
    const end = lineText.slice(match.index, match.index + 2) === '/*' ? rest.indexOf('*/') : -1;
    const body = (end === -1 ? rest : rest.slice(0, end)).trim();
    const separator = body.indexOf('--');
    const idsText = (separator === -1 ? body : body.slice(0, separator)).trim();
    const justification = separator === -1 ? '' : body.slice(separator + 2).trim();
    const ruleIds = idsText
      .split(/[\s,]+/)
      .map((id) => id.trim())
      .filter(Boolean);

    const column = match.index + 1;
    let problem: string | undefined;
    if (ruleIds.length === 0) {
      problem = 'names no rule id';
    } else if (!justification) {
      problem = `gives no reason after ' -- '`;
    } else {
      const unknown = ruleIds.filter((id) => !knownRuleIds.has(id));
      if (unknown.length > 0) problem = `names the unknown rule id ${unknown.map((id) => `'${id}'`).join(', ')}`;
    }
    comments.push({ line, column, targetLine, ruleIds, justification, ...(problem ? { problem } : {}) });
  });
  return comments;
}

/** Lines as the suppression reader counts them; {@link keepCommentMarkers} places markers with the same split. */
function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** The line a `next-line` comment applies to: the next line that is not blank and not another comment. */
function nextCodeLine(lines: string[], index: number, syntax: 'code' | 'env'): number {
  for (let next = index + 1; next < lines.length; next++) {
    const trimmed = lines[next]!.trim();
    if (trimmed === '') continue;
    if (syntax === 'env' ? trimmed.startsWith('#') : trimmed.startsWith('//')) continue;
    return next + 1;
  }
  return index + 2;
}

/** Tokens whose text can hold a marker that is not a comment. */
function isTextToken(kind: ts.SyntaxKind): boolean {
  return (
    kind === ts.SyntaxKind.StringLiteral ||
    kind === ts.SyntaxKind.NoSubstitutionTemplateLiteral ||
    kind === ts.SyntaxKind.TemplateHead ||
    kind === ts.SyntaxKind.TemplateMiddle ||
    kind === ts.SyntaxKind.TemplateTail ||
    kind === ts.SyntaxKind.RegularExpressionLiteral ||
    kind === ts.SyntaxKind.JsxText
  );
}

/**
 * Drops the markers that the parsed file shows to be inside a string, a
 * template, a regular expression or JSX text: the line
 * `const hint = '// keney-audit-ignore-line sql-injection -- x';` suppresses
 * nothing. Every other place a marker can be is a comment, since names cannot
 * hold its hyphens.
 */
export function keepCommentMarkers(comments: SuppressionComment[], sourceFile: ts.SourceFile): SuppressionComment[] {
  if (comments.length === 0) return comments;
  // Offsets from the same line split as the reader's: TypeScript also breaks lines at U+2028 and U+2029.
  const lineStarts: number[] = [];
  let offset = 0;
  for (const match of sourceFile.text.matchAll(/\r\n|\r|\n/g)) {
    lineStarts.push(offset);
    offset = match.index! + match[0].length;
  }
  lineStarts.push(offset);
  return comments.filter((comment) => {
    const position = (lineStarts[comment.line - 1] ?? 0) + (comment.column ?? 1) - 1;
    return !isInsideTextToken(sourceFile, position);
  });
}

function isInsideTextToken(sourceFile: ts.SourceFile, position: number): boolean {
  let node: ts.Node = sourceFile;
  for (;;) {
    const child: ts.Node | undefined = ts.forEachChild(node, (candidate) =>
      candidate.pos <= position && position < candidate.end ? candidate : undefined,
    );
    if (!child) break;
    node = child;
  }
  // A node's range starts with the comments before it; its own text starts at getStart().
  return isTextToken(node.kind) && position >= node.getStart(sourceFile);
}
