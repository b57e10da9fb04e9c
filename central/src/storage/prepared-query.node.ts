import type { Compilable, CompiledQuery as CompiledQueryType, Kysely, QueryResult } from 'kysely';
import { CompiledQuery } from './kysely.node.ts';

/** Where one of a compiled statement's parameters comes from: a named argument, or a constant of the query. */
type Slot<P> = { readonly argument: keyof P } | { readonly constant: unknown };

/** Stands in for an argument while the statement is built; no real value starts with a NUL. */
const MARKER = '\u0000kawei-argument:';

/**
 * A query built and compiled with Kysely once, on first use, then run again and again with fresh
 * arguments. Building and compiling took about half the CPU of a single-row lookup, and the hot
 * per-request queries (device lookup, nonce check, device head) differ only in their values.
 *
 * `build` receives a marker in place of each argument; the compiled statement's parameters are then
 * read back — each marker becomes "take this argument", every other value (a constant such as
 * 'active') is kept as it is — so a statement whose parameters the compiler reorders or repeats still
 * gets the right values. One instance belongs to one store (the SQL is its dialect's); `build` must
 * not branch on the arguments, only on things fixed for the store.
 */
export class PreparedQuery<DB, P extends Record<string, unknown>, R> {
  private compiled: { readonly sql: string; readonly slots: readonly Slot<P>[] } | null = null;

  constructor(
    private readonly name: string,
    private readonly build: (db: Kysely<DB>, args: P) => Compilable<R>,
  ) {}

  /** Runs the statement on `db` (the store's database or one of its transactions) with `args`. */
  execute(db: Kysely<DB>, args: P): Promise<QueryResult<R>> {
    const { sql, slots } = this.compiled ?? this.compile(db);
    const parameters = slots.map((slot) => ('argument' in slot ? args[slot.argument] : slot.constant));
    return db.executeQuery(CompiledQuery.raw(sql, parameters) as CompiledQueryType<R>);
  }

  /** The first row, as executeTakeFirst() would give it. */
  async takeFirst(db: Kysely<DB>, args: P): Promise<R | undefined> {
    return (await this.execute(db, args)).rows[0];
  }

  /** Rows inserted, updated or deleted, as numUpdatedRows / numInsertedOrUpdatedRows / numDeletedRows would give it. */
  async affected(db: Kysely<DB>, args: P): Promise<bigint> {
    return (await this.execute(db, args)).numAffectedRows ?? 0n;
  }

  private compile(db: Kysely<DB>): { readonly sql: string; readonly slots: readonly Slot<P>[] } {
    const names = new Set<string>();
    const markers = new Proxy({} as P, {
      get: (_, name) => {
        if (typeof name !== 'string') return undefined;
        names.add(name);
        return MARKER + name;
      },
    });
    const { sql, parameters } = this.build(db, markers).compile();
    if (sql.includes(MARKER)) throw new Error(`prepared query ${this.name}: an argument was inlined into the SQL instead of bound as a parameter`);
    const slots = parameters.map((value): Slot<P> => {
      if (typeof value === 'string' && value.startsWith(MARKER)) {
        const argument = value.slice(MARKER.length);
        if (!names.has(argument)) throw new Error(`prepared query ${this.name}: unknown argument marker "${argument}"`);
        return { argument };
      }
      if (typeof value === 'string' && value.includes(MARKER)) {
        throw new Error(`prepared query ${this.name}: an argument was combined with other text instead of bound as a parameter`);
      }
      return { constant: value };
    });
    for (const name of names) {
      if (!slots.some((slot) => 'argument' in slot && slot.argument === name)) {
        throw new Error(`prepared query ${this.name}: argument "${name}" did not become a parameter (was it inlined into the SQL?)`);
      }
    }
    this.compiled = { sql, slots };
    return this.compiled;
  }
}
