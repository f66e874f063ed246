/**
 * Starts / stops the project's local, Docker-free Elasticsearch 8.x or 9.x: a genuine Elasticsearch node booted by our
 * small Java runner (test/elasticsearch/pom.xml, see README.md beside this file) in a detached background JVM.
 *
 *   tsx test/elasticsearch/local-es.ts start|stop|status|build [--major 8|9]
 *
 * The major comes from `--major`, else `ES_MAJOR`, else 8. Each major has its own port, build folder and state
 * folder, so an 8 and a 9 can run side by side. State lives in `.local-es/` (8) or `.local-es/es<major>/` (others)
 * at the repository root: `state.json` ({pid, url, basePath, ...}), `elasticsearch.log` (the JVM's stdout/stderr),
 * `classpath.txt` (cached Maven runtime classpath) and `build.log`.
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

export type ElasticsearchMajor = 8 | 9;

export interface StartOptions {
  /** Elasticsearch major; default `ES_MAJOR` or 8. */
  major?: ElasticsearchMajor;
  /** HTTP port; default `LOCAL_ES_PORT`, else 9250 for 8 and 9260 for 9. */
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
const POM = path.join(HERE, 'pom.xml');
const MAIN_CLASS = 'dev.talendlogs.es.LocalElasticsearch';
/** Marks our JVMs so that `stop` can find them even without state.json (and never touches anybody else's). */
const ROOT_MARKER = `-Dlocal.es.root=${REPO_ROOT}`;
const MAJOR_MARKER_PREFIX = '-Dlocal.es.major=';
const MAJORS: readonly ElasticsearchMajor[] = [8, 9];
const DEFAULT_MAJOR: ElasticsearchMajor = 8;
/** Different ports so an 8 and a 9 run side by side (each takes a free transport port of HTTP+101..HTTP+200). */
const DEFAULT_PORTS: Record<ElasticsearchMajor, number> = { 8: 9250, 9: 9260 };
const JDK_DIR = '/usr/lib/jvm';
const DEFAULT_START_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 30_000;

function log(message: string): void {
  // stderr: keeps stdout of the CLI to the one line that matters
  process.stderr.write(`[local-es] ${message}\n`);
}

/** Where one major's runner is built and its state kept. */
interface Layout {
  major: ElasticsearchMajor;
  stateDir: string;
  stateFile: string;
  logFile: string;
  buildLog: string;
  classpathFile: string;
  lockFile: string;
  runnerJar: string;
  /** Tells this major's JVMs apart from the other major's, both started from this working tree. */
  majorMarker: string;
}

function layout(major: ElasticsearchMajor): Layout {
  const stateDir = path.join(REPO_ROOT, '.local-es', ...(major === DEFAULT_MAJOR ? [] : [`es${major}`]));
  return {
    major,
    stateDir,
    stateFile: path.join(stateDir, 'state.json'),
    logFile: path.join(stateDir, 'elasticsearch.log'),
    buildLog: path.join(stateDir, 'build.log'),
    classpathFile: path.join(stateDir, 'classpath.txt'),
    lockFile: path.join(stateDir, 'start.lock'),
    // the pom's <build><directory>
    runnerJar: path.join(HERE, 'target', `es${major}`, 'local-elasticsearch-1.0.0.jar'),
    majorMarker: `${MAJOR_MARKER_PREFIX}${major}`,
  };
}

export function resolveMajor(major?: number | string): ElasticsearchMajor {
  const m = Number(major ?? process.env.ES_MAJOR ?? DEFAULT_MAJOR);
  const known = MAJORS.find((k) => k === m);
  if (known === undefined) {
    throw new Error(
      `unsupported Elasticsearch major ${String(major ?? process.env.ES_MAJOR)}; one of ${MAJORS.join(', ')}`,
    );
  }
  return known;
}

function resolvePort(major: ElasticsearchMajor, port?: number): number {
  const fromEnv = process.env.LOCAL_ES_PORT;
  const p = port ?? (fromEnv ? Number(fromEnv) : DEFAULT_PORTS[major]);
  if (!Number.isInteger(p) || p < 2 || p > 65535) {
    throw new Error(`invalid Elasticsearch port ${String(port ?? fromEnv)}`);
  }
  return p;
}

function readState(l: Layout): State | undefined {
  try {
    return JSON.parse(fs.readFileSync(l.stateFile, 'utf8')) as State;
  } catch {
    return undefined;
  }
}

function writeState(l: Layout, state: State): void {
  fs.writeFileSync(l.stateFile, `${JSON.stringify(state, null, 2)}\n`);
}

export function isAlive(pid: number): boolean {
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

/** A JVM of this major: it carries the major's marker (JVMs started before the markers existed were all 8s). */
function isOfMajor(args: string[], l: Layout): boolean {
  const marker = args.find((a) => a.startsWith(MAJOR_MARKER_PREFIX));
  return marker === undefined ? l.major === DEFAULT_MAJOR : marker === l.majorMarker;
}

/** Every runner JVM of this major started from this working tree (Linux: scans /proc), with its data folder. */
function findOurJvms(l: Layout): { pid: number; basePath: string | undefined }[] {
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
    if (args && args.includes(MAIN_CLASS) && args.includes(ROOT_MARKER) && isOfMajor(args, l)) {
      const i = args.indexOf('-basePath');
      found.push({ pid, basePath: i >= 0 ? args[i + 1] : undefined });
    }
  }
  return found;
}

export function tailOfLog(file: string, lines = 40): string {
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

function readClasspath(l: Layout): string[] | undefined {
  try {
    const entries = fs.readFileSync(l.classpathFile, 'utf8').trim().split(path.delimiter).filter(Boolean);
    return entries.length > 0 ? entries : undefined;
  } catch {
    return undefined;
  }
}

/** The cached classpath file doubles as the build stamp: it is touched after every successful build. */
function needsBuild(l: Layout): boolean {
  const cp = readClasspath(l);
  if (!cp || !fs.existsSync(l.runnerJar)) return true;
  if (cp.some((entry) => !fs.existsSync(entry))) return true; // e.g. ~/.m2 was cleaned
  const builtAt = fs.statSync(l.classpathFile).mtimeMs;
  return Math.max(newestMtime(POM), newestMtime(path.join(HERE, 'src'))) > builtAt;
}

function run(cmd: string, args: string[], logFile: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const out = fs.openSync(logFile, 'w');
    const child = spawn(cmd, args, { stdio: ['ignore', out, out], cwd: HERE, env });
    fs.closeSync(out);
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// JDK: each major needs a minimum Java (the pom profile's maven.compiler.release); several JDKs may be installed

/** The Java feature release the pom compiles this major's runner for, which is also the least it runs on. */
function minimumJava(major: ElasticsearchMajor): number {
  const pom = fs.readFileSync(POM, 'utf8');
  const profile = new RegExp(`<id>es${major}</id>[\\s\\S]*?<maven\\.compiler\\.release>(\\d+)<`).exec(pom);
  if (!profile) throw new Error(`${POM} has no profile es${major} with a maven.compiler.release`);
  return Number(profile[1]);
}

/** The feature release of the JDK at `home`, from its `release` file; undefined if it is not a JDK. */
function jdkFeature(home: string): number | undefined {
  try {
    const release = fs.readFileSync(path.join(home, 'release'), 'utf8');
    const version = /^JAVA_VERSION="(\d+)(?:\.|")/m.exec(release)?.[1];
    return version && fs.existsSync(path.join(home, 'bin', 'java')) ? Number(version) : undefined;
  } catch {
    return undefined;
  }
}

/** The JDK home of the `java` found on PATH (through symlinks such as Debian's alternatives). */
function jdkOnPath(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    try {
      return path.dirname(path.dirname(fs.realpathSync(path.join(dir, 'java'))));
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export class NoSuitableJdkError extends Error {
  constructor(major: ElasticsearchMajor, minimum: number) {
    super(
      `Elasticsearch ${major} needs a JDK ${minimum} or newer: none in JAVA_HOME, on PATH or under ${JDK_DIR}. ` +
        `Install one (e.g. Temurin: apt-get install temurin-${minimum}-jdk from https://packages.adoptium.net, ` +
        `or unpack https://adoptium.net/temurin/releases/?version=${minimum} under ${JDK_DIR}) or point JAVA_HOME at it.`,
    );
    this.name = 'NoSuitableJdkError';
  }
}

/**
 * The JDK to build and run this major with: JAVA_HOME, else the `java` on PATH, else the newest JDK under
 * /usr/lib/jvm; the first of them that is new enough. The older JDK stays the choice for 8 when it fits, as that is
 * what 8 has always been tested on here.
 */
export function javaHomeFor(major: ElasticsearchMajor): string {
  const minimum = minimumJava(major);
  let installed: string[] = [];
  try {
    installed = fs.readdirSync(JDK_DIR).map((d) => path.join(JDK_DIR, d));
  } catch {
    // no such directory (macOS, ...)
  }
  const byNewest = installed
    .map((home) => ({ home, feature: jdkFeature(home) }))
    .filter((j): j is { home: string; feature: number } => j.feature !== undefined)
    .sort((a, b) => b.feature - a.feature)
    .map((j) => j.home);
  const candidates = [process.env.JAVA_HOME, jdkOnPath(), ...byNewest].filter((h): h is string => !!h);
  const fit = candidates.find((home) => (jdkFeature(home) ?? 0) >= minimum);
  if (!fit) throw new NoSuitableJdkError(major, minimum);
  return fit;
}

/** Builds the Java runner (and caches its runtime classpath) when missing or out of date. Returns the classpath. */
export async function buildLocalElasticsearch(
  major: ElasticsearchMajor = resolveMajor(),
  force = false,
): Promise<string> {
  const l = layout(major);
  fs.mkdirSync(l.stateDir, { recursive: true });
  if (force || needsBuild(l)) {
    const mvn = process.env.MVN ?? 'mvn';
    const javaHome = javaHomeFor(major);
    const args = [
      '-B',
      '-q',
      '-f',
      POM,
      `-Pes${major}`,
      'package',
      `-Dlocal.es.classpath.file=${l.classpathFile}`,
    ];
    log(
      `building the Elasticsearch ${major} runner with ${javaHome}: ${mvn} ${args.join(' ')} ` +
        '(first time downloads ~70 MB)',
    );
    const t0 = Date.now();
    let code: number;
    try {
      code = await run(mvn, args, l.buildLog, { ...process.env, JAVA_HOME: javaHome });
    } catch (e) {
      throw new Error(`cannot run Maven (${mvn}): ${(e as Error).message}; Maven 3.8+ is required`);
    }
    if (code !== 0 || !readClasspath(l) || !fs.existsSync(l.runnerJar)) {
      throw new Error(
        `Maven build of ${POM} failed (exit ${code}); ${l.buildLog}:\n${tailOfLog(l.buildLog)}`,
      );
    }
    const now = new Date();
    fs.utimesSync(l.classpathFile, now, now);
    log(`built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const cp = readClasspath(l);
  if (!cp) throw new Error(`missing ${l.classpathFile}`);
  return [l.runnerJar, ...cp].join(path.delimiter);
}

// ---------------------------------------------------------------------------------------------------------------
// lock: one starter at a time (parallel test processes may all call start)

async function withStartLock<T>(l: Layout, fn: () => Promise<T>, waitMs: number): Promise<T> {
  const { lockFile } = l;
  fs.mkdirSync(l.stateDir, { recursive: true });
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(fs.readFileSync(lockFile, 'utf8').trim() || 'NaN');
      if (!Number.isInteger(holder) || !isAlive(holder)) {
        fs.rmSync(lockFile, { force: true }); // stale
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockFile} (held by pid ${holder})`);
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockFile, { force: true });
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

/**
 * Starts the local Elasticsearch (building the runner first if needed) and waits until the cluster is yellow/green.
 * Idempotent: if ours is already running on that port, returns it with `alreadyRunning: true`.
 */
export async function startLocalElasticsearch(opts: StartOptions = {}): Promise<LocalElasticsearch> {
  const major = resolveMajor(opts.major);
  const l = layout(major);
  const { logFile } = l;
  const port = resolvePort(major, opts.port);
  const url = `http://127.0.0.1:${port}`;
  const timeoutMs =
    opts.timeoutMs ?? (Number(process.env.LOCAL_ES_START_TIMEOUT_MS) || DEFAULT_START_TIMEOUT_MS);

  return withStartLock(
    l,
    async () => {
      const existing = readState(l);
      if (existing && isOurJvm(existing.pid)) {
        if (existing.port !== port) {
          throw new Error(
            `local Elasticsearch ${major} already running at ${existing.url} (pid ${existing.pid}), not on port ` +
              `${port}; stop it first (tsx test/elasticsearch/local-es.ts stop --major ${major})`,
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
            `local Elasticsearch pid ${existing.pid} is running but ${existing.url} is not healthy; stop it ` +
              `(tsx test/elasticsearch/local-es.ts stop --major ${major}). Last lines of ${logFile}:\n${tailOfLog(logFile)}`,
          );
        }
      }
      if (existing) {
        // stale state: the JVM is gone
        removeDir(existing.basePath);
        fs.rmSync(l.stateFile, { force: true });
      }
      if (await portInUse(port)) {
        throw new Error(`port ${port} on 127.0.0.1 is already in use by another process (set LOCAL_ES_PORT)`);
      }

      const classpath = await buildLocalElasticsearch(major);
      const java = path.join(javaHomeFor(major), 'bin', 'java');
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
        l.majorMarker,
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

      const logFd = fs.openSync(logFile, 'w');
      let child: ChildProcess;
      try {
        child = spawn(java, jvmArgs, {
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
        throw new Error(`cannot start ${java}: ${(await spawnError).message}`);
      }
      writeState(l, { pid, url, port, basePath, startedAt: new Date().toISOString(), logFile });
      log(`starting Elasticsearch ${major} with ${java} (pid ${pid}, data in ${basePath}, log ${logFile})`);

      const t0 = Date.now();
      const fail = async (why: string): Promise<never> => {
        if (isAlive(pid)) await killAndWait(pid, 10_000).catch(() => undefined);
        const tail = tailOfLog(logFile);
        removeDir(basePath);
        fs.rmSync(l.stateFile, { force: true });
        throw new Error(`local Elasticsearch ${major} ${why}. Last lines of ${logFile}:\n${tail}`);
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
    },
    timeoutMs + 600_000,
  );
}

/**
 * Stops the local Elasticsearch of one major (SIGTERM, then SIGKILL after 30 s), deletes its temporary data folder
 * and state file. Also stops any stray runner JVM of that major started from this working tree. Returns false if
 * nothing was running.
 */
export async function stopLocalElasticsearch(major: ElasticsearchMajor = resolveMajor()): Promise<boolean> {
  const l = layout(major);
  const state = readState(l);
  let stopped = false;
  if (state && isOurJvm(state.pid)) {
    await killAndWait(state.pid, STOP_TIMEOUT_MS);
    stopped = true;
  }
  for (const stray of findOurJvms(l)) {
    log(`stopping stray runner JVM pid ${stray.pid}`);
    await killAndWait(stray.pid, STOP_TIMEOUT_MS);
    removeDir(stray.basePath);
    stopped = true;
  }
  if (state) {
    removeDir(state.basePath);
    fs.rmSync(l.stateFile, { force: true });
  }
  return stopped;
}

/** The running instance of that major, if any (does not check health). */
export function localElasticsearchStatus(
  major: ElasticsearchMajor = resolveMajor(),
): (State & { running: boolean }) | undefined {
  const state = readState(layout(major));
  return state ? { ...state, running: isOurJvm(state.pid) } : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// CLI

const USAGE = 'usage: tsx test/elasticsearch/local-es.ts start|stop|status|build [--major 8|9]';
/** Exit code of the CLI when no JDK is new enough for the major, so that CI can tell it from a failure. */
export const EXIT_NO_SUITABLE_JDK = 3;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  let majorArg: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--major' && i + 1 < rest.length) majorArg = rest[++i];
    else if (a.startsWith('--major=')) majorArg = a.slice('--major='.length);
    else {
      console.error(`unknown argument ${a}\n${USAGE}`);
      return 2;
    }
  }
  const major = resolveMajor(majorArg);
  switch (cmd) {
    case 'start': {
      const es = await startLocalElasticsearch({ major });
      const version = (await serverVersion(es.url)) ?? '?';
      console.log(
        `Elasticsearch ${version} ${es.alreadyRunning ? 'already running' : 'ready'} at ${es.url} (pid ${es.pid})`,
      );
      return 0;
    }
    case 'stop': {
      const stopped = await stopLocalElasticsearch(major);
      console.log(stopped ? `Elasticsearch ${major} stopped` : `Elasticsearch ${major} was not running`);
      return 0;
    }
    case 'status': {
      const st = localElasticsearchStatus(major);
      if (!st || !st.running) {
        console.log(`Elasticsearch ${major} is not running`);
        return 1;
      }
      const healthy = await clusterReady(st.url);
      const version = healthy ? await serverVersion(st.url) : undefined;
      console.log(
        `Elasticsearch ${version ?? major} running at ${st.url} (pid ${st.pid}, ${healthy ? 'healthy' : 'NOT healthy'}, ` +
          `data ${st.basePath}, log ${st.logFile})`,
      );
      return healthy ? 0 : 1;
    }
    case 'build': {
      await buildLocalElasticsearch(major, true);
      console.log(`built; classpath cached in ${layout(major).classpathFile}`);
      return 0;
    }
    default:
      console.error(USAGE);
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
      process.exitCode = e instanceof NoSuitableJdkError ? EXIT_NO_SUITABLE_JDK : 1;
    },
  );
}
