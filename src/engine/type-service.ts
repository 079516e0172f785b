import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Node, Project, Type } from 'ts-morph';
import { loadTypeScript, ts } from '../typescript.js';

/**
 * Answers type questions with the TypeScript type checker, through ts-morph.
 * The program holds only the files that have questions and what they import,
 * so its cost grows with those files, not with the project.
 */
export class TypeService {
  private readonly project: Project;
  private readonly added = new Set<string>();

  private constructor(
    private readonly root: string,
    tsconfig: string,
  ) {
    loadTypeScript();
    // Loaded here rather than imported, so that scans without type questions never load ts-morph.
    const { Project: ProjectClass } = createRequire(import.meta.url)('ts-morph') as typeof import('ts-morph');
    this.project = new ProjectClass({ tsConfigFilePath: tsconfig, skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: false });
  }

  /** A service for the scan root, or undefined when it has no tsconfig.json. */
  static forRoot(root: string): TypeService | undefined {
    const tsconfig = findTsconfig(root);
    return tsconfig ? new TypeService(root, tsconfig) : undefined;
  }

  /** Adds the files that have questions before the first question, so that one program serves them all. */
  prepare(files: Iterable<string>): void {
    for (const file of files) this.addFile(file);
  }

  /**
   * The packages that declare the type of the expression spanning `start` to
   * `end` in a file, its base types included: a `Pool` from `pg` gives `pg`,
   * and `class PrismaService extends PrismaClient` gives `@prisma/client`.
   * Returns undefined when the checker cannot tell (an `any`, a missing declaration).
   */
  packagesOf(file: string, start: number, end: number): string[] | undefined {
    const sourceFile = this.addFile(file);
    if (!sourceFile) return undefined;
    let node: Node | undefined = sourceFile.getDescendantAtPos(start);
    while (node && !(node.getStart() === start && node.getEnd() === end)) {
      const parent: Node | undefined = node.getParent();
      if (!parent || parent.getStart() < start || parent.getEnd() > end) {
        node = parent && parent.getStart() === start && parent.getEnd() === end ? parent : undefined;
        break;
      }
      node = parent;
    }
    if (!node) return undefined;
    const packages = new Set<string>();
    collectPackages(node.getType(), packages, 0);
    return packages.size > 0 ? [...packages].sort() : undefined;
  }

  private addFile(file: string) {
    const absolute = path.join(this.root, file);
    const existing = this.project.getSourceFile(absolute);
    if (existing) return existing;
    if (this.added.has(absolute) || !fs.existsSync(absolute)) return undefined;
    this.added.add(absolute);
    return this.project.addSourceFileAtPath(absolute);
  }
}

function findTsconfig(root: string): string | undefined {
  const candidate = path.join(root, 'tsconfig.json');
  return fs.existsSync(candidate) ? candidate : undefined;
}

function collectPackages(type: Type, packages: Set<string>, depth: number): void {
  if (depth > 5) return;
  const parts = type.isUnion() ? type.getUnionTypes() : type.isIntersection() ? type.getIntersectionTypes() : undefined;
  if (parts) {
    for (const part of parts) collectPackages(part, packages, depth + 1);
    return;
  }
  const symbol = type.getSymbol() ?? type.getAliasSymbol();
  for (const declaration of symbol?.getDeclarations() ?? []) {
    const name = packageFromPath(declaration.getSourceFile().getFilePath());
    if (name) packages.add(name);
  }
  for (const base of type.getBaseTypes()) collectPackages(base, packages, depth + 1);
  if (type.getFlags() & ts.TypeFlags.Object) {
    const target = type.getTargetType();
    if (target && target !== type) collectPackages(target, packages, depth + 1);
  }
}

/** `.../node_modules/@types/pg/index.d.ts` gives `pg`; `.../node_modules/@prisma/client/...` gives `@prisma/client`. */
export function packageFromPath(filePath: string): string | undefined {
  const marker = '/node_modules/';
  const index = filePath.lastIndexOf(marker);
  if (index === -1) return undefined;
  const parts = filePath.slice(index + marker.length).split('/');
  if (parts[0] === '@types' && parts[1]) {
    const name = parts[1];
    return name.includes('__') ? `@${name.replace('__', '/')}` : name;
  }
  // Prisma generates its client into node_modules/.prisma/client, behind @prisma/client.
  if (parts[0] === '.prisma') return '@prisma/client';
  if (parts[0]?.startsWith('@') && parts[1]) return `${parts[0]}/${parts[1]}`;
  return parts[0];
}
