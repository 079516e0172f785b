import { parentPort, workerData } from 'node:worker_threads';
import { allRules } from '../rules/index.js';
import { analyzeSafely, type AnalyzeOptions } from './analyze-file.js';
import { HeapGuard } from './heap-guard.js';
import { saveTypeScriptCodeCache, setCodeCacheEnabled } from '../typescript.js';
import type { FileTask, WorkerSetup } from './worker-pool.js';

const setup = workerData as WorkerSetup;
const enabled = new Set(setup.ruleIds);
const options: AnalyzeOptions = {
  rules: allRules.filter((rule) => enabled.has(rule.meta.id)),
  config: setup.config,
  semantic: setup.semantic,
  knownRuleIds: new Set(allRules.map((rule) => rule.meta.id)),
};

setCodeCacheEnabled(setup.codeCache);
const heap = new HeapGuard();

parentPort!.on('message', (tasks: FileTask[]) => {
  try {
    const results = tasks.map((task) => {
      const result = analyzeSafely(task.file, task.text, options);
      heap.check();
      return result;
    });
    parentPort!.postMessage({ kind: 'results', results });
    // After the first batch, so that the cache contains the parser's functions; later calls do nothing.
    saveTypeScriptCodeCache();
  } catch (error) {
    parentPort!.postMessage({ kind: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
