import { parseArgs } from 'node:util';
import { closestName } from '../common/closest-name.ts';
import { ConfigError } from '../common/errors.ts';
import type { FlagValues } from '../config/setting-source.ts';
import { SETTINGS, type SettingName, type SettingSpec } from '../config/settings.ts';
import {
  COMMANDS,
  isCommandName,
  type CommandName,
  type CommandSpec,
  type OptionSpec,
} from './command-table.ts';

// node:util's parseArgs rather than commander: no new dependency, and the settings table already says
// which flags exist. What parseArgs lacks (options per command, --no-, suggestions) is this file.

/** Options every command takes, and the only ones taken before a command. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  help: { type: 'boolean', short: 'h', help: 'Show help: the commands, or after a command its options.' },
  version: { type: 'boolean', help: 'Show the version.' },
};

interface CommandOption extends OptionSpec {
  /** Repeatable: every value is kept, in order. */
  multiple: boolean;
  /** A boolean that `--no-<name>` turns off (over the environment and the config file). */
  negatable: boolean;
}

export interface ParsedArguments {
  /** Absent when no command was named: only --help and --version mean anything then. */
  command: CommandName | undefined;
  positionals: string[];
  flags: FlagValues;
}

/** The settings a command reads, by name, in the table's order. */
export function commandSettings(command: CommandSpec): [SettingName, SettingSpec][] {
  return (Object.entries(SETTINGS) as [SettingName, SettingSpec][]).filter(
    ([name, spec]) =>
      (command.groups.includes(spec.group) || command.settings?.includes(name)) &&
      !command.omit?.includes(name),
  );
}

/** Every option of one command by long name: its settings' flags, its own options, the global ones. */
function commandOptions(command: CommandSpec): Map<string, CommandOption> {
  const options = new Map<string, CommandOption>();
  for (const [, spec] of commandSettings(command)) {
    if (spec.flag === undefined) continue;
    options.set(spec.flag, {
      type: spec.boolean ? 'boolean' : 'string',
      help: spec.help,
      multiple: spec.list === true,
      negatable: spec.boolean === true,
    });
  }
  for (const [name, spec] of Object.entries(command.options ?? {})) {
    options.set(name, { ...spec, multiple: false, negatable: false });
  }
  for (const [name, spec] of Object.entries(GLOBAL_OPTIONS)) {
    options.set(name, { ...spec, multiple: false, negatable: false });
  }
  return options;
}

/** What node:util's parseArgs reports of each command-line word, with `tokens: true`. */
type Token =
  | { kind: 'option'; name: string; rawName: string; value?: string; inlineValue?: boolean }
  | { kind: 'positional'; value: string }
  | { kind: 'option-terminator' };

/**
 * Reads `talend-logs [COMMAND] [ARGUMENTS] [OPTIONS]` (options may come anywhere) and refuses
 * whatever the command does not take, saying what to do instead: an option it does not know, an
 * option without its value, a value given to a switch, an argument too many. `help COMMAND` is
 * `COMMAND --help`.
 */
export function parseArguments(argv: string[]): ParsedArguments {
  const known = knownOptions();
  const tokens = parseArgs({
    args: argv,
    options: Object.fromEntries(
      [...known].map(([name, spec]) => [
        name,
        { type: spec.type, ...(spec.short ? { short: spec.short } : {}) },
      ]),
    ),
    allowPositionals: true,
    strict: false,
    tokens: true,
  }).tokens as Token[];
  const words = tokens.flatMap((token) => (token.kind === 'positional' ? [token.value] : []));
  const helpCommand = words[0] === 'help';
  const [name, ...positionals] = helpCommand ? words.slice(1) : words;
  if (name !== undefined && !isCommandName(name)) {
    const guess = closestName(name, Object.keys(COMMANDS));
    throw usageError(
      `Unknown command "${name}"${guess ? ` (did you mean ${guess}?)` : ''}. ` +
        `Commands: ${Object.keys(COMMANDS).join(', ')}.`,
      undefined,
    );
  }
  const options = name === undefined ? globalOptions() : commandOptions(COMMANDS[name]);
  const accepted = name === undefined || helpCommand ? [] : ((COMMANDS[name] as CommandSpec).arguments ?? []);
  const flags: FlagValues = helpCommand ? { help: true } : {};
  let wordsSeen = 0;
  let previous: Token | undefined;
  for (const token of tokens) {
    if (token.kind === 'option') readOption(token, options, flags, name);
    if (token.kind === 'positional') {
      wordsSeen += 1;
      const argument = wordsSeen - (helpCommand ? 2 : 1);
      if (argument > accepted.length) throw unexpectedArgument(token.value, accepted, name!, previous);
    }
    previous = token;
  }
  return { command: name, positionals, flags };
}

function readOption(
  token: Token & { kind: 'option' },
  options: Map<string, CommandOption>,
  flags: FlagValues,
  command: CommandName | undefined,
): void {
  const negated = token.name.startsWith('no-') && options.get(token.name.slice(3))?.negatable === true;
  const name = negated ? token.name.slice(3) : token.name;
  const option = options.get(name);
  if (option === undefined) throw unknownOption(token, options, command);
  if (option.type === 'boolean') {
    if (token.inlineValue) {
      const choices = option.negatable ? `--${name} or --no-${name}` : `--${name}`;
      throw usageError(`--${token.name} takes no value: write ${choices}.`, command);
    }
    flags[name] = !negated;
    return;
  }
  const value = token.value;
  if (value === undefined) throw usageError(`--${name} needs a value.`, command);
  if (!token.inlineValue && value.startsWith('-')) {
    throw usageError(
      `--${name} needs a value (got the option ${value}); a value starting with "-" is written --${name}=VALUE.`,
      command,
    );
  }
  if (option.multiple) {
    const values = flags[name];
    flags[name] = [...(Array.isArray(values) ? values : []), value];
  } else {
    flags[name] = value;
  }
}

function unexpectedArgument(
  word: string,
  accepted: readonly string[],
  command: CommandName,
  previous: Token | undefined,
): ConfigError {
  const takes = accepted.length === 0 ? 'takes no arguments' : `takes ${accepted.join(' ')} only`;
  const alone =
    previous?.kind === 'option' && previous.value !== undefined && !previous.inlineValue
      ? ` ${previous.rawName} took "${previous.value}" alone: an option takes one value, so quote a value with spaces.`
      : '';
  return usageError(`Unexpected argument "${word}": ${command} ${takes}.${alone}`, command);
}

function unknownOption(
  token: Token & { kind: 'option' },
  options: Map<string, CommandOption>,
  command: CommandName | undefined,
): ConfigError {
  const name = token.name;
  const owners = Object.entries(COMMANDS)
    .filter(([, spec]) => commandOptions(spec).has(name))
    .map(([owner]) => owner);
  if (command !== undefined && owners.length > 0) {
    return usageError(
      `--${name} is not an option of ${command}; it is one of ${owners.join(', ')}.`,
      command,
    );
  }
  if (command === undefined && owners.length > 0) {
    return usageError(
      `--${name} is an option of ${owners.join(', ')}: name the command first (talend-logs ${owners[0]} --${name} …).`,
      command,
    );
  }
  const guess = closestName(name, options.keys());
  return usageError(
    `Unknown option '${token.rawName}'${guess ? ` (did you mean --${guess}?)` : ''}.`,
    command,
  );
}

function usageError(problem: string, command: CommandName | undefined): ConfigError {
  const help =
    command === undefined
      ? '"talend-logs --help" for the commands'
      : `"talend-logs ${command} --help" for its options`;
  return new ConfigError(`${problem} Run ${help}.`);
}

function globalOptions(): Map<string, CommandOption> {
  return new Map(
    Object.entries(GLOBAL_OPTIONS).map(([name, spec]) => [
      name,
      { ...spec, multiple: false, negatable: false },
    ]),
  );
}

/** Every option of every command, so that the values of all of them are told apart from arguments. */
function knownOptions(): Map<string, CommandOption> {
  const known = new Map<string, CommandOption>();
  for (const spec of Object.values(COMMANDS) as CommandSpec[]) {
    for (const [name, option] of commandOptions(spec)) {
      known.set(name, option);
      if (option.negatable) known.set(`no-${name}`, { ...option, type: 'boolean' });
    }
  }
  return known;
}
