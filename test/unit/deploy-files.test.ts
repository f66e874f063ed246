/**
 * Kubernetes and Compose can't be run in these tests (the image itself runs in `npm run image:test`),
 * so the deployment files' invariants are checked as data: non-root and read-only pods, Forbid, shard arguments consistent with the Indexed
 * Job's width, one image name everywhere, every environment variable one the CLI (or our container
 * scripts) reads, every secret a manifest mounts present in the example Secret, secrets passed as
 * files. docker-compose.yml is validated against the Compose Specification's JSON schema (as the
 * docker-compose package ships it, from compose-go) and the manifests against the Kubernetes API
 * schemas of kubernetes-models.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Secret } from 'kubernetes-models/v1/Secret';
import { parseAllDocuments } from 'yaml';
import { packageFile } from '../../src/common/package-files.ts';
import { parseShard } from '../../src/config/parse-values.ts';
import { SETTINGS, type SettingSpec } from '../../src/config/settings.ts';

type Json = Record<string, unknown>;

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: EnvVar[];
  resources?: { requests?: { memory?: string }; limits?: { memory?: string } };
  securityContext?: Json;
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}

interface PodSpec {
  securityContext?: Json;
  containers: Container[];
  volumes?: Array<{
    name: string;
    secret?: { secretName: string };
    configMap?: { name: string; items?: Array<{ key: string; path: string }> };
  }>;
}

interface ComposeService {
  image?: string;
  profiles?: string[];
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  secrets?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: Json;
}

const text = (...path: string[]) => readFileSync(packageFile(...path), 'utf8');

function yamlDocuments(...path: string[]): Json[] {
  return parseAllDocuments(text(...path)).map((document) => {
    assert.deepEqual(document.errors, [], `${path.join('/')} is valid YAML`);
    return document.toJS() as Json;
  });
}

const compose = yamlDocuments('docker-compose.yml')[0] as {
  services: Record<string, ComposeService>;
  secrets?: Record<string, { file?: string }>;
};
const cronJob = yamlDocuments('deploy', 'kubernetes', 'cronjob.yaml')[0]!;
const indexedJob = yamlDocuments('deploy', 'kubernetes', 'indexed-job.yaml')[0]!;
const setupJob = yamlDocuments('deploy', 'kubernetes', 'setup-job.yaml')[0]!;
const secret = yamlDocuments('deploy', 'kubernetes', 'secret.example.yaml')[0] as {
  metadata: { name: string };
  stringData: Record<string, string>;
};
const version = (JSON.parse(text('package.json')) as { version: string }).version;
const OUR_IMAGE = `talend-logs-es:${version}`;

const cronPod = (cronJob as { spec: { jobTemplate: { spec: { template: { spec: PodSpec } } } } }).spec
  .jobTemplate.spec.template.spec;
const indexedSpec = (indexedJob as { spec: Json & { template: { spec: PodSpec } } }).spec;
const pods: Array<[string, PodSpec]> = [
  ['cronjob.yaml', cronPod],
  ['indexed-job.yaml', indexedSpec.template.spec],
  ['setup-job.yaml', (setupJob as { spec: { template: { spec: PodSpec } } }).spec.template.spec],
];
const ourServices = Object.entries(compose.services).filter(([, service]) =>
  service.image?.startsWith('talend-logs-es:'),
);

/** Variables our container scripts read themselves, each checked to appear in a script. */
const SCRIPT_VARIABLES = ['SYNC_INTERVAL', 'SIMULATOR_PORT'];
/** Node's own: the heap cap of the Kubernetes pods. */
const RUNTIME_VARIABLES = ['NODE_OPTIONS'];

function knownVariables(): Set<string> {
  const known = new Set<string>([...SCRIPT_VARIABLES, ...RUNTIME_VARIABLES]);
  for (const spec of Object.values(SETTINGS) as SettingSpec[]) {
    if (spec.env === undefined) continue;
    known.add(spec.env);
    known.add(`${spec.env}_FILE`);
  }
  return known;
}

/** The variables of the secret settings, which the deployment files may only give as `*_FILE`. */
function secretVariables(): Set<string> {
  return new Set(
    (Object.values(SETTINGS) as SettingSpec[])
      .filter((spec) => spec.secret === true && spec.env !== undefined)
      .map((spec) => spec.env!),
  );
}

/** Megabytes of a Kubernetes quantity such as 512Mi. */
function mebibytes(quantity: string | undefined): number {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity ?? '');
  assert.ok(match, `memory quantity ${quantity} in Mi or Gi`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
}

describe('Kubernetes manifests', () => {
  it('are valid objects of the Kubernetes API', () => {
    new CronJob(cronJob).validate();
    new Job(indexedJob).validate();
    new Job(setupJob).validate();
    new Secret(secret).validate();
    // The check can fail: a field of the wrong type is refused.
    const broken = structuredClone(cronJob);
    (broken.spec as Json).concurrencyPolicy = 3;
    assert.throws(() => new CronJob(broken).validate(), /concurrencyPolicy/);
  });

  it('run setup as a Job with the setup key, and sync with its own narrower key', () => {
    const [setup] = (setupJob as { spec: { template: { spec: PodSpec } } }).spec.template.spec.containers;
    assert.deepEqual(setup?.args, ['setup']);
    const keyOf = (container: Container | undefined) =>
      container?.env?.find((variable) => variable.name === 'ES_API_KEY_FILE')?.value;
    assert.equal(posix.basename(keyOf(setup) ?? ''), 'es-setup-api-key');
    for (const [file, pod] of pods.filter(([name]) => name !== 'setup-job.yaml'))
      assert.equal(posix.basename(keyOf(pod.containers[0]) ?? ''), 'es-api-key', file);
  });

  it('run the CronJob without overlap, and skip starts missed for too long', () => {
    const spec = (cronJob as { kind: string; spec: Json }).spec;
    assert.equal((cronJob as { kind: string }).kind, 'CronJob');
    assert.equal(spec.concurrencyPolicy, 'Forbid');
    assert.ok(Number(spec.startingDeadlineSeconds) > 0);
  });

  it('give every shard of the Indexed Job its own i/N, N being its width', () => {
    assert.equal(indexedSpec.completionMode, 'Indexed');
    const width = Number(indexedSpec.completions);
    assert.ok(width > 1);
    assert.equal(indexedSpec.parallelism, width);
    const args = indexedSpec.template.spec.containers[0]!.args ?? [];
    const shard = args[args.indexOf('--shard') + 1];
    assert.equal(shard, `$(JOB_COMPLETION_INDEX)/${width}`);
    for (let index = 0; index < width; index++) {
      assert.deepEqual(parseShard(shard!.replace('$(JOB_COMPLETION_INDEX)', String(index))), {
        index,
        count: width,
      });
    }
  });

  for (const [file, pod] of pods) {
    it(`${file}: non-root, read-only, no privilege escalation, memory sized above the heap cap`, () => {
      assert.equal(pod.securityContext?.runAsNonRoot, true);
      assert.notEqual(pod.securityContext?.runAsUser, 0);
      for (const container of pod.containers) {
        assert.equal(container.image, OUR_IMAGE);
        assert.equal(container.securityContext?.readOnlyRootFilesystem, true);
        assert.equal(container.securityContext?.allowPrivilegeEscalation, false);
        const request = mebibytes(container.resources?.requests?.memory);
        const limit = mebibytes(container.resources?.limits?.memory);
        assert.ok(request <= limit);
        const heap = /--max-old-space-size=(\d+)/.exec(
          container.env?.find((variable) => variable.name === 'NODE_OPTIONS')?.value ?? '',
        );
        assert.ok(heap, 'a heap cap, so V8 collects before the memory limit kills the pod');
        assert.ok(Number(heap[1]) <= limit * 0.6, `heap cap ${heap[1]} MB leaves room under ${limit} Mi`);
      }
    });

    it(`${file}: takes every secret from the Secret, as files for the secret values`, () => {
      const secretVolumes = new Map(
        (pod.volumes ?? [])
          .filter((volume) => volume.secret?.secretName === secret.metadata.name)
          .map((volume) => [volume.name, volume]),
      );
      for (const container of pod.containers) {
        const mounts = (container.volumeMounts ?? []).filter((mount) => secretVolumes.has(mount.name));
        for (const variable of container.env ?? []) {
          const ref = variable.valueFrom?.secretKeyRef;
          if (ref) {
            assert.equal(ref.name, secret.metadata.name);
            assert.ok(ref.key in secret.stringData, `${variable.name}: key ${ref.key} is in the Secret`);
          }
          assert.ok(!secretVariables().has(variable.name) || ref, `${variable.name}: a secret in plain text`);
          if (variable.name.endsWith('_FILE')) {
            const mount = mounts.find((candidate) => variable.value?.startsWith(`${candidate.mountPath}/`));
            assert.ok(mount, `${variable.name} points into the mounted Secret`);
            assert.equal(mount.readOnly, true);
            assert.ok(posix.basename(variable.value!) in secret.stringData, `${variable.value} is a key`);
          }
        }
      }
    });

    it(`${file}: ES_CA_CERT names the certificate of a mounted ConfigMap`, () => {
      for (const container of pod.containers) {
        const path = container.env?.find((variable) => variable.name === 'ES_CA_CERT')?.value;
        assert.ok(path, 'an Elasticsearch CA, as a private cluster has');
        const mount = container.volumeMounts?.find((candidate) => path.startsWith(`${candidate.mountPath}/`));
        assert.ok(mount, `${path} is under a mount`);
        const volume = pod.volumes?.find((candidate) => candidate.name === mount.name);
        assert.ok(
          volume?.configMap?.items?.some((item) => item.path === posix.relative(mount.mountPath, path)),
          `${path} is an item of the ConfigMap volume`,
        );
      }
    });
  }
});

describe('docker-compose.yml', () => {
  it('is valid under the Compose Specification', () => {
    const schema = JSON.parse(
      readFileSync(new URL(import.meta.resolve('docker-compose/schema/compose-spec.json')), 'utf8'),
    ) as Json;
    // Draft 7 under an https address Ajv does not know by that name; the spec's own formats
    // (durations, ports) are left to its types and patterns.
    delete schema.$schema;
    const validate = new Ajv({ strict: false, validateFormats: false, allErrors: true }).compile(schema);
    assert.ok(validate(compose), JSON.stringify(validate.errors, null, 2));
    // The check can fail: an unknown key of a service is refused.
    const broken = structuredClone(compose) as { services: Record<string, Json> };
    broken.services.setup!.enviroment = {};
    assert.equal(validate(broken), false);
  });

  it('passes the Talend secrets as files of secrets/, kept out of git and of the image', () => {
    const secrets = compose.secrets ?? {};
    for (const [name, service] of ourServices) {
      for (const [variable, value] of Object.entries(service.environment ?? {})) {
        assert.ok(!secretVariables().has(variable), `${name}: ${variable} in plain text`);
        if (!variable.endsWith('_FILE')) continue;
        const match = /^\/run\/secrets\/([\w-]+)$/.exec(value);
        assert.ok(match, `${name}: ${variable} names a Compose secret`);
        assert.ok(service.secrets?.includes(match[1]!), `${name} mounts ${match[1]}`);
        assert.match(secrets[match[1]!]?.file ?? '', /^\.\/secrets\/[\w-]+$/);
      }
    }
    const talend = compose.services.connector?.environment ?? {};
    assert.ok('TALEND_TOKEN_FILE' in talend && 'TALEND_CLIENT_SECRET_FILE' in talend);
    assert.deepEqual(
      text('secrets', '.gitignore')
        .split('\n')
        .filter((line) => !line.startsWith('#')),
      ['*', '!.gitignore', ''],
    );
    assert.match(text('.dockerignore'), /^secrets$/m);
    for (const line of text('talend.env.example').split('\n')) {
      const variable = /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line)?.[1];
      assert.ok(
        variable === undefined || !secretVariables().has(variable),
        `talend.env.example: ${variable}`,
      );
    }
  });

  it('pins Elasticsearch and Kibana to the same 8.19 release, reachable from this host only', () => {
    const tag = (service: string) => compose.services[service]?.image?.split(':')[1];
    assert.match(tag('elasticsearch') ?? '', /^8\.19\.\d+$/);
    assert.equal(tag('kibana'), tag('elasticsearch'));
    assert.ok(compose.services.kibana?.healthcheck, 'setup waits on a healthy Kibana');
    for (const [name, service] of Object.entries(compose.services)) {
      for (const port of service.ports ?? [])
        assert.match(port, /^127\.0\.0\.1:/, `${name} publishes ${port}`);
    }
  });

  it('runs setup once against Kibana, then the connectors, one per profile', () => {
    const setup = compose.services.setup!;
    assert.deepEqual(setup.command?.slice(0, 2), ['setup', '--kibana-url']);
    assert.equal(setup.depends_on?.kibana?.condition, 'service_healthy');
    const profiles = new Map<string, string>();
    for (const [name, service] of ourServices) {
      assert.equal(service.image, OUR_IMAGE, name);
      if (name === 'setup') continue;
      assert.equal(service.depends_on?.setup?.condition, 'service_completed_successfully', name);
      for (const profile of service.profiles ?? []) profiles.set(profile, name);
      const script = service.entrypoint?.[0] ?? '';
      assert.match(script, /^docker\/[\w-]+\.sh$/, `${name} runs a script of docker/`);
      accessSync(packageFile(script), constants.X_OK);
    }
    assert.deepEqual([...profiles.keys()].sort(), ['simulator', 'talend']);
  });

  it('container scripts are valid POSIX shell', () => {
    for (const script of ['docker/sync-loop.sh', 'docker/simulator-sync.sh']) {
      execFileSync('sh', ['-n', packageFile(script)]);
    }
  });
});

describe('environment variables of the deployment files', () => {
  it('are all ones the CLI or our container scripts read', () => {
    const known = knownVariables();
    const scripts = text('docker', 'sync-loop.sh') + text('docker', 'simulator-sync.sh');
    for (const name of SCRIPT_VARIABLES) assert.match(scripts, new RegExp(`\\$\\{${name}[:}]`), name);

    const used = new Map<string, string>();
    for (const [name, service] of ourServices) {
      for (const variable of Object.keys(service.environment ?? {})) used.set(variable, `compose ${name}`);
    }
    for (const line of text('talend.env.example').split('\n')) {
      const match = /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line);
      if (match) used.set(match[1]!, 'talend.env.example');
    }
    for (const [file, pod] of pods) {
      for (const container of pod.containers) {
        for (const variable of container.env ?? []) used.set(variable.name, file);
      }
    }
    assert.ok(used.size > 10);
    const unknown = [...used]
      .filter(([name]) => !known.has(name))
      .map(([name, where]) => `${name} (${where})`);
    assert.deepEqual(unknown, []);
  });
});

describe('Dockerfile', () => {
  const dockerfile = text('Dockerfile');

  it('builds in one stage and runs the built CLI as the non-root node user with production modules', () => {
    const stages = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((match) => match[1]);
    assert.deepEqual(stages, ['${NODE_IMAGE}', '${NODE_IMAGE}']);
    assert.match(dockerfile, /^ARG NODE_IMAGE=node:24-slim$/m, "users' builds start from the official image");
    assert.match(dockerfile, /RUN npm run build/);
    assert.match(dockerfile, /RUN npm ci --omit=dev/);
    assert.match(dockerfile, /^COPY mappings \.\/mappings$/m);
    assert.match(dockerfile, /^USER node$/m);
    assert.match(dockerfile, /^ENTRYPOINT \["node", "dist\/src\/cli\/main\.js"\]$/m);
    assert.match(text('.dockerignore'), /^\*\.env$/m, 'talend.env stays out of the build context');
  });

  it("starts node with the V8 flags of the CLI's shebang, and so do the Kubernetes manifests", () => {
    const shebang = text('src/cli/main.ts').split('\n')[0]!;
    const flags = /^#!\/usr\/bin\/env -S node (.+)$/.exec(shebang)?.[1];
    assert.ok(flags?.includes('--max-semi-space-size='), shebang);
    assert.match(dockerfile, new RegExp(`^ENV NODE_OPTIONS="${flags}"$`, 'm'));
    for (const [file, pod] of pods) {
      for (const container of pod.containers) {
        const options = container.env?.find((variable) => variable.name === 'NODE_OPTIONS')?.value;
        assert.equal(options, flags, `${file}: NODE_OPTIONS replaces the image's`);
      }
    }
  });
});
