import v8 from 'node:v8';
import vm from 'node:vm';

const MIB = 1024 * 1024;

/**
 * Keeps a thread's heap close to the data it still needs while it parses file
 * after file. V8 lets the garbage of finished files grow to several times the
 * live data before a full collection: on masslight/ottehr the live data after
 * a collection was about 110 MiB while the process peaked between 530 and
 * 950 MiB. The guard collects once the heap passes twice the live data of
 * the last collection, or 192 MiB, whichever is larger, so the threshold
 * grows with projects whose live data is large.
 */
export class HeapGuard {
  private readonly collect: () => void;
  private threshold: number;

  constructor(private readonly floor = 192 * MIB) {
    // The flag adds `gc` to contexts created after it is set; this thread's own globals stay as they are.
    v8.setFlagsFromString('--expose-gc');
    this.collect = vm.runInNewContext('gc') as () => void;
    this.threshold = floor;
  }

  /** Collects garbage when the heap has grown past the threshold; call it between files. */
  check(): void {
    if (v8.getHeapStatistics().used_heap_size < this.threshold) return;
    this.collect();
    this.threshold = Math.max(this.floor, 2 * v8.getHeapStatistics().used_heap_size);
  }
}
