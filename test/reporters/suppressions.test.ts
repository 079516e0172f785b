import { describe, expect, it } from 'vitest';
import { createDefaultConfig } from '../../src/config/schema.js';
import { scan } from '../../src/engine/scanner.js';
import { parseSuppressions } from '../../src/engine/suppressions.js';
import { makeTempFolder, SQL_INJECTION_ROUTE } from '../helpers/temp-project.js';

const SINK = '  const { rows } = await pool.query';

/** Returns the SQL injection route with `lines` inserted before the line of its finding. */
function routeWith(...lines: string[]): string {
  return SQL_INJECTION_ROUTE.replace(SINK, [...lines, SINK].join('\n'));
}

/** Returns the route with `tail` after the statement of its SQL sink, on the same line. */
function routeEndingWith(tail: string): string {
  return SQL_INJECTION_ROUTE.replace("'${ward}'`);", `'\${ward}'\`); ${tail}`);
}

async function scanRoute(source: string, rules = ['sql-injection', 'unparameterized-sql']) {
  const cwd = makeTempFolder({ 'route.ts': source });
  const result = await scan({ paths: ['.'], cwd, config: createDefaultConfig(), only: rules });
  const suppressionNotices = result.notifications
    .filter((notification) => notification.kind.endsWith('-suppression'))
    .map(({ kind, level, line, message }) => ({ kind, level, line, message }));
  return { result, suppressionNotices };
}

describe('valid suppressions', () => {
  it('next-line suppresses the finding below', async () => {
    const { result, suppressionNotices } = await scanRoute(routeWith('  // keney-audit-ignore-next-line sql-injection -- ward is an enum'));
    expect(result.findings.map((finding) => finding.suppression)).toEqual([{ kind: 'inSource', justification: 'ward is an enum' }]);
    expect(result.summary.suppressed).toBe(1);
    expect(result.summary.bySeverity.critical).toBe(0);
    expect(suppressionNotices).toEqual([]);
  });

  it('next-line skips blank and comment lines', async () => {
    const source = routeWith('  // keney-audit-ignore-next-line sql-injection -- ward is an enum', '', '  // the query below is reviewed');
    const { result } = await scanRoute(source);
    expect(result.summary.suppressed).toBe(1);
  });

  it('ignore-line suppresses the finding on its line', async () => {
    const source = routeEndingWith('// keney-audit-ignore-line sql-injection -- ward is an enum');
    const { result } = await scanRoute(source);
    expect(result.findings[0]!.suppression).toEqual({ kind: 'inSource', justification: 'ward is an enum' });
  });

  it('a comment may name several rules', async () => {
    const source = routeWith('  // keney-audit-ignore-next-line unparameterized-sql, sql-injection -- reviewed');
    const { result, suppressionNotices } = await scanRoute(source);
    expect(result.summary.suppressed).toBe(1);
    expect(suppressionNotices).toEqual([
      {
        kind: 'unused-suppression',
        level: 'note',
        line: 9,
        message: 'Suppression of unparameterized-sql matches no finding on line 10. Remove it, or move it to the line of the finding.',
      },
    ]);
  });

  it('block comments work too', async () => {
    const { result } = await scanRoute(routeWith('  /* keney-audit-ignore-next-line sql-injection -- ward is an enum */'));
    expect(result.summary.suppressed).toBe(1);
  });
});

describe('markers outside comments', () => {
  it('string marker suppresses nothing', async () => {
    const source = routeEndingWith("const note = '// keney-audit-ignore-line sql-injection -- looks like a comment';");
    const { result, suppressionNotices } = await scanRoute(source);
    expect(result.findings.map((finding) => [finding.ruleId, finding.suppression])).toEqual([['sql-injection', undefined]]);
    expect(suppressionNotices).toEqual([]);
  });

  it('template or JSX text marker suppresses nothing', async () => {
    const template = routeWith('  const help = `/* keney-audit-ignore-next-line sql-injection -- looks like a comment */`;');
    expect((await scanRoute(template)).result.summary.suppressed).toBe(0);
    const jsx = routeWith('  const view = <p>// keney-audit-ignore-next-line sql-injection -- looks like a comment</p>;');
    const cwd = makeTempFolder({ 'route.tsx': jsx });
    const result = await scan({ paths: ['.'], cwd, config: createDefaultConfig(), only: ['sql-injection'] });
    expect(result.findings).toHaveLength(1);
    expect(result.summary.suppressed).toBe(0);
  });

  it('string marker after U+2028 suppresses nothing', async () => {
    const source = routeEndingWith("const note = '\u2028// keney-audit-ignore-line sql-injection -- looks like a comment';");
    expect((await scanRoute(source)).result.summary.suppressed).toBe(0);
  });

  it('next-line does not skip # lines in code', async () => {
    const source = routeWith(
      '  // keney-audit-ignore-next-line sql-injection -- the line below is a private field',
      '  class Holder { #value = 1; }',
    );
    const { result, suppressionNotices } = await scanRoute(source);
    expect(result.summary.suppressed).toBe(0);
    expect(suppressionNotices.map((notice) => notice.kind)).toEqual(['unused-suppression']);
  });

  it('comment after a string counts', async () => {
    const source = routeEndingWith("const note = 'a'; // keney-audit-ignore-line sql-injection -- ward is an enum");
    expect((await scanRoute(source)).result.summary.suppressed).toBe(1);
  });

  it('comment ending a block counts', async () => {
    const source = routeWith('  if (ward) {', '    // keney-audit-ignore-next-line sql-injection -- ward is an enum', '  }');
    // The marker applies to the next code line, the closing brace, so it matches no finding and is listed as unused.
    const { suppressionNotices } = await scanRoute(source);
    expect(suppressionNotices.map((notice) => notice.kind)).toEqual(['unused-suppression']);
  });
});

describe('invalid suppressions', () => {
  const cases: Array<[string, string, string]> = [
    ['without a reason', '  // keney-audit-ignore-next-line sql-injection', "gives no reason after ' -- '"],
    ['with an empty reason', '  // keney-audit-ignore-next-line sql-injection --', "gives no reason after ' -- '"],
    ['without a rule id', '  // keney-audit-ignore-next-line -- reviewed', 'names no rule id'],
    ['with an unknown rule id', '  // keney-audit-ignore-next-line sql-injecton -- reviewed', "names the unknown rule id 'sql-injecton'"],
  ];
  for (const [name, comment, problem] of cases) {
    it(`${name} suppresses nothing and is reported`, async () => {
      const { result, suppressionNotices } = await scanRoute(routeWith(comment));
      expect(result.summary.suppressed).toBe(0);
      expect(result.findings[0]!.suppression).toBeUndefined();
      expect(suppressionNotices).toEqual([
        {
          kind: 'invalid-suppression',
          level: 'warning',
          line: 9,
          message: `Suppression comment ${problem}, so it suppresses nothing. Write it as \`keney-audit-ignore-next-line <rule-id> -- <reason>\`.`,
        },
      ]);
    });
  }
});

describe('an invalid ignore-line comment', () => {
  it('is told to keep its own form', async () => {
    const { suppressionNotices } = await scanRoute(routeWith('  // keney-audit-ignore-line sql-injection'));
    expect(suppressionNotices.map((notice) => notice.message)).toEqual([
      "Suppression comment gives no reason after ' -- ', so it suppresses nothing. Write it as `keney-audit-ignore-line <rule-id> -- <reason>`.",
    ]);
  });
});

describe('unused suppressions', () => {
  it('a comment that matches no finding is listed', async () => {
    const source = `// keney-audit-ignore-next-line sql-injection -- left from a refactor\nexport const answer = 42;\n`;
    const { suppressionNotices } = await scanRoute(source);
    expect(suppressionNotices).toEqual([
      {
        kind: 'unused-suppression',
        level: 'note',
        line: 1,
        message: 'Suppression of sql-injection matches no finding on line 2. Remove it, or move it to the line of the finding.',
      },
    ]);
  });

  it('naming the wrong rule suppresses nothing', async () => {
    const { result, suppressionNotices } = await scanRoute(routeWith('  // keney-audit-ignore-next-line unparameterized-sql -- reviewed'));
    expect(result.summary.suppressed).toBe(0);
    expect(suppressionNotices.map((notice) => notice.kind)).toEqual(['unused-suppression']);
  });

  it('a rule that did not run is not reported', async () => {
    const source = `// keney-audit-ignore-next-line sql-injection -- reviewed\nexport const answer = 42;\n`;
    const { suppressionNotices } = await scanRoute(source, ['unparameterized-sql']);
    expect(suppressionNotices).toEqual([]);
  });
});

describe('parseSuppressions', () => {
  it('reads rule ids, reason, line, column and target line', () => {
    const text = 'const a = 1;\n\n    // keney-audit-ignore-next-line sql-injection,unparameterized-sql -- reviewed by security\n\nquery(a);\n';
    const known = new Set(['sql-injection', 'unparameterized-sql']);
    expect(parseSuppressions(text, known)).toEqual([
      { line: 3, column: 5, targetLine: 5, ruleIds: ['sql-injection', 'unparameterized-sql'], justification: 'reviewed by security' },
    ]);
  });

  it('reads no # comment in code', () => {
    const text = 'run(this.#keney-audit-ignore-line, sql-injection, --x);\n';
    expect(parseSuppressions(text, new Set(['sql-injection']))).toEqual([]);
  });

  it('reads # comments of .env files', () => {
    const text = '# keney-audit-ignore-next-line committed-env-secret -- placeholder value\nAPI_KEY=changeme\n';
    const [comment] = parseSuppressions(text, new Set(['committed-env-secret']), 'env');
    expect(comment).toMatchObject({ line: 1, targetLine: 2, ruleIds: ['committed-env-secret'], justification: 'placeholder value' });
  });
});
