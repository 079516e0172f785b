import { ts } from '../../typescript.js';
import type { FileSemantics } from '../../analysis/semantics.js';
import { CALL, NEW, packageName, packagePath } from '../../analysis/origin.js';
import { findProperty, skipOuterExpressions } from '../../analysis/syntax.js';
import { resolveObjectLiteral } from './object-literal.js';
import { isServerResponse } from './response.js';
import { mayImport, perFile } from './file-imports.js';

/** A call that opens, reads, writes or lists a file by path, and the path arguments. */
export interface FileSink {
  call: ts.CallExpression;
  /** The function called, for messages: `readFile`, `sendFile`. */
  method: string;
  paths: ts.Expression[];
}

/** Packages whose functions take file system paths. */
const FILE_PACKAGES = new Set(['fs', 'fs-extra', 'graceful-fs', 'original-fs', 'mz', 'fs-promise', 'jsonfile', 'rimraf', 'del', 'mkdirp', 'make-dir']);

/** Functions of `fs` and its drop-in replacements whose first argument is a path. */
const ONE_PATH = new Set([
  'readFile',
  'writeFile',
  'appendFile',
  'createReadStream',
  'createWriteStream',
  'open',
  'opendir',
  'readdir',
  'readlink',
  'stat',
  'lstat',
  'statfs',
  'access',
  'exists',
  'unlink',
  'rm',
  'rmdir',
  'mkdir',
  'mkdtemp',
  'truncate',
  'chmod',
  'chown',
  'lchown',
  'utimes',
  'lutimes',
  'watch',
  'watchFile',
  // fs-extra and jsonfile
  'readJson',
  'readJSON',
  'writeJson',
  'writeJSON',
  'readJsonFile',
  'writeJsonFile',
  'outputFile',
  'outputJson',
  'outputJSON',
  'remove',
  'emptyDir',
  'emptydir',
  'ensureDir',
  'ensureFile',
  'mkdirp',
  'mkdirs',
  'pathExists',
]);

/** Functions whose first two arguments are paths. */
const TWO_PATHS = new Set(['rename', 'copyFile', 'cp', 'copy', 'move', 'link', 'symlink', 'ensureLink', 'ensureSymlink']);

/** Packages whose default export removes or creates the path it is given. */
const DEFAULT_PATH_FUNCTIONS = new Set(['rimraf', 'del', 'mkdirp', 'make-dir']);

/** Express response methods that send a file from disk. */
const RESPONSE_FILE_METHODS = new Set(['sendFile', 'sendfile', 'download']);

/** True when the file may import a package of file functions; otherwise only response methods can take a path. */
export const mayUseFilePackages = perFile((sourceFile) => mayImport(sourceFile, FILE_PACKAGES));

/** True when a call may be a file sink by its name alone: a response method that sends a file. */
export function isResponseFileMethod(name: string | undefined): boolean {
  return name !== undefined && RESPONSE_FILE_METHODS.has(name);
}

/** Recognises a call that uses a file system path. */
export function getFileSink(sem: FileSemantics, call: ts.CallExpression): FileSink | undefined {
  const callee = skipOuterExpressions(call.expression);
  if (!mayUseFilePackages(sem.sourceFile) && !(ts.isPropertyAccessExpression(callee) && RESPONSE_FILE_METHODS.has(callee.name.text))) return undefined;
  const origin = sem.originOf(callee);
  // A response typed by its framework, `(req: Request, res: Response)`, has its origin in that package: checked below.
  const module = origin.root.kind === 'module' ? packageName(origin.root.specifier) : undefined;
  if (module !== undefined && FILE_PACKAGES.has(module)) {
    const path = packagePath(origin).filter((step) => step !== CALL && step !== NEW);
    // `fs.promises.readFile`, `import { promises as fs } from 'fs'` and `fs/promises`.
    const steps = path[0] === 'promises' ? path.slice(1) : path;
    const method = steps.length === 1 ? steps[0]!.replace(/Sync$/, '') : undefined;
    if (steps.length === 0 && DEFAULT_PATH_FUNCTIONS.has(module)) return withPaths(call, module, 1);
    if (!method) return undefined;
    if (TWO_PATHS.has(method)) return withPaths(call, steps[0]!, 2);
    if (ONE_PATH.has(method)) return withPaths(call, steps[0]!, 1);
    return undefined;
  }
  if (ts.isPropertyAccessExpression(callee) && RESPONSE_FILE_METHODS.has(callee.name.text)) {
    if (!isServerResponse(sem, callee.expression) || hasRootOption(sem, call)) return undefined;
    return withPaths(call, callee.name.text, 1);
  }
  return undefined;
}

function withPaths(call: ts.CallExpression, method: string, count: number): FileSink | undefined {
  const paths = call.arguments.slice(0, count).filter((argument) => !ts.isSpreadElement(argument));
  return paths.length > 0 ? { call, method, paths } : undefined;
}

/**
 * `res.sendFile(name, { root })`: Express resolves the name inside `root` and
 * responds with 403 to any name with a `..` segment, so the client cannot leave it.
 */
function hasRootOption(sem: FileSemantics, call: ts.CallExpression): boolean {
  return call.arguments.slice(1).some((argument) => {
    const object = resolveObjectLiteral(sem, argument);
    if (object) return findProperty(object, 'root') !== undefined;
    const value = sem.evaluate(argument);
    return value.kind === 'object' && 'root' in value.properties;
  });
}
