import { ts } from '../typescript.js';
import type { FileSemantics } from '../analysis/semantics.js';
import { lastMember, packageName } from '../analysis/origin.js';
import { findProperty, getEnclosingFunction, getMemberName, getPropertyValue, isFunctionNode, skipOuterExpressions } from '../analysis/syntax.js';
import { defineRule, type RuleContext } from './rule.js';
import { mayImport } from './shared/file-imports.js';
import { getFileSink, isResponseFileMethod, mayUseFilePackages, type FileSink } from './shared/file-sinks.js';
import { judgeAll, reportTaint } from './shared/injection.js';
import { getCallTarget } from './shared/report-target.js';
import { gatherWalkLists } from './shared/walk-lists.js';

/** Calls that only look at a path, which code often makes just before it opens the same path. */
const PROBE_METHODS = new Set(['exists', 'access', 'stat', 'lstat', 'pathExists']);

export default defineRule({
  meta: {
    id: 'path-traversal',
    title: 'Request data in a file path',
    summary:
      'Flags file system paths built from data the client sends, with no check that the result stays inside the intended folder. A name such as `../../etc/passwd` or `../other-patient/report.pdf` reads, overwrites or deletes files the client must not reach.',
    severity: 'high',
    precision: 'high',
    cwe: [22],
    owasp: 'A01:2021-Broken Access Control',
    messages: {
      tainted:
        '{{source}} from the {{origin}} is part of the file path passed to {{method}}(); reduce it to a file name with path.basename() or check that the resolved path stays inside its folder.',
    },
  },
  create(context) {
    const sem = context.semantics;
    const { lists, visitors } = gatherWalkLists(context, ['invocations']);
    return {
      ...visitors,
      onEnd() {
        const anyCall = mayUseFilePackages(sem.sourceFile);
        const multer = mayImport(sem.sourceFile, MULTER);
        const archives = mayImport(sem.sourceFile, ARCHIVE_PACKAGES);
        lists.calls.nodes.forEach((call, index) => {
          if (multer && lists.callNames[index] === 'diskStorage') checkUploadFileName(context, call);
          if (!anyCall && !isResponseFileMethod(lists.callNames[index])) return;
          const sink = getFileSink(sem, call);
          if (!sink) return;
          // One finding where the path is opened, not a second at the existence check before it.
          if (PROBE_METHODS.has(sink.method.replace(/Sync$/, '')) && isOpenedLater(sem, sink)) return;
          if (archives) {
            const entryName = sink.paths.map((expression) => findArchiveEntryName(sem, expression, 0)).find(Boolean);
            if (entryName) {
              context.report({ node: getCallTarget(call), messageId: 'tainted', data: { source: entryName.getText(), origin: 'archive', method: sink.method } });
              return;
            }
          }
          const taint = judgeAll(sem, sink.paths, { safe: ['path'] });
          reportTaint(context, taint, {
            node: getCallTarget(call),
            sink: sink.paths[0]!,
            messageId: 'tainted',
            data: { method: sink.method },
          });
        });
      },
    };
  },
});

const MULTER = new Set(['multer']);

/** Packages that read archives, whose entries are named by the author of the archive. */
const ARCHIVE_PACKAGES = new Set(['unzipper', 'adm-zip', 'yauzl', 'jszip', 'decompress', 'tar-stream', 'node-stream-zip', 'unzip-stream']);

/** Fields of an archive entry that hold its path inside the archive: unzipper `path`, adm-zip `entryName`, yauzl `fileName`. */
const ENTRY_NAME_FIELDS = new Set(['path', 'entryName', 'fileName', 'relativePath']);

/**
 * Text of a function that checks where an entry lands: a `..` test, a containment check or a reduction to a file name.
 * NOTE: the words are searched in the function's text, so a check of another value there also counts.
 */
const ENTRY_CHECK = /['"`]\.\.|\\\.\\\.|startsWith|basename|isPathInside|relative\(/;

/**
 * Finds an archive entry's own path in a file path, outside any check in the
 * function that reads it: `path.join(inbox, entry.path)` writes
 * `../../app/server.js` outside the inbox (zip slip). The entry is a loop
 * variable or a callback parameter.
 */
function findArchiveEntryName(sem: FileSemantics, expression: ts.Expression, depth: number): ts.Node | undefined {
  const node = skipOuterExpressions(expression);
  if (ts.isPropertyAccessExpression(node) && ENTRY_NAME_FIELDS.has(node.name.text) && ts.isIdentifier(node.expression)) {
    const declaration = sem.resolve(node.expression);
    const isEntry =
      (declaration?.kind === 'parameter' && ts.isCallExpression(declaration.fn.parent)) ||
      (declaration?.kind === 'variable' && ts.isForOfStatement(declaration.node.parent.parent));
    const fn = getEnclosingFunction(node);
    if (isEntry && !(fn && ENTRY_CHECK.test(fn.getText()))) return node;
    return undefined;
  }
  if (depth > 3) return undefined;
  if (ts.isIdentifier(node)) {
    const value = sem.followSingleValue(node);
    return value && value !== node ? findArchiveEntryName(sem, value, depth + 1) : undefined;
  }
  // `path.join(dir, entry.path)` and templates keep the name; other calls may have cleaned it.
  if (ts.isCallExpression(node) && !/^(join|resolve)$/.test(getMemberName(skipOuterExpressions(node.expression)) ?? '')) return undefined;
  let found: ts.Node | undefined;
  ts.forEachChild(node, (child) => {
    if (!found && ts.isExpression(child)) found = findArchiveEntryName(sem, child, depth + 1);
  });
  return found;
}

/**
 * multer's `diskStorage({ filename(req, file, cb) { cb(null, file.originalname) } })`:
 * multer joins the name onto the destination folder as it is, and the client
 * chooses `originalname`, so `../../app/server.js` writes outside the folder.
 * A name passed through a call, such as `path.basename()` or a sanitizer, or
 * built from `path.extname()`, is left alone.
 */
function checkUploadFileName(context: RuleContext<'tainted'>, call: ts.CallExpression): void {
  const sem = context.semantics;
  const origin = sem.originOf(call.expression);
  if (origin.root.kind !== 'module' || packageName(origin.root.specifier) !== 'multer' || lastMember(origin) !== 'diskStorage') return;
  const options = call.arguments[0] && sem.followSingleValue(call.arguments[0]);
  if (!options || !ts.isObjectLiteralExpression(options)) return;
  const property = findProperty(options, 'filename');
  const fn = property && (ts.isMethodDeclaration(property) ? property : getPropertyValue(property));
  if (!fn || !isFunctionNode(fn) || !fn.body) return;
  const [, file, callback] = fn.parameters;
  if (!file || !callback || !ts.isIdentifier(file.name) || !ts.isIdentifier(callback.name)) return;
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && sem.resolve(node.expression)?.node === callback && node.arguments[1]) {
      const read = findRawFileField(sem, node.arguments[1], file);
      if (read) {
        context.report({ node: getCallTarget(node), messageId: 'tainted', data: { source: read.getText(), origin: 'upload', method: 'multer.diskStorage' } });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(fn.body);
}

/** Finds a read of the uploaded file's fields that reaches `expression` unchanged, or only joined into a string. */
function findRawFileField(sem: FileSemantics, expression: ts.Expression, file: ts.ParameterDeclaration): ts.Node | undefined {
  const value = sem.followSingleValue(expression) ?? expression;
  let found: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (found || ts.isCallExpression(node) || isFunctionNode(node)) return;
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && sem.resolve(node.expression)?.node === file) {
      found = node;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(value);
  return found;
}

/** True when a later file call of the same function uses the same path variable. */
function isOpenedLater(sem: FileSemantics, probe: FileSink): boolean {
  const path = skipOuterExpressions(probe.paths[0]!);
  const fn = getEnclosingFunction(probe.call);
  if (!ts.isIdentifier(path) || !fn?.body) return false;
  const declaration = sem.resolve(path);
  if (!declaration) return false;
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(node) && node.pos > probe.call.end) {
      const other = getFileSink(sem, node);
      found =
        other !== undefined &&
        other.paths.some((expression) => {
          const inner = skipOuterExpressions(expression);
          return ts.isIdentifier(inner) && sem.resolve(inner) === declaration;
        });
    }
    ts.forEachChild(node, visit);
  };
  visit(fn.body);
  return found;
}
