import { SETTINGS, type SettingSpec } from '../config/settings.ts';
import { COMMAND_OPTIONS } from './arguments.ts';

const COMMANDS: [string, string][] = [
  ['sync', 'Index the logs of new and running executions since the last run (the scheduled job).'],
  ['backfill', 'Index historical executions: backfill --from DATE [--to DATE] (same as sync --backfill).'],
  ['status', "Show each task's checkpoint, lag and executions in progress or given up."],
  ['setup', 'Install index templates (and, with --kibana-url, the Kibana dashboard).'],
  ['ingest-file', 'Index a log file downloaded by hand: ingest-file FILE --task ID --execution ID.'],
  ['simulate', 'Run the Talend API simulator on 127.0.0.1 (for trying the tool without Talend).'],
  ['demo', 'Simulator + Elasticsearch + setup + sync, then a few answers read back.'],
];

export function helpText(version: string): string {
  const lines = [`talend-logs ${version}: Qlik Talend Cloud task logs into Elasticsearch`, '', 'Commands:'];
  for (const [name, text] of COMMANDS) lines.push(`  ${name.padEnd(12)} ${text}`);
  lines.push('', 'Options (flags win over environment variables, which win over the config file):');
  for (const spec of Object.values(SETTINGS) as SettingSpec[]) {
    const names = [spec.flag ? `--${spec.flag}` : undefined, spec.env].filter(Boolean).join(', ');
    const fallback = spec.default === undefined ? '' : ` [default: ${spec.default}]`;
    lines.push(`  ${names}`, `      ${spec.help}${fallback}`);
  }
  for (const [name, spec] of Object.entries(COMMAND_OPTIONS)) lines.push(`  --${name}`, `      ${spec.help}`);
  lines.push(
    '',
    'Exit codes: 0 ok, 1 internal error, 2 configuration, 3 partial failure, 4 interrupted, 5 unavailable.',
  );
  return lines.join('\n');
}
