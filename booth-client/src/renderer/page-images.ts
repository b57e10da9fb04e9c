/**
 * Page images for the viewer: an LRU of data URLs by file, page and scale, and a small queue so a
 * fast scroll through a 1,000-page file asks the trusted side for at most `concurrency` pages at a
 * time and forgets the ones that scrolled away before their turn. No DOM: tested under Node.
 */

export interface PageImageAnswer {
  mime: string;
  data: string;
  /** Blind page with images the name matcher cannot read: the viewer warns. */
  unverifiedImages?: boolean;
}

export type FetchPage = (fileId: string, page: number, scale: number) => Promise<PageImageAnswer>;

export interface PageLoad {
  readonly promise: Promise<string>;
  /** The page left the screen: drop it if it has not started (a started request still fills the cache). */
  readonly cancel: () => void;
}

export class PageAbortedError extends Error {
  override readonly name = 'PageAbortedError';
}

interface Task {
  readonly key: string;
  readonly run: () => Promise<string>;
  readonly resolve: (url: string) => void;
  readonly reject: (error: unknown) => void;
  waiters: number;
}

export class PageImages {
  private readonly cache = new Map<string, string>();
  /** Pages (any scale) answered with `unverifiedImages`: one short key each, never evicted. */
  private readonly unverified = new Set<string>();
  private readonly queue: Task[] = [];
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly promises = new WeakMap<Task, Promise<string>>();
  private running = 0;

  constructor(
    private readonly fetchPage: FetchPage,
    private readonly capacity: number,
    private readonly concurrency = 4,
  ) {}

  static key(fileId: string, page: number, scale: number): string {
    return `${fileId}\u0000${page}\u0000${scale}`;
  }

  private static pageKey(fileId: string, page: number): string {
    return `${fileId}\u0000${page}`;
  }

  /** The page came with images the system could not check for bidder names (blind projects). */
  hasUnverifiedImages(fileId: string, page: number): boolean {
    return this.unverified.has(PageImages.pageKey(fileId, page));
  }

  /** A cached image (and marks it recently used). */
  get(fileId: string, page: number, scale: number): string | undefined {
    const key = PageImages.key(fileId, page, scale);
    const url = this.cache.get(key);
    if (url !== undefined) {
      this.cache.delete(key);
      this.cache.set(key, url);
    }
    return url;
  }

  /** Any cached scale of this page, to show stretched while the right one loads. */
  anyScale(fileId: string, page: number): string | undefined {
    const prefix = `${fileId}\u0000${page}\u0000`;
    for (const [key, url] of this.cache) if (key.startsWith(prefix)) return url;
    return undefined;
  }

  get size(): number {
    return this.cache.size;
  }

  load(fileId: string, page: number, scale: number): PageLoad {
    const key = PageImages.key(fileId, page, scale);
    const cached = this.get(fileId, page, scale);
    if (cached !== undefined) return { promise: Promise.resolve(cached), cancel: () => {} };
    const flying = this.inFlight.get(key);
    if (flying) return { promise: flying, cancel: () => {} };

    const queued = this.queue.find((task) => task.key === key);
    if (queued) {
      queued.waiters++;
      return { promise: this.promiseOf(queued), cancel: () => this.release(queued) };
    }
    let resolve!: (url: string) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<string>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const task: Task = {
      key,
      run: async () => {
        const answer = await this.fetchPage(fileId, page, scale);
        const url = `data:${answer.mime};base64,${answer.data}`;
        if (answer.unverifiedImages === true) this.unverified.add(PageImages.pageKey(fileId, page));
        this.put(key, url);
        return url;
      },
      resolve,
      reject,
      waiters: 1,
    };
    this.promises.set(task, promise);
    this.queue.push(task);
    this.pump();
    return { promise, cancel: () => this.release(task) };
  }

  private promiseOf(task: Task): Promise<string> {
    return this.promises.get(task) as Promise<string>;
  }

  private release(task: Task): void {
    task.waiters--;
    if (task.waiters > 0) return;
    const index = this.queue.indexOf(task);
    if (index >= 0) {
      this.queue.splice(index, 1);
      task.reject(new PageAbortedError(task.key));
    }
  }

  private put(key: string, url: string): void {
    this.cache.delete(key);
    this.cache.set(key, url);
    while (this.cache.size > this.capacity) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }

  private pump(): void {
    while (this.running < this.concurrency && this.queue.length > 0) {
      // Newest first: the page the expert just scrolled to matters more than the ones passed by.
      const task = this.queue.pop() as Task;
      this.running++;
      const promise = task.run();
      this.inFlight.set(task.key, promise);
      promise.then(task.resolve, task.reject).finally(() => {
        this.inFlight.delete(task.key);
        this.running--;
        this.pump();
      });
    }
  }
}
