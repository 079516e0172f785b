import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverFiles, type DiscoverOptions } from '../../src/files/discover.js';
import { git, initGitRepo, makeTempFolder } from '../helpers/temp-project.js';

/** Runs discovery from `cwd` and returns the found files relative to it. */
async function discover(cwd: string, options: Partial<DiscoverOptions> = {}) {
  const gitRoot = fs.existsSync(path.join(cwd, '.git')) ? cwd : undefined;
  const result = await discoverFiles({ paths: ['.'], cwd, include: [], exclude: [], gitRoot, ...options });
  const relative = (file: string) => path.relative(cwd, file).split(path.sep).join('/');
  return {
    files: result.files.map(relative),
    unmatched: result.unmatched,
    skipped: result.skipped.map((item) => ({ file: relative(item.file), reason: item.reason })),
  };
}

describe('extensions', () => {
  it('finds every source extension and nothing else', async () => {
    const cwd = makeTempFolder(
      Object.fromEntries(
        ['a.ts', 'b.tsx', 'c.mts', 'd.cts', 'e.js', 'f.jsx', 'g.mjs', 'h.cjs', 'README.md', 'data.json', 'types.d.ts', 'x.d.mts'].map(
          (name) => [`src/${name}`, ''],
        ),
      ),
    );
    const { files } = await discover(cwd);
    expect(files).toEqual(['a.ts', 'b.tsx', 'c.mts', 'd.cts', 'e.js', 'f.jsx', 'g.mjs', 'h.cjs'].map((name) => `src/${name}`));
  });

  it('a named file of another kind matches nothing', async () => {
    const cwd = makeTempFolder({ 'README.md': '', 'index.d.ts': '' });
    const { files, unmatched } = await discover(cwd, { paths: ['README.md', 'index.d.ts'] });
    expect(files).toEqual([]);
    expect(unmatched).toEqual(['README.md', 'index.d.ts']);
  });
});

describe('default excludes', () => {
  it('leaves out dependencies, build output, vendored and minified files', async () => {
    const excluded = [
      'node_modules/pg/index.js',
      'packages/api/node_modules/x/index.js',
      'dist/server.js',
      'build/server.js',
      'coverage/lcov-report/sorter.js',
      '.next/server/app.js',
      'vendor/jquery.js',
      'third_party/lib.js',
      'public/app.min.js',
      'public/chart-min.js',
      'src/types/globals.d.ts',
    ];
    const cwd = makeTempFolder(Object.fromEntries([...excluded, 'src/server.ts'].map((name) => [name, ''])));
    expect((await discover(cwd)).files).toEqual(['src/server.ts']);
  });

  it('scans an excluded folder named as a path', async () => {
    const cwd = makeTempFolder({ 'dist/server.js': '', 'dist/node_modules/x/index.js': '', 'dist/app.min.js': '' });
    expect((await discover(cwd, { paths: ['dist'] })).files).toEqual(['dist/server.js']);
  });
});

describe('.gitignore', () => {
  it('ignored files are not scanned', async () => {
    const cwd = makeTempFolder({ '.gitignore': 'generated/\n*.gen.ts\n', 'generated/a.ts': '', 'src/b.gen.ts': '', 'src/c.ts': '' });
    initGitRepo(cwd);
    expect((await discover(cwd)).files).toEqual(['src/c.ts']);
  });

  it('a parent .gitignore applies to a scanned subfolder', async () => {
    const cwd = makeTempFolder({ '.gitignore': 'src/generated/\n', 'src/generated/a.ts': '', 'src/c.ts': '' });
    initGitRepo(cwd);
    expect((await discover(cwd, { paths: ['src'] })).files).toEqual(['src/c.ts']);
  });

  it('a nested .gitignore applies below its folder', async () => {
    const cwd = makeTempFolder({ 'src/.gitignore': 'tmp.ts\n', 'src/tmp.ts': '', 'tmp.ts': '' });
    initGitRepo(cwd);
    expect((await discover(cwd)).files).toEqual(['tmp.ts']);
  });
});

describe('.env files', () => {
  it('tracked .env files are scanned whatever .gitignore says', async () => {
    const cwd = makeTempFolder({
      '.gitignore': '.env*\n',
      '.env': 'DB_PASSWORD=x\n',
      'config/.env.production': 'API_KEY=x\n',
      '.env.local': 'DB_PASSWORD=y\n',
      'src/app.ts': '',
    });
    initGitRepo(cwd);
    git(cwd, 'add', '--force', '.env', 'config/.env.production');
    expect((await discover(cwd)).files).toEqual(['.env', 'config/.env.production', 'src/app.ts']);
  });

  it('untracked .env files are not scanned', async () => {
    const cwd = makeTempFolder({ '.env': 'DB_PASSWORD=x\n', 'src/app.ts': '' });
    initGitRepo(cwd);
    expect((await discover(cwd)).files).toEqual(['src/app.ts']);
  });

  it('tracked .env files in excluded folders are not scanned', async () => {
    const cwd = makeTempFolder({ 'node_modules/pkg/.env': 'A=1\n', 'fixtures/.env': 'A=1\n', 'src/app.ts': '' });
    initGitRepo(cwd);
    git(cwd, 'add', '--force', 'node_modules/pkg/.env', 'fixtures/.env');
    expect((await discover(cwd, { exclude: ['fixtures/**'] })).files).toEqual(['src/app.ts']);
  });

  it('outside git no .env file is scanned', async () => {
    const cwd = makeTempFolder({ '.env': 'DB_PASSWORD=x\n', 'src/app.ts': '' });
    expect((await discover(cwd)).files).toEqual(['src/app.ts']);
  });
});

describe('symbolic links', () => {
  it('links out of the scanned folder are not followed', async () => {
    const outside = makeTempFolder({ 'secret.ts': '', 'lib/util.ts': '' });
    const cwd = makeTempFolder({ 'src/app.ts': '' });
    fs.symlinkSync(path.join(outside, 'secret.ts'), path.join(cwd, 'src', 'linked.ts'));
    fs.symlinkSync(path.join(outside, 'lib'), path.join(cwd, 'src', 'lib'));
    expect((await discover(cwd)).files).toEqual(['src/app.ts']);
  });

  it('a link given as a path is skipped with a reason', async () => {
    const outside = makeTempFolder({ 'secret.ts': '' });
    const cwd = makeTempFolder({ 'app.ts': '' });
    fs.symlinkSync(path.join(outside, 'secret.ts'), path.join(cwd, 'linked.ts'));
    const result = await discover(cwd, { paths: ['app.ts', 'linked.ts'] });
    expect(result.files).toEqual(['app.ts']);
    expect(result.skipped).toEqual([{ file: 'linked.ts', reason: 'symbolic link, not followed' }]);
  });
});

describe('include and exclude', () => {
  it('exclude globs are relative to the glob base', async () => {
    const cwd = makeTempFolder({ 'src/legacy/old.ts': '', 'src/api/new.ts': '' });
    const result = await discover(cwd, { paths: ['src'], exclude: ['src/legacy/**'], globBase: cwd });
    expect(result.files).toEqual(['src/api/new.ts']);
  });

  it('exclude globs work from a subfolder working directory', async () => {
    const root = makeTempFolder({ 'src/legacy/old.ts': '', 'src/api/new.ts': '' });
    const result = await discoverFiles({
      paths: ['.'],
      cwd: path.join(root, 'src'),
      include: [],
      exclude: ['src/legacy/**'],
      globBase: root,
    });
    expect(result.files).toEqual([path.join(root, 'src', 'api', 'new.ts')]);
  });

  it('include globs narrow the scan', async () => {
    const cwd = makeTempFolder({ 'src/api/a.ts': '', 'src/api/b.js': '', 'src/api/notes.md': '', 'scripts/seed.ts': '' });
    const result = await discover(cwd, { include: ['src/api/**'], globBase: cwd });
    expect(result.files).toEqual(['src/api/a.ts', 'src/api/b.js']);
  });

  it('a glob without a slash matches only at the top', async () => {
    const cwd = makeTempFolder({ 'seed.ts': '', 'src/seed.ts': '', 'src/app.ts': '' });
    const result = await discover(cwd, { exclude: ['seed.ts'], globBase: cwd });
    expect(result.files).toEqual(['src/app.ts', 'src/seed.ts']);
  });

  it('folder with nothing left to scan is unmatched', async () => {
    const cwd = makeTempFolder({ 'src/legacy/old.ts': '', 'lib/a.ts': '' });
    const result = await discover(cwd, { paths: ['src', 'lib'], exclude: ['src/**'], globBase: cwd });
    expect(result.unmatched).toEqual(['src']);
    expect(result.files).toEqual(['lib/a.ts']);
  });

  it('globs do not apply to folders outside the glob base', async () => {
    const root = makeTempFolder({ 'config/.keneyaudit.yml': '', 'app/a.ts': '' });
    const result = await discover(root, { paths: ['app'], exclude: ['**'], globBase: path.join(root, 'config') });
    expect(result.files).toEqual(['app/a.ts']);
  });

  it('folder names with glob characters are matched literally', async () => {
    const cwd = makeTempFolder({ 'app/[id]/page.ts': '', 'app/i/page.ts': '', 'app/(admin) area/page.ts': '' });
    expect((await discover(cwd, { paths: ['app/[id]'] })).files).toEqual(['app/[id]/page.ts']);
    expect((await discover(cwd, { paths: ['app/(admin) area'] })).files).toEqual(['app/(admin) area/page.ts']);
  });
});
