/**
 * `npm run build` must leave the `talend-logs` bin executable, as `npm link` and a global install run
 * it directly through its shebang. The real build script runs here on a copy of the project whose
 * entry point is one line (compiling all of src/ would take a while and prove nothing more).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  accessSync,
  constants,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('npm run build', () => {
  it(
    'leaves the bin executable, runnable through its shebang',
    { skip: process.platform === 'win32' },
    (t) => {
      const project = mkdtempSync(join(tmpdir(), 'talend-logs-build-'));
      t.after(() => rmSync(project, { recursive: true, force: true }));
      for (const file of ['package.json', 'tsconfig.json', 'tsconfig.build.json']) {
        copyFileSync(join(root, file), join(project, file));
      }
      symlinkSync(realpathSync(join(root, 'node_modules')), join(project, 'node_modules'));
      const shebang = readFileSync(join(root, 'src/cli/main.ts'), 'utf8').split('\n')[0]!;
      mkdirSync(join(project, 'src/cli'), { recursive: true });
      writeFileSync(join(project, 'src/cli/main.ts'), `${shebang}\nconsole.log('built and runnable');\n`);

      const env = {
        ...process.env,
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
        npm_config_update_notifier: 'false',
      };
      execFileSync('npm', ['run', 'build', '--silent'], { cwd: project, env, stdio: 'pipe' });

      const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as {
        bin: Record<string, string>;
      };
      const bin = join(project, manifest.bin['talend-logs']!);
      accessSync(bin, constants.X_OK);
      assert.equal(execFileSync(bin, [], { env, encoding: 'utf8' }), 'built and runnable\n');
    },
  );
});
