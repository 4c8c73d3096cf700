/**
 * Deflating files ahead, on a thread of their own, while the main thread is still busy with something else
 * (pack: merging the split documents back into customizations.xml, which is single-threaded work). A
 * ZipWriter given a Precompressor asks it for each file it adds from disk (ZipWriter.addFile): a file
 * already deflated is written as it is; one the thread has not reached is claimed by the writer, which
 * deflates it itself. Claims go through shared memory, so neither side ever waits for a file the other
 * has not started, and the bytes are the same either way (same zlib, same level, same options).
 *
 * Memory: deflated data waiting to be written is bounded by `budget`; the thread stops claiming files while
 * more than that is held, and goes on when the writer takes some.
 */
import { Worker } from "node:worker_threads";
import * as zlib from "node:zlib";

/** A file deflated ahead: CRC-32 and size of the content, and its deflated bytes. */
export interface Precompressed {
  crc: number;
  usize: number;
  data: Buffer;
}

export interface PrecompressOptions {
  /** Deflate level 0-9 (must be the writer's); default 6. */
  level?: number;
  /** Deflated bytes held before the thread pauses; default 32 MiB. */
  budget?: number;
  /** Files larger than this are left to the writer (which streams them); default 8 MiB. */
  maxFileSize?: number;
}

const FREE = 0;
const BY_THREAD = 1;
const BY_WRITER = 2;

/**
 * The thread: CommonJS run with `eval` (no file to find, only node: modules, so it starts in ~30 ms).
 * The level must be the writer's. The output buffer size does not change the deflated bytes (zlib's output
 * does not depend on how much room each call has; test/archive/precompress.test.ts compares): small output
 * chunks keep the thread from leaving input-sized buffers to its garbage collector.
 */
const SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
const zlib = require("node:zlib");
const { paths, state, held, budget, level, maxFileSize } = workerData;
const crc32 = zlib.crc32;
// One buffer for every file read (grown when needed): reading into fresh buffers left tens of MB for the GC.
let buf = Buffer.allocUnsafeSlow(1024 * 1024);
function read(p) {
  const fd = fs.openSync(p, "r");
  try {
    const size = fs.fstatSync(fd).size;
    if (size > maxFileSize) throw new Error("too large");
    if (size > buf.length) buf = Buffer.allocUnsafeSlow(size);
    let off = 0;
    while (off < size) {
      const n = fs.readSync(fd, buf, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } finally {
    fs.closeSync(fd);
  }
}
for (let i = 0; i < paths.length; i++) {
  for (;;) {
    const h = Atomics.load(held, 0);
    if (h <= budget || Atomics.load(held, 1) !== 0) break;
    Atomics.wait(held, 0, h, 200);
  }
  if (Atomics.load(held, 1) !== 0) break;
  if (Atomics.compareExchange(state, i, ${FREE}, ${BY_THREAD}) !== ${FREE}) continue;
  let msg;
  try {
    const bytes = read(paths[i]);
    const out = zlib.deflateRawSync(bytes, { level, chunkSize: 64 * 1024 });
    // The output is a view of a buffer as large as the input: posting it would copy all of that buffer.
    const data = new Uint8Array(out);
    Atomics.add(held, 0, data.length);
    msg = { i, crc: crc32(bytes) >>> 0, usize: bytes.length, data };
  } catch {
    msg = { i, data: null };
  }
  parentPort.postMessage(msg, msg.data ? [msg.data.buffer] : []);
}
parentPort.postMessage({ done: true });
`;

interface Slot {
  result?: Precompressed | null;
  waiter?: (r: Precompressed | null) => void;
}

export class Precompressor {
  readonly #index = new Map<string, number>();
  readonly #state: Int32Array;
  /** [0] deflated bytes held by this side, [1] stop flag. */
  readonly #held: Int32Array;
  readonly #slots = new Map<number, Slot>();
  readonly #worker: Worker | undefined;
  /** The deflate level; a ZipWriter with another level refuses this precompressor. */
  readonly level: number;
  #stopped = false;
  #exited: Promise<void>;
  #finished!: Promise<void>;
  #served = 0;

  /** Starts deflating `paths` (absolute file paths) in this order, in the background. */
  constructor(paths: readonly string[], opts: PrecompressOptions = {}) {
    this.level = opts.level ?? 6;
    const unique = [...new Set(paths)];
    unique.forEach((p, i) => this.#index.set(p, i));
    this.#state = new Int32Array(new SharedArrayBuffer(Math.max(1, unique.length) * 4));
    this.#held = new Int32Array(new SharedArrayBuffer(8));
    let finish!: () => void;
    this.#finished = new Promise<void>((resolve) => (finish = resolve));
    // Without zlib.crc32 (Node before 20.15) the thread would need a CRC of its own: every file is the writer's.
    if (unique.length === 0 || typeof (zlib as { crc32?: unknown }).crc32 !== "function") {
      this.#stopped = true;
      this.#exited = Promise.resolve();
      finish();
      return;
    }
    let worker: Worker;
    try {
      worker = new Worker(SOURCE, {
        eval: true,
        workerData: {
          paths: unique,
          state: this.#state,
          held: this.#held,
          budget: opts.budget ?? 32 * 1024 * 1024,
          level: this.level,
          maxFileSize: opts.maxFileSize ?? 8 * 1024 * 1024,
        },
      });
    } catch {
      // No thread (resource limits): every file is the writer's, as without a precompressor.
      this.#stopped = true;
      this.#exited = Promise.resolve();
      finish();
      return;
    }
    this.#worker = worker;
    worker.unref();
    worker.on("message", (m: { done?: true; i: number; crc?: number; usize?: number; data: Uint8Array | null }) => {
      if (m.done) return finish();
      const result = m.data ? { crc: m.crc!, usize: m.usize!, data: Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength) } : null;
      const slot = this.#slots.get(m.i) ?? {};
      if (slot.waiter) {
        this.#slots.delete(m.i);
        if (result) {
          this.#release(result.data.length);
          this.#served++;
        }
        slot.waiter(result);
      } else {
        slot.result = result;
        this.#slots.set(m.i, slot);
      }
    });
    this.#exited = new Promise<void>((resolve) => {
      const gone = (): void => {
        // A thread that failed leaves its claimed files unanswered: the writer deflates them itself.
        for (const [i, slot] of this.#slots) {
          if (slot.waiter) {
            this.#slots.delete(i);
            slot.waiter(null);
          }
        }
        this.#stopped = true;
        finish();
        resolve();
      };
      worker.on("error", gone);
      worker.on("exit", gone);
    });
  }

  /**
   * The deflated content of `path`, when the thread has it or is making it; null when the caller must
   * deflate the file itself (not offered, already taken, not reached yet: then it is the caller's now).
   */
  take(path: string): Promise<Precompressed | null> | null {
    const i = this.#index.get(path);
    if (i === undefined) return null;
    this.#index.delete(path); // a second zip of the same folder (--packagetype both) deflates it again
    if (Atomics.compareExchange(this.#state, i, FREE, BY_WRITER) === FREE) return null;
    const slot = this.#slots.get(i);
    if (slot && "result" in slot) {
      this.#slots.delete(i);
      if (slot.result) {
        this.#release(slot.result.data.length);
        this.#served++;
      }
      return Promise.resolve(slot.result ?? null);
    }
    if (this.#stopped) return Promise.resolve(null);
    return new Promise((resolve) => this.#slots.set(i, { waiter: resolve }));
  }

  /** Files handed to a writer deflated (for tests and measurements). */
  get served(): number {
    return this.#served;
  }

  /** Settles when the thread has gone through every file (or stopped, or paused for good on the budget: never). */
  whenThrough(): Promise<void> {
    return this.#finished;
  }

  #release(bytes: number): void {
    Atomics.sub(this.#held, 0, bytes);
    Atomics.notify(this.#held, 0);
  }

  /** Stops the thread (it finishes the file in hand) and drops what was not taken. */
  async close(): Promise<void> {
    Atomics.store(this.#held, 1, 1);
    Atomics.notify(this.#held, 0);
    await this.#worker?.terminate();
    await this.#exited;
    this.#slots.clear();
  }
}
