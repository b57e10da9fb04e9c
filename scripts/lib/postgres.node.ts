import { execFile, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from 'pg';
import { messagePair, type MessagePair } from '@kawei/shared/i18n/bilingual.ts';

/**
 * A throwaway PostgreSQL cluster from Debian's `postgresql` package, for tests and benchmarks: its own
 * temporary data directory, trust authentication, TCP on 127.0.0.1 only (a free port), its unix
 * socket inside the temporary directory, fsync on (the tests check durability semantics, so the
 * server must do what a production one does). Starting takes about a second.
 *
 *   const pg = await startThrowawayPostgres(); // throws PostgresMissingError when not installed
 *   const url = await pg.createDatabase();   // a fresh, empty database (or createSchema(): faster)
 *   …
 *   await pg.stop();                           // pg_ctl stop -m fast, then the directory is removed
 *
 * PostgreSQL refuses to run as root, so under root initdb and pg_ctl run as the `postgres` system
 * user (the Debian package creates it) and the directory is handed to that user.
 *
 * Nothing outlives its owner: a failed start removes what it made; stop() is idempotent; if the
 * owning process exits without stop() an exit hook stops the cluster, and if it is killed outright a
 * small watchdog shell (detached, polling once a second) stops it and removes the directory.
 *
 * From the command line (for a manual `kawei-central serve --store postgres`, or a harness that
 * wants the cluster in another process): `node --import tsx scripts/lib/postgres.node.ts` prints
 * {"event":"listening","url":…} (the line scripts/lib/processes.node.ts startNode waits for) and
 * runs until SIGTERM or SIGINT.
 */
export interface ThrowawayPostgres {
  /** The database created at start (`kawei`), as the superuser `postgres`. */
  url: string;
  port: number;
  /** The temporary directory: data/, server.log and the unix socket. */
  dir: string;
  /** Creates another empty database (a generated name unless given) and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /**
   * Creates an empty schema in the first database and returns a URL whose connections see only it
   * (search_path set at connect): a fresh place in milliseconds, where a new database takes ~0.2 s
   * and 7 MB. Advisory locks stay per database, so schemas of one database share them.
   */
  createSchema(name?: string): Promise<string>;
  stop(): Promise<void>;
}

export interface PostgresInstallation {
  /** The directory holding initdb, pg_ctl and postgres. */
  binDir: string;
  /** The system user the server runs as when we are root; null when we are not. */
  runAs: { uid: number; gid: number } | null;
}

const SUPERUSER = 'postgres';
const FIRST_DATABASE = 'kawei';
const DEBIAN_ROOT = '/usr/lib/postgresql';

/**
 * PostgreSQL is part of the test setup (npm test installs Debian's `postgresql`), not optional: a
 * machine without it fails the tests that need it, with this message, rather than skipping them and
 * reporting green.
 */
export class PostgresMissingError extends Error {
  constructor(chinese: string, english: string) {
    super(`${chinese} / ${english}`);
    this.name = 'PostgresMissingError';
  }

  static of(pair: MessagePair): PostgresMissingError {
    return new PostgresMissingError(pair.zh, pair.en);
  }
}

/**
 * Where PostgreSQL's server binaries are (KAWEI_PG_BINDIR, else the highest version under
 * /usr/lib/postgresql/N/bin), and whom to run them as; PostgresMissingError if they cannot be run.
 */
export function findPostgres(): PostgresInstallation {
  const binDir = findBinDir();
  if (binDir === null) {
    const where = process.env['KAWEI_PG_BINDIR'] ? `KAWEI_PG_BINDIR=${process.env['KAWEI_PG_BINDIR']}` : `${DEBIAN_ROOT}/N/bin`;
    throw PostgresMissingError.of(messagePair('scripts.postgres.missing', { where }));
  }
  if (process.getuid?.() !== 0) return { binDir, runAs: null };
  const user = systemUser(SUPERUSER);
  if (user === null) {
    throw PostgresMissingError.of(messagePair('scripts.postgres.noSystemUser'));
  }
  return { binDir, runAs: user };
}

function findBinDir(): string | null {
  const hasServer = (dir: string) => ['initdb', 'pg_ctl', 'postgres'].every((tool) => existsSync(join(dir, tool)));
  const fromEnv = process.env['KAWEI_PG_BINDIR'];
  if (fromEnv) return hasServer(fromEnv) ? fromEnv : null;
  if (!existsSync(DEBIAN_ROOT)) return null;
  const versions = readdirSync(DEBIAN_ROOT)
    .filter((name) => /^\d+(\.\d+)?$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const dir = join(DEBIAN_ROOT, version, 'bin');
    if (hasServer(dir)) return dir;
  }
  return null;
}

function systemUser(name: string): { uid: number; gid: number } | null {
  const id = (flag: string) => {
    const result = spawnSync('id', [flag, name], { encoding: 'utf8' });
    return result.status === 0 ? Number(result.stdout.trim()) : NaN;
  };
  const uid = id('-u');
  const gid = id('-g');
  return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
}

export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const { binDir, runAs } = findPostgres();

  const dir = mkdtempSync(join(tmpdir(), 'kawei-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
  const tool = (name: string, args: string[]) => run(join(binDir, name), args, { cwd: dir, runAs });

  let started = false;
  const stopNow = async () => {
    if (started) await tool('pg_ctl', ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '30']).catch(() => undefined);
    started = false;
    rmSync(dir, { recursive: true, force: true });
  };
  const onExit = () => {
    // Synchronous, because 'exit' handlers cannot wait: an immediate shutdown is enough for a throwaway.
    if (started) spawnSync(join(binDir, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'immediate', '-w'], spawnOptions(dir, runAs));
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  try {
    // --no-sync only skips initdb's own flush of the fresh catalog: a throwaway cluster need not
    // survive a power cut during its creation. The server itself runs with fsync on (below).
    await tool('initdb', [
      '-D', dataDir,
      '-U', SUPERUSER,
      '--auth-local=trust',
      '--auth-host=trust',
      '--encoding=UTF8',
      '--locale=C',
      '--no-sync',
      '--no-instructions',
    ]);
    appendFileSync(
      join(dataDir, 'postgresql.conf'),
      [
        '',
        '# kawei throwaway cluster (scripts/lib/postgres.node.ts)',
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${dir}'`,
        'fsync = on',
        'synchronous_commit = on',
        'full_page_writes = on',
        'max_connections = 200',
        "log_min_messages = 'warning'",
        '',
      ].join('\n'),
    );
    watchOwner(dir, dataDir);

    const port = await startOnFreePort(tool, dataDir, logFile, () => (started = true));
    const url = databaseUrl(port, FIRST_DATABASE);
    await runAdmin(databaseUrl(port, 'postgres'), `CREATE DATABASE ${FIRST_DATABASE}`);

    let stopping: Promise<void> | null = null;
    let created = 0;
    const freshName = () => `kawei_${process.pid}_${++created}`;
    return {
      url,
      port,
      dir,
      createDatabase: async (name) => {
        const database = name ?? freshName();
        await runAdmin(databaseUrl(port, 'postgres'), `CREATE DATABASE ${plainName(database)}`);
        return databaseUrl(port, database);
      },
      createSchema: async (name) => {
        const schema = name ?? freshName();
        await runAdmin(url, `CREATE SCHEMA ${plainName(schema)}`);
        return `${url}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      },
      stop: () => {
        stopping ??= stopNow().finally(() => process.off('exit', onExit));
        return stopping;
      },
    };
  } catch (error) {
    await stopNow();
    process.off('exit', onExit);
    throw error;
  }
}

function databaseUrl(port: number, database: string): string {
  return `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`;
}

/** A name that needs no quoting in SQL (and so cannot inject any). */
function plainName(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a plain lower-case SQL name: ${name}`);
  return name;
}

async function runAdmin(url: string, statement: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Picks a free port and starts the server on it. Another process may take the port between our
 * probe and the server's bind; the server then fails to start and we try another port.
 */
async function startOnFreePort(
  tool: (name: string, args: string[]) => Promise<string>,
  dataDir: string,
  logFile: string,
  onStarted: () => void,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      // -w waits until the server accepts connections (pg_ctl reads its readiness from postmaster.pid).
      await tool('pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '30', '-o', `-p ${port}`]);
      onStarted();
      return port;
    } catch (error) {
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
      if (attempt < 5 && /could not bind|address already in use/i.test(log)) continue;
      throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n--- server.log ---\n${log.slice(-4000)}`);
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function spawnOptions(cwd: string, runAs: PostgresInstallation['runAs']) {
  // A clean environment: no PGDATA/PGPORT from the caller, C locale messages, and a HOME the server
  // user can read. libuv drops root's supplementary groups when it switches uid.
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LC_ALL: 'C', HOME: cwd };
  return { cwd, env, ...(runAs ?? {}) };
}

function run(file: string, args: string[], options: { cwd: string; runAs: PostgresInstallation['runAs'] }): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { ...spawnOptions(options.cwd, options.runAs), encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/**
 * If the process that started the cluster dies without stopping it (SIGKILL, a crashed worker),
 * a detached shell notices within a second, shuts the server down (SIGQUIT: immediate shutdown) and
 * removes the directory. It ends by itself once stop() has removed the directory.
 */
function watchOwner(dir: string, dataDir: string): void {
  const script = `
    owner=$1; dir=$2; pidfile=$3
    while kill -0 "$owner" 2>/dev/null && [ -d "$dir" ]; do sleep 1; done
    [ -d "$dir" ] || exit 0
    pid=$(head -n 1 "$pidfile" 2>/dev/null)
    if [ -n "$pid" ]; then
      kill -QUIT "$pid" 2>/dev/null
      for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    fi
    rm -rf "$dir"
  `;
  const watchdog = spawn('sh', ['-c', script, 'kawei-pg-watchdog', String(process.pid), dir, join(dataDir, 'postmaster.pid')], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.unref();
}

// ---- command line: run a cluster until told to stop ----

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const cluster = await startThrowawayPostgres().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: cluster.url })}\n`);
  const keepAlive = setInterval(() => undefined, 1 << 30); // signal listeners alone do not keep Node running
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  clearInterval(keepAlive);
  process.stderr.write(`${signal}: stopping PostgreSQL\n`);
  await cluster.stop();
}
