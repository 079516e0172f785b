/** `*.test.ts`, `*.spec.js` and files under `__tests__/`: code of tests, which builds throwaway apps and values. */
const TEST_SOURCE_FILE = /(^|\/)__tests__\/|\.(test|spec)\.[cm]?[jt]sx?$/;

/** Returns true for a source file of tests, by its path. */
export function isTestSourceFile(file: string): boolean {
  return TEST_SOURCE_FILE.test(file);
}
