import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ResolvedConfig } from '../config/schema.js';
import type { SemanticOptions } from '../analysis/semantics.js';
import type { FileResult } from './facts.js';

/** What every worker needs before its first file: which rules run, with which settings. */
export interface WorkerSetup {
  ruleIds: string[];
  config: ResolvedConfig;
  semantic: SemanticOptions;
}

export interface FileTask {
  /** Path relative to the scan root. */
  file: string;
  text: string;
}

type WorkerMessage =
  | { kind: 'results'; results: FileResult[] }
  | { kind: 'error'; message: string };

const WORKER_URL = new URL('./worker.js', import.meta.url);
const BATCH_SIZE = 24;

/** True when the compiled worker script exists; tests that run the TypeScript sources directly scan in-process. */
export function canUseWorkers(): boolean {
  return fs.existsSync(fileURLToPath(WORKER_URL));
}

/**
 * Runs the per-file step on worker threads. Files go out in small batches to
 * whichever worker is free, so a few large files do not leave a core idle;
 * results come back in the order of the task list.
 */
export async function analyzeInWorkers(
  tasks: readonly FileTask[],
  setup: WorkerSetup,
  jobs: number,
  onProgress?: (done: number) => void,
): Promise<FileResult[]> {
  const results = new Array<FileResult | undefined>(tasks.length);
  const batches: number[][] = [];
  for (let start = 0; start < tasks.length; start += BATCH_SIZE) {
    batches.push(Array.from({ length: Math.min(BATCH_SIZE, tasks.length - start) }, (_, offset) => start + offset));
  }
  const workerCount = Math.max(1, Math.min(jobs, batches.length));
  let next = 0;
  let done = 0;

  const runWorker = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(WORKER_URL, { workerData: setup });
      let current: number[] | undefined;
      const send = (): void => {
        current = batches[next++];
        if (!current) {
          void worker.terminate().then(() => resolve());
          return;
        }
        worker.postMessage(current.map((index) => tasks[index]));
      };
      worker.on('message', (message: WorkerMessage) => {
        if (message.kind === 'error') {
          void worker.terminate();
          reject(new Error(`A scan worker failed: ${message.message}`));
          return;
        }
        message.results.forEach((result, offset) => {
          results[current![offset]!] = result;
        });
        done += message.results.length;
        onProgress?.(done);
        send();
      });
      worker.on('error', reject);
      worker.on('exit', (code) => {
        if (code !== 0 && current) reject(new Error(`A scan worker stopped with exit code ${code}.`));
      });
      send();
    });

  await Promise.all(Array.from({ length: workerCount }, runWorker));
  return results.map((result, index) => {
    if (!result) throw new Error(`No result for ${tasks[index]!.file}.`);
    return result;
  });
}
