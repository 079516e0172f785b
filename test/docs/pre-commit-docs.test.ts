import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { makeTempFolder } from '../helpers/temp-project.js';

const PAGE = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'pre-commit.md'), 'utf8');

/** Returns the fenced code blocks of a Markdown page in one language. */
function codeBlocks(markdown: string, language: string): string[] {
  const fenced = /^```(\w*)\n([\s\S]*?)^```/gm;
  return [...markdown.matchAll(fenced)].filter((match) => match[1] === language).map((match) => match[2]!);
}

interface HookDefinition {
  id: string;
  entry: string;
  language: string;
  files: string;
}

const HOOKS = parseYaml(fs.readFileSync(path.join(REPO_ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as HookDefinition[];

describe('docs/pre-commit.md', () => {
  it('YAML snippets parse', () => {
    const blocks = codeBlocks(PAGE, 'yaml');
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const block of blocks) expect(() => parseYaml(block), block).not.toThrow();
  });

  it('names only hooks that .pre-commit-hooks.yaml defines', () => {
    const defined = HOOKS.map((hook) => hook.id);
    const named = codeBlocks(PAGE, 'yaml').flatMap((block) => [...block.matchAll(/- id: (\S+)/g)].map((match) => match[1]!));
    expect(named.length).toBeGreaterThan(0);
    for (const id of named) expect(defined).toContain(id);
  });

  it('the lint-staged config is valid JavaScript', async () => {
    const [config] = codeBlocks(PAGE, 'js');
    expect(config).toContain('// lint-staged.config.mjs');
    const file = path.join(makeTempFolder({ 'lint-staged.config.mjs': config! }), 'lint-staged.config.mjs');
    const loaded = (await import(pathToFileURL(file).href)) as { default: Record<string, unknown> };
    const tasks = Object.entries(loaded.default);
    expect(tasks).toHaveLength(1);
    const [glob, task] = tasks[0]!;
    expect(glob).toBe('*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}');
    expect(task).toBeTypeOf('function');
    expect((task as (files: string[]) => string)(['src/a.ts', 'src/b.ts'])).toBe('keney-audit scan --staged');
  });

  it('the husky hook runs the staged scan', () => {
    expect(codeBlocks(PAGE, 'sh')).toContain('npx keney-audit scan --staged\n');
  });
});

describe('.pre-commit-hooks.yaml', () => {
  it('hooks scan TypeScript, JavaScript and .env files', () => {
    for (const hook of HOOKS) {
      const files = new RegExp(hook.files);
      for (const name of ['src/app.ts', 'web/page.tsx', 'lib/a.mjs', 'index.cjs', '.env', 'config/.env.production']) {
        expect(files.test(name), `${hook.id} matches ${name}`).toBe(true);
      }
      for (const name of ['README.md', 'package.json', 'src/app.ts.orig', 'environment.ts.bak']) {
        expect(files.test(name), `${hook.id} skips ${name}`).toBe(false);
      }
    }
  });

  it('script hook points at an executable file', () => {
    const scriptHooks = HOOKS.filter((hook) => hook.language === 'script');
    expect(scriptHooks.map((hook) => hook.id)).toEqual(['keney-audit']);
    const mode = fs.statSync(path.join(REPO_ROOT, scriptHooks[0]!.entry)).mode;
    expect(mode & 0o111).not.toBe(0);
  });
});
