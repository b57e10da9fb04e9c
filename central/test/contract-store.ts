import { afterEach, beforeEach } from 'vitest';

/** What a backend gives a store contract: a fresh, migrated store, a second store on the same data, and a close. */
export interface OpenedContractStore<S> {
  store: S;
  /** Another store on the same data (another process, as `serve` and the CLI are). */
  openAgain(): Promise<S>;
  close(): Promise<void>;
}

/**
 * The set-up every store contract shares: a fresh store before each test (handed to `use`), and after
 * it every second store the test opened with the returned `openAgain` closed, then the store itself.
 * Call inside the contract's `describe`.
 */
export function freshStoreEach<S extends { close(): Promise<void> }>(open: () => Promise<OpenedContractStore<S>>, use: (store: S) => void): { openAgain(): Promise<S> } {
  let opened: OpenedContractStore<S>;
  const extra: S[] = [];
  beforeEach(async () => {
    opened = await open();
    use(opened.store);
  });
  afterEach(async () => {
    await Promise.all(extra.splice(0).map((s) => s.close()));
    await opened.close();
  });
  return {
    async openAgain() {
      const again = await opened.openAgain();
      extra.push(again);
      return again;
    },
  };
}
