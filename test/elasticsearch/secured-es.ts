/**
 * A real Elasticsearch node with security, from the distribution of distribution.ts: TLS on HTTP with a CA made
 * for this start, the `elastic` user from `bootstrap.password` in the keystore, and file-realm users whose roles
 * come from the roles file the caller names. One node at a time, for the secured suite (`npm run test:secured`).
 *
 * Elasticsearch refuses to run as root: as root, the node runs as the unprivileged system user `talend-logs-es`
 * (created when missing), in a folder of its own under the temporary directory (config, data, logs) that `stop`
 * deletes. The node is started under `setpriv --pdeathsig`, so it is told to stop when the process that started
 * it dies, however it dies (Ctrl-C included, which ends the suite before `stop`); the folder a run left behind
 * that way is removed at the next start.
 */
import { execFile, spawn } from 'node:child_process';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Agent, fetch } from 'undici';
import { createTestCertificates } from '../support/tls-certificates.ts';
import { unpackedDistribution } from './distribution.ts';
import { isAlive, javaHomeFor, tailOfLog } from './local-es.ts';

const run = promisify(execFile);

/** Port 9250 is the plain test node's, 9260 Elasticsearch 9's. */
export const SECURED_PORT = 9270;
const SERVICE_USER = 'talend-logs-es';
const HEAP = '-Xms512m -Xmx512m';
const START_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 30_000;
const FOLDER_PREFIX = 'talend-logs-secured-es-';
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const STATE_DIR = path.join(REPO_ROOT, '.local-es', 'secured');
const STATE_FILE = path.join(STATE_DIR, 'state.json');
/** Kept after `stop`, to read why a start failed. */
export const SECURED_LOG_FILE = path.join(STATE_DIR, 'elasticsearch.log');
/** Elasticsearch's default PBKDF2 cost (its `Hasher.PBKDF2`); the hash is what `elasticsearch-users` writes. */
const PBKDF2_ITERATIONS = 10_000;

export interface FileRealmUser {
  username: string;
  password: string;
  roles: string[];
}

export interface SecuredElasticsearchOptions {
  /** A roles.yml, copied as the node's `config/roles.yml`. */
  rolesFile: string;
  users: FileRealmUser[];
  port?: number;
}

export interface SecuredElasticsearch {
  /** `https://127.0.0.1:<port>`. */
  url: string;
  pid: number;
  /** PEM file of the CA that signed the node's certificate (made for this start). */
  caPath: string;
  /** The built-in superuser, its password from `bootstrap.password`. */
  elastic: { username: 'elastic'; password: string };
  stop(): Promise<void>;
}

interface State {
  pid: number;
  folder: string;
}

function log(message: string): void {
  process.stderr.write(`[secured-es] ${message}\n`);
}

/** Whether the pid is a process of a node of ours (its command line names our folder), not a recycled pid. */
function runsFrom(pid: number, folder: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(folder);
  } catch {
    return false;
  }
}

/** SIGTERM to the node's process group (the launcher and the server it starts), SIGKILL after the timeout. */
async function terminate(pid: number): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      // already gone
    }
  };
  const gone = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (!isAlive(pid)) return true;
      await sleep(100);
    }
    return !isAlive(pid);
  };
  signal('SIGTERM');
  if (await gone(STOP_TIMEOUT_MS)) return;
  log(`pid ${pid} did not stop within ${STOP_TIMEOUT_MS / 1000} s; sending SIGKILL`);
  signal('SIGKILL');
  if (!(await gone(10_000))) throw new Error(`could not stop the secured Elasticsearch (pid ${pid})`);
}

/** Ends the node and removes the folder a run killed before its `stop` left behind. */
async function removeLeftovers(): Promise<void> {
  let state: State;
  try {
    state = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as State;
  } catch {
    return;
  }
  if (isAlive(state.pid) && runsFrom(state.pid, state.folder)) {
    log(`stopping the node a previous run left running (pid ${state.pid})`);
    await terminate(state.pid);
  }
  removeFolder(state.folder);
  fs.rmSync(STATE_FILE, { force: true });
}

function removeFolder(folder: string): void {
  // only ever the folders this module makes
  if (path.basename(folder).startsWith(FOLDER_PREFIX) && path.dirname(folder) === path.resolve(os.tmpdir())) {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

/** Who the node runs as: this process's user, or as root the unprivileged service user (created if missing). */
async function serviceAccount(): Promise<{ uid: number; gid: number }> {
  if (process.getuid?.() !== 0) return { uid: process.getuid!(), gid: process.getgid!() };
  const id = async () => {
    const [uid, gid] = await Promise.all([run('id', ['-u', SERVICE_USER]), run('id', ['-g', SERVICE_USER])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  try {
    return await id();
  } catch {
    await run('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
      SERVICE_USER,
    ]);
    return id();
  }
}

/** A `users` line with Elasticsearch's `{PBKDF2}<cost>$<salt>$<key>` hash (PBKDF2-HMAC-SHA512, 256-bit key). */
function usersFileLine({ username, password }: FileRealmUser): string {
  const salt = randomBytes(32);
  const key = pbkdf2Sync(password, salt, PBKDF2_ITERATIONS, 32, 'sha512');
  return `${username}:{PBKDF2}${PBKDF2_ITERATIONS}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** `users_roles`: one line per role, naming its users. */
function usersRolesFile(users: FileRealmUser[]): string {
  const byRole = new Map<string, string[]>();
  for (const user of users) {
    for (const role of user.roles) byRole.set(role, [...(byRole.get(role) ?? []), user.username]);
  }
  return [...byRole].map(([role, names]) => `${role}:${names.join(',')}\n`).join('');
}

function nodeSettings(folder: string, port: number): string {
  return [
    'cluster.name: talend-logs-secured',
    'node.name: secured',
    `path.data: ${path.join(folder, 'data')}`,
    `path.logs: ${path.join(folder, 'logs')}`,
    'network.host: 127.0.0.1',
    `http.port: ${port}`,
    // clear of the plain nodes' transport ports (their HTTP port + 101..200)
    `transport.port: ${port + 201}-${port + 210}`,
    'discovery.type: single-node',
    // the tests clean up by pattern (test/support/elasticsearch.ts, removePrefix)
    'action.destructive_requires_name: false',
    // a shared test machine's disk may be fuller than production's watermarks allow
    'cluster.routing.allocation.disk.threshold_enabled: false',
    'xpack.security.enabled: true',
    'xpack.security.http.ssl.enabled: true',
    'xpack.security.http.ssl.key: certs/node.key',
    'xpack.security.http.ssl.certificate: certs/node.pem',
    'xpack.security.http.ssl.certificate_authorities: certs/ca.pem',
    // the native realm keeps users in the .security index, which this distribution cannot create
    'xpack.security.authc.realms.file.file.order: 0',
    '',
  ].join('\n');
}

function chownTree(target: string, uid: number, gid: number): void {
  fs.chownSync(target, uid, gid);
  if (!fs.statSync(target).isDirectory()) return;
  for (const entry of fs.readdirSync(target)) chownTree(path.join(target, entry), uid, gid);
}

/** `setpriv` runs the command as the account, and has it sent SIGTERM when this process dies. */
function asAccount(account: { uid: number; gid: number }, command: string[]): [string, string[]] {
  const identity =
    process.getuid?.() === 0
      ? ['--reuid', String(account.uid), '--regid', String(account.gid), '--clear-groups']
      : [];
  return ['setpriv', [...identity, '--pdeathsig', 'SIGTERM', '--', ...command]];
}

/** The node's config (certificates, settings, users and roles), data, logs and temporary folders, owned by the account. */
async function prepareFolder(
  folder: string,
  home: string,
  account: { uid: number; gid: number },
  options: SecuredElasticsearchOptions,
  port: number,
): Promise<void> {
  const config = path.join(folder, 'config');
  fs.cpSync(path.join(home, 'config'), config, { recursive: true });
  for (const sub of ['data', 'logs', 'tmp', 'config/certs']) fs.mkdirSync(path.join(folder, sub));
  const certificates = createTestCertificates();
  try {
    fs.copyFileSync(certificates.caPath, path.join(folder, 'ca.pem'));
    fs.copyFileSync(certificates.caPath, path.join(config, 'certs', 'ca.pem'));
    fs.writeFileSync(path.join(config, 'certs', 'node.key'), certificates.key);
    fs.writeFileSync(path.join(config, 'certs', 'node.pem'), certificates.cert);
  } finally {
    certificates.remove();
  }
  fs.writeFileSync(path.join(config, 'elasticsearch.yml'), nodeSettings(folder, port));
  fs.copyFileSync(options.rolesFile, path.join(config, 'roles.yml'));
  fs.writeFileSync(path.join(config, 'users'), options.users.map((u) => `${usersFileLine(u)}\n`).join(''));
  fs.writeFileSync(path.join(config, 'users_roles'), usersRolesFile(options.users));
  chownTree(folder, account.uid, account.gid);
}

/** `elasticsearch-keystore add`, the value on stdin (creating the keystore on first use). */
function addToKeystore(
  home: string,
  account: { uid: number; gid: number },
  env: NodeJS.ProcessEnv,
  name: string,
  value: string,
): Promise<void> {
  const [command, args] = asAccount(account, [
    path.join(home, 'bin', 'elasticsearch-keystore'),
    'add',
    '--force',
    '--stdin',
    name,
  ]);
  return new Promise<void>((resolve, reject) => {
    const child = execFile(command, args, { env, cwd: env.ES_TMPDIR }, (error) =>
      error ? reject(new Error(`elasticsearch-keystore add ${name} failed: ${error.message}`)) : resolve(),
    );
    child.stdin?.end(value);
  });
}

async function healthy(url: string, dispatcher: Agent, password: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=1s`, {
      dispatcher,
      headers: { authorization: `Basic ${Buffer.from(`elastic:${password}`).toString('base64')}` },
      signal: AbortSignal.timeout(5000),
    });
    const body = (await response.json()) as { status?: string };
    return response.status === 200 && (body.status === 'yellow' || body.status === 'green');
  } catch {
    return false;
  }
}

/** Starts the node and waits until it answers `elastic` over TLS with a yellow or green cluster. */
export async function startSecuredElasticsearch(
  options: SecuredElasticsearchOptions,
): Promise<SecuredElasticsearch> {
  const port = options.port ?? SECURED_PORT;
  const url = `https://127.0.0.1:${port}`;
  await removeLeftovers();
  const [home, account] = await Promise.all([unpackedDistribution(), serviceAccount()]);

  const folder = fs.mkdtempSync(path.join(path.resolve(os.tmpdir()), FOLDER_PREFIX));
  const elastic = { username: 'elastic' as const, password: randomBytes(18).toString('base64url') };
  const env = {
    PATH: process.env.PATH,
    ES_JAVA_HOME: javaHomeFor(8),
    ES_PATH_CONF: path.join(folder, 'config'),
    ES_TMPDIR: path.join(folder, 'tmp'),
    ES_JAVA_OPTS: HEAP,
  };
  try {
    await prepareFolder(folder, home, account, options, port);
    await addToKeystore(home, account, env, 'bootstrap.password', elastic.password);
  } catch (error) {
    removeFolder(folder);
    throw error;
  }
  const caPath = path.join(folder, 'ca.pem');

  fs.mkdirSync(STATE_DIR, { recursive: true });
  const logFd = fs.openSync(SECURED_LOG_FILE, 'w');
  const [command, args] = asAccount(account, [path.join(home, 'bin', 'elasticsearch')]);
  const child = spawn(command, args, { env, cwd: folder, detached: true, stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = signal ? `signal ${signal}` : `exit code ${code}`));
  child.once('error', (error) => (exited = error.message));
  child.unref();
  const pid = child.pid;
  if (pid === undefined) {
    removeFolder(folder);
    throw new Error(`cannot start ${command}: ${exited ?? 'no pid'}`);
  }
  fs.writeFileSync(STATE_FILE, `${JSON.stringify({ pid, folder } satisfies State)}\n`);
  log(
    `starting Elasticsearch with security (pid ${pid}, uid ${account.uid}, folder ${folder}, log ${SECURED_LOG_FILE})`,
  );

  const dispatcher = new Agent({ connect: { ca: fs.readFileSync(caPath, 'utf8') } });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await dispatcher.close();
    try {
      await terminate(pid);
    } finally {
      removeFolder(folder);
      fs.rmSync(STATE_FILE, { force: true });
    }
  };
  const started = Date.now();
  try {
    for (;;) {
      if (exited !== undefined) throw new Error(`the node ended during start-up (${exited})`);
      if (Date.now() - started > START_TIMEOUT_MS) {
        throw new Error(`the node was not healthy within ${START_TIMEOUT_MS / 1000} s`);
      }
      if (await healthy(url, dispatcher, elastic.password)) break;
      await sleep(500);
    }
  } catch (error) {
    await stop();
    throw new Error(
      `secured Elasticsearch: ${(error as Error).message}. Last lines of ${SECURED_LOG_FILE}:\n${tailOfLog(SECURED_LOG_FILE)}`,
    );
  }
  log(`ready at ${url} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { url, pid, caPath, elastic, stop };
}
