import type { SettingSpec } from '../config/settings.ts';
import { commandSettings, GLOBAL_OPTIONS } from './arguments.ts';
import { COMMANDS, type CommandName, type CommandSpec, type OptionSpec } from './command-table.ts';

const PRECEDENCE =
  'A flag wins over its environment variable, which wins over its key in the config file (--config), ' +
  'which wins over the default.';
const EXIT_CODES =
  'Exit codes: 0 ok, 1 internal error, 2 configuration, 3 partial failure, 4 interrupted, 5 unavailable.';

/** `talend-logs --help`: the commands and the options every command takes. */
export function helpText(version: string): string {
  const lines = [
    `talend-logs ${version}: Qlik Talend Cloud task logs into Elasticsearch`,
    '',
    'Usage: talend-logs COMMAND [options]',
    '',
    'Commands:',
  ];
  for (const [name, spec] of Object.entries(COMMANDS) as [string, CommandSpec][]) {
    lines.push(`  ${name.padEnd(12)} ${spec.summary}`);
  }
  lines.push('', 'Global options:', ...Object.entries(GLOBAL_OPTIONS).flatMap(optionLines));
  lines.push(
    '',
    'Run "talend-logs COMMAND --help" for the options of a command.',
    PRECEDENCE,
    '',
    EXIT_CODES,
  );
  return lines.join('\n');
}

/** `talend-logs COMMAND --help`: what the command does and every option it takes. */
export function commandHelp(name: CommandName): string {
  const spec: CommandSpec = COMMANDS[name];
  const usage = ['talend-logs', name, ...(spec.arguments ?? []), spec.usage, '[options]'].filter(Boolean);
  const settings = commandSettings(spec);
  const lines = [`Usage: ${usage.join(' ')}`, '', spec.summary, '', 'Options:'];
  for (const [setting, settingSpec] of settings) {
    lines.push(
      ...settingLines(
        settingSpec,
        spec.describe?.[setting] ?? settingSpec.help,
        spec.defaults?.[setting] ?? settingSpec.default,
      ),
    );
  }
  lines.push(...Object.entries({ ...spec.options, ...GLOBAL_OPTIONS }).flatMap(optionLines));
  if (settings.length > 0) lines.push('', PRECEDENCE);
  lines.push('', EXIT_CODES);
  return lines.join('\n');
}

function settingLines(spec: SettingSpec, help: string, byDefault: string | undefined): string[] {
  const flag = spec.flag === undefined ? undefined : spec.boolean ? `--[no-]${spec.flag}` : `--${spec.flag}`;
  const names = [flag, spec.env, spec.file === '-' ? undefined : spec.file].filter(Boolean);
  const fallback = byDefault === undefined ? '' : ` [default: ${byDefault}]`;
  return [`  ${names.join(', ')}`, `      ${help}${fallback}`];
}

function optionLines([name, spec]: [string, OptionSpec]): string[] {
  const names = [spec.short && `-${spec.short}`, `--${name}`].filter(Boolean).join(', ');
  return [`  ${names}`, `      ${spec.help}`];
}
