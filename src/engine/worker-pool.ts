import fs from 'node:fs';
import os from 'node:os';
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
  /** Whether to read and write the compiler's code cache, which --no-cache turns off. */
  codeCache: boolean;
}

export interface FileTask {
  /** Path relative to the scan root. */
  file: string;
  text: string;
}

type WorkerMessage = { kind: 'results'; results: FileResult[] } | { kind: 'error'; message: string };

const WORKER_URL = new URL('./worker.js', import.meta.url);
const BATCH_SIZE = 16;
const IN_FLIGHT = 2;

/**
 * Returns the number of threads a scan uses by default: one a core. With
 * inlining off in V8's optimizing compiler (see bin/keney-audit.js), two
 * threads scanned typeorm on two cores in 5.1 s against 5.5 s for one, at
 * 470 MiB against 300 MiB.
 */
export function defaultJobs(): number {
  return os.availableParallelism();
}

/** True when the compiled worker script exists; tests that run the TypeScript sources directly scan in-process. */
export function canUseWorkers(): boolean {
  return fs.existsSync(fileURLToPath(WORKER_URL));
}

/**
 * Worker threads for the per-file step. They start as soon as the pool is
 * created, so that loading the parser and the rules overlaps with the calling
 * thread reading files; `run` then hands out files in small batches to
 * whichever thread is free, the calling thread included, so a few large files
 * do not leave a core idle. Results come back in the order of the task list.
 */
export class WorkerPool {
  private readonly workers: Worker[];
  private readonly failures: Error[] = [];

  constructor(setup: WorkerSetup, count: number) {
    this.workers = Array.from({ length: count }, () => {
      const worker = new Worker(WORKER_URL, { workerData: setup });
      worker.on('error', (error) => this.failures.push(error));
      return worker;
    });
  }

  get size(): number {
    return this.workers.length;
  }

  async run(
    tasks: readonly FileTask[],
    analyzeHere: (task: FileTask) => FileResult,
    onProgress?: (done: number) => void,
  ): Promise<FileResult[]> {
    const results = new Array<FileResult | undefined>(tasks.length);
    let next = 0;
    let done = 0;
    const takeBatch = (): number[] | undefined => {
      if (next >= tasks.length) return undefined;
      const batch: number[] = [];
      while (batch.length < BATCH_SIZE && next < tasks.length) batch.push(next++);
      return batch;
    };
    const record = (batch: number[], batchResults: FileResult[]): void => {
      batch.forEach((index, offset) => {
        results[index] = batchResults[offset];
      });
      done += batch.length;
      onProgress?.(done);
    };

    // Each worker keeps a second batch queued while it works on the first. It then never waits for the
    // calling thread, which reads worker messages only between its own batches.
    const runWorker = (worker: Worker): Promise<void> =>
      new Promise((resolve, reject) => {
        const pending: number[][] = [];
        const send = (): void => {
          const batch = takeBatch();
          if (!batch) return;
          pending.push(batch);
          worker.postMessage(batch.map((index) => tasks[index]));
        };
        const onMessage = (message: WorkerMessage): void => {
          if (message.kind === 'error') {
            reject(new Error(`A scan worker failed: ${message.message}`));
            return;
          }
          record(pending.shift()!, message.results);
          send();
          if (pending.length === 0) {
            worker.off('message', onMessage);
            resolve();
          }
        };
        worker.on('message', onMessage);
        worker.once('error', reject);
        worker.once('exit', (code) => {
          if (pending.length > 0 && code !== 0) reject(new Error(`A scan worker stopped with exit code ${code}.`));
        });
        for (let count = 0; count < IN_FLIGHT; count++) send();
        if (pending.length === 0) {
          worker.off('message', onMessage);
          resolve();
        }
      });

    // The calling thread analyses batches too, yielding between them so worker messages are handled.
    const runHere = async (): Promise<void> => {
      for (let batch = takeBatch(); batch; batch = takeBatch()) {
        record(batch, batch.map((index) => analyzeHere(tasks[index]!)));
        await new Promise((resolve) => setImmediate(resolve));
      }
    };

    if (this.failures.length > 0) throw this.failures[0];
    await Promise.all([runHere(), ...this.workers.map(runWorker)]);
    return results.map((result, index) => {
      if (!result) throw new Error(`No result for ${tasks[index]!.file}.`);
      return result;
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
