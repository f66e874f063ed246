/**
 * Starts / stops the project's local, Docker-free Elasticsearch 8.x: a genuine Elasticsearch node booted by our small
 * Java runner (test/elasticsearch/pom.xml, see README.md beside this file) in a detached background JVM.
 *
 *   tsx test/elasticsearch/local-es.ts start|stop|status
 *
 * State lives in `.local-es/` at the repository root: `state.json` ({pid, url, basePath, ...}), `elasticsearch.log`
 * (the JVM's stdout/stderr), `classpath.txt` (cached Maven runtime classpath) and `build.log`.
 * Node 20 built-ins only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export interface LocalElasticsearch {
  url: string;
  pid: number;
  alreadyRunning: boolean;
}

export interface StartOptions {
  /** HTTP port; default `LOCAL_ES_PORT` or 9250. */
  port?: number;
  /** How long to wait for the cluster to be yellow/green (default `LOCAL_ES_START_TIMEOUT_MS` or 180000). */
  timeoutMs?: number;
}

interface State {
  pid: number;
  url: string;
  port: number;
  basePath: string;
  startedAt: string;
  logFile: string;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '..', '..');
const STATE_DIR = path.join(REPO_ROOT, '.local-es');
const STATE_FILE = path.join(STATE_DIR, 'state.json');
const LOG_FILE = path.join(STATE_DIR, 'elasticsearch.log');
const BUILD_LOG = path.join(STATE_DIR, 'build.log');
const CLASSPATH_FILE = path.join(STATE_DIR, 'classpath.txt');
const LOCK_FILE = path.join(STATE_DIR, 'start.lock');
const POM = path.join(HERE, 'pom.xml');
const RUNNER_JAR = path.join(HERE, 'target', 'local-elasticsearch-1.0.0.jar');
const MAIN_CLASS = 'dev.talendlogs.es.LocalElasticsearch';
/** Marks our JVMs so that `stop` can find them even without state.json (and never touches anybody else's). */
const ROOT_MARKER = `-Dlocal.es.root=${REPO_ROOT}`;
const DEFAULT_PORT = 9250;
const DEFAULT_START_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 30_000;

function log(message: string): void {
  // stderr: keeps stdout of the CLI to the one line that matters
  process.stderr.write(`[local-es] ${message}\n`);
}

function resolvePort(port?: number): number {
  const fromEnv = process.env.LOCAL_ES_PORT;
  const p = port ?? (fromEnv ? Number(fromEnv) : DEFAULT_PORT);
  if (!Number.isInteger(p) || p < 2 || p > 65535) {
    throw new Error(`invalid Elasticsearch port ${String(port ?? fromEnv)}`);
  }
  return p;
}

function readState(): State | undefined {
  try {
    return JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as State;
  } catch {
    return undefined;
  }
}

function writeState(state: State): void {
  fs.writeFileSync(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function cmdlineArgs(pid: number): string[] | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string | undefined {
  return cmdlineArgs(pid)?.join(' ');
}

/** Alive, and (where /proc tells) really our runner JVM, not a recycled pid. */
function isOurJvm(pid: number): boolean {
  if (!isAlive(pid)) return false;
  const cmd = cmdline(pid);
  if (cmd === undefined) return fs.existsSync('/proc/self') ? false : true;
  return cmd.includes(MAIN_CLASS);
}

/** Every runner JVM started from this working tree (Linux: scans /proc), with its data folder. */
function findOurJvms(): { pid: number; basePath: string | undefined }[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const found: { pid: number; basePath: string | undefined }[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    if (pid === process.pid) continue;
    const args = cmdlineArgs(pid);
    if (args && args.includes(MAIN_CLASS) && args.includes(ROOT_MARKER)) {
      const i = args.indexOf('-basePath');
      found.push({ pid, basePath: i >= 0 ? args[i + 1] : undefined });
    }
  }
  return found;
}

function tailOfLog(file: string, lines = 40): string {
  try {
    const all = fs.readFileSync(file, 'utf8').split('\n');
    if (all.length > 0 && all[all.length - 1] === '') all.pop();
    return all.slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function removeDir(dir: string | undefined): void {
  // only ever delete the temporary folders we create
  if (
    dir &&
    path.basename(dir).startsWith('talend-logs-es-') &&
    path.dirname(dir) === path.resolve(os.tmpdir())
  ) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

async function clusterReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=1s`, {
      signal: AbortSignal.timeout(5000),
    });
    if (res.status !== 200) {
      await res.body?.cancel();
      return false;
    }
    const body = (await res.json()) as { status?: string };
    return body.status === 'yellow' || body.status === 'green';
  } catch {
    return false;
  }
}

async function serverVersion(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(`${url}/`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as { version?: { number?: string } };
    return body.version?.number;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// build

function newestMtime(p: string): number {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const e of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, e)));
  return newest;
}

function readClasspath(): string[] | undefined {
  try {
    const entries = fs.readFileSync(CLASSPATH_FILE, 'utf8').trim().split(path.delimiter).filter(Boolean);
    return entries.length > 0 ? entries : undefined;
  } catch {
    return undefined;
  }
}

/** The cached classpath file doubles as the build stamp: it is touched after every successful build. */
function needsBuild(): boolean {
  const cp = readClasspath();
  if (!cp || !fs.existsSync(RUNNER_JAR)) return true;
  if (cp.some((entry) => !fs.existsSync(entry))) return true; // e.g. ~/.m2 was cleaned
  const builtAt = fs.statSync(CLASSPATH_FILE).mtimeMs;
  return Math.max(newestMtime(POM), newestMtime(path.join(HERE, 'src'))) > builtAt;
}

function run(cmd: string, args: string[], logFile: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const out = fs.openSync(logFile, 'w');
    const child = spawn(cmd, args, { stdio: ['ignore', out, out], cwd: HERE });
    fs.closeSync(out);
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** Builds the Java runner (and caches its runtime classpath) when missing or out of date. Returns the classpath. */
export async function buildLocalElasticsearch(force = false): Promise<string> {
  fs.mkdirSync(STATE_DIR, { recursive: true });
  if (force || needsBuild()) {
    const mvn = process.env.MVN ?? 'mvn';
    const args = ['-B', '-q', '-f', POM, 'package', `-Dlocal.es.classpath.file=${CLASSPATH_FILE}`];
    log(`building the Elasticsearch runner: ${mvn} ${args.join(' ')} (first time downloads ~70 MB)`);
    const t0 = Date.now();
    let code: number;
    try {
      code = await run(mvn, args, BUILD_LOG);
    } catch (e) {
      throw new Error(
        `cannot run Maven (${mvn}): ${(e as Error).message}; Java 17+ and Maven 3.8+ are required`,
      );
    }
    if (code !== 0 || !readClasspath() || !fs.existsSync(RUNNER_JAR)) {
      throw new Error(`Maven build of ${POM} failed (exit ${code}); ${BUILD_LOG}:\n${tailOfLog(BUILD_LOG)}`);
    }
    const now = new Date();
    fs.utimesSync(CLASSPATH_FILE, now, now);
    log(`built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const cp = readClasspath();
  if (!cp) throw new Error(`missing ${CLASSPATH_FILE}`);
  return [RUNNER_JAR, ...cp].join(path.delimiter);
}

// ---------------------------------------------------------------------------------------------------------------
// lock: one starter at a time (parallel test processes may all call start)

async function withStartLock<T>(fn: () => Promise<T>, waitMs: number): Promise<T> {
  fs.mkdirSync(STATE_DIR, { recursive: true });
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      fs.writeFileSync(LOCK_FILE, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(fs.readFileSync(LOCK_FILE, 'utf8').trim() || 'NaN');
      if (!Number.isInteger(holder) || !isAlive(holder)) {
        fs.rmSync(LOCK_FILE, { force: true }); // stale
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${LOCK_FILE} (held by pid ${holder})`);
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(LOCK_FILE, { force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// start / stop

async function killAndWait(pid: number, timeoutMs: number): Promise<void> {
  const signalAndWait = async (signal: NodeJS.Signals, ms: number): Promise<boolean> => {
    try {
      process.kill(pid, signal);
    } catch {
      return true;
    }
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (!isAlive(pid)) return true;
      await sleep(100);
    }
    return !isAlive(pid);
  };
  if (await signalAndWait('SIGTERM', timeoutMs)) return;
  log(`pid ${pid} did not stop within ${timeoutMs} ms; sending SIGKILL`);
  if (await signalAndWait('SIGKILL', 10_000)) return;
  throw new Error(`could not kill Elasticsearch JVM pid ${pid}`);
}

function javaBinary(): string {
  const home = process.env.JAVA_HOME;
  return home ? path.join(home, 'bin', 'java') : 'java';
}

/**
 * Starts the local Elasticsearch (building the runner first if needed) and waits until the cluster is yellow/green.
 * Idempotent: if ours is already running on that port, returns it with `alreadyRunning: true`.
 */
export async function startLocalElasticsearch(opts: StartOptions = {}): Promise<LocalElasticsearch> {
  const port = resolvePort(opts.port);
  const url = `http://127.0.0.1:${port}`;
  const timeoutMs =
    opts.timeoutMs ?? (Number(process.env.LOCAL_ES_START_TIMEOUT_MS) || DEFAULT_START_TIMEOUT_MS);

  return withStartLock(async () => {
    const existing = readState();
    if (existing && isOurJvm(existing.pid)) {
      if (existing.port !== port) {
        throw new Error(
          `local Elasticsearch already running at ${existing.url} (pid ${existing.pid}), not on port ${port}; ` +
            'stop it first (tsx test/elasticsearch/local-es.ts stop)',
        );
      }
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (await clusterReady(existing.url))
          return { url: existing.url, pid: existing.pid, alreadyRunning: true };
        if (!isOurJvm(existing.pid)) break;
        await sleep(500);
      }
      if (isOurJvm(existing.pid)) {
        throw new Error(
          `local Elasticsearch pid ${existing.pid} is running but ${existing.url} is not healthy; ` +
            `stop it (tsx test/elasticsearch/local-es.ts stop). Last lines of ${LOG_FILE}:\n${tailOfLog(LOG_FILE)}`,
        );
      }
    }
    if (existing) {
      // stale state: the JVM is gone
      removeDir(existing.basePath);
      fs.rmSync(STATE_FILE, { force: true });
    }
    if (await portInUse(port)) {
      throw new Error(`port ${port} on 127.0.0.1 is already in use by another process (set LOCAL_ES_PORT)`);
    }

    const classpath = await buildLocalElasticsearch();
    const basePath = fs.mkdtempSync(path.join(path.resolve(os.tmpdir()), 'talend-logs-es-'));
    fs.mkdirSync(path.join(basePath, 'tmp'));
    const jvmArgs = [
      '-Xms1g',
      '-Xmx1g',
      '-XX:+UseG1GC',
      '-Xss1m',
      '-XX:+ExitOnOutOfMemoryError',
      '-XX:-OmitStackTraceInFastThrow',
      '-Djava.awt.headless=true',
      '-Dfile.encoding=UTF-8',
      '-Djava.locale.providers=CLDR',
      `-Djava.io.tmpdir=${path.join(basePath, 'tmp')}`,
      '-Dio.netty.noUnsafe=true',
      '-Dio.netty.noKeySetOptimization=true',
      '-Dio.netty.recycler.maxCapacityPerThread=0',
      '-Dlog4j.shutdownHookEnabled=false',
      '-Dlog4j2.disable.jmx=true',
      '-Dlog4j2.formatMsgNoLookups=true',
      ...(process.env.LOCAL_ES_JAVA_OPTS ?? '').split(/\s+/).filter(Boolean),
      ROOT_MARKER,
      '-cp',
      classpath,
      MAIN_CLASS,
      '-basePath',
      basePath,
      '-numOfNode',
      '1',
      '-baseHttpPort',
      String(port - 1),
    ];

    const logFd = fs.openSync(LOG_FILE, 'w');
    let child: ChildProcess;
    try {
      child = spawn(javaBinary(), jvmArgs, {
        detached: true,
        stdio: ['ignore', logFd, logFd],
        cwd: basePath,
      });
    } finally {
      fs.closeSync(logFd);
    }
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    let exited: string | undefined;
    child.once('exit', (code, signal) => {
      exited = signal ? `signal ${signal}` : `exit code ${code}`;
    });
    child.unref();
    const pid = child.pid;
    if (pid === undefined) {
      removeDir(basePath);
      throw new Error(`cannot start ${javaBinary()}: ${(await spawnError).message}`);
    }
    writeState({ pid, url, port, basePath, startedAt: new Date().toISOString(), logFile: LOG_FILE });
    log(`starting Elasticsearch (pid ${pid}, data in ${basePath}, log ${LOG_FILE})`);

    const t0 = Date.now();
    const fail = async (why: string): Promise<never> => {
      if (isAlive(pid)) await killAndWait(pid, 10_000).catch(() => undefined);
      const tail = tailOfLog(LOG_FILE);
      removeDir(basePath);
      fs.rmSync(STATE_FILE, { force: true });
      throw new Error(`local Elasticsearch ${why}. Last lines of ${LOG_FILE}:\n${tail}`);
    };
    while (Date.now() - t0 < timeoutMs) {
      if (exited !== undefined || !isAlive(pid))
        return fail(`JVM died during start-up (${exited ?? 'gone'})`);
      if (await clusterReady(url)) {
        log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        return { url, pid, alreadyRunning: false };
      }
      await sleep(250);
    }
    return fail(`did not become healthy within ${timeoutMs / 1000} s`);
  }, timeoutMs + 600_000);
}

/**
 * Stops the local Elasticsearch (SIGTERM, then SIGKILL after 30 s), deletes its temporary data folder and state file.
 * Also stops any stray runner JVM started from this working tree. Returns false if nothing was running.
 */
export async function stopLocalElasticsearch(): Promise<boolean> {
  const state = readState();
  let stopped = false;
  if (state && isOurJvm(state.pid)) {
    await killAndWait(state.pid, STOP_TIMEOUT_MS);
    stopped = true;
  }
  for (const stray of findOurJvms()) {
    log(`stopping stray runner JVM pid ${stray.pid}`);
    await killAndWait(stray.pid, STOP_TIMEOUT_MS);
    removeDir(stray.basePath);
    stopped = true;
  }
  if (state) {
    removeDir(state.basePath);
    fs.rmSync(STATE_FILE, { force: true });
  }
  return stopped;
}

/** The running instance, if any (does not check health). */
export function localElasticsearchStatus(): (State & { running: boolean }) | undefined {
  const state = readState();
  return state ? { ...state, running: isOurJvm(state.pid) } : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// CLI

async function main(argv: string[]): Promise<number> {
  const cmd = argv[0];
  switch (cmd) {
    case 'start': {
      const es = await startLocalElasticsearch();
      const version = (await serverVersion(es.url)) ?? '?';
      console.log(
        `Elasticsearch ${version} ${es.alreadyRunning ? 'already running' : 'ready'} at ${es.url} (pid ${es.pid})`,
      );
      return 0;
    }
    case 'stop': {
      const stopped = await stopLocalElasticsearch();
      console.log(stopped ? 'Elasticsearch stopped' : 'Elasticsearch was not running');
      return 0;
    }
    case 'status': {
      const st = localElasticsearchStatus();
      if (!st || !st.running) {
        console.log('Elasticsearch is not running');
        return 1;
      }
      const healthy = await clusterReady(st.url);
      const version = healthy ? await serverVersion(st.url) : undefined;
      console.log(
        `Elasticsearch ${version ?? ''} running at ${st.url} (pid ${st.pid}, ${healthy ? 'healthy' : 'NOT healthy'}, ` +
          `data ${st.basePath}, log ${st.logFile})`,
      );
      return healthy ? 0 : 1;
    }
    case 'build': {
      await buildLocalElasticsearch(true);
      console.log(`built; classpath cached in ${CLASSPATH_FILE}`);
      return 0;
    }
    default:
      console.error('usage: tsx test/elasticsearch/local-es.ts start|stop|status|build');
      return 2;
  }
}

function isMainModule(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return fs.realpathSync(entry) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMainModule()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : String(e));
      process.exitCode = 1;
    },
  );
}
