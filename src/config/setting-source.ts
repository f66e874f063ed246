import { readFileSync } from 'node:fs';
import { registerSecret } from '../common/secrets.ts';
import { splitList } from './parse-values.ts';
import {
  defaultOf,
  parserOf,
  SETTINGS,
  type SettingName,
  type SettingSpec,
  type SettingValue,
  type SettingWithDefault,
} from './settings.ts';

/** The options as the command line gave them, by long name (see cli/arguments.ts). */
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

/** Looks one setting up in flags, then the environment (and its `_FILE` twin), then the file. */
export class SettingSource {
  /** What flags, the environment or the file give, read once: a secret file is read, and refused, once. */
  private readonly givenValues = new Map<SettingName, string | string[] | boolean | undefined>();

  private readonly flags: FlagValues;
  private readonly env: NodeJS.ProcessEnv;
  private readonly file: Record<string, unknown>;
  private readonly problems: string[];
  private readonly warnings: string[];
  private readonly defaults: Partial<Record<SettingName, string>>;
  private readonly now: number;

  constructor(options: {
    flags: FlagValues;
    env: NodeJS.ProcessEnv;
    file: Record<string, unknown>;
    /** Where values that cannot be used are reported, each with what to do. */
    problems: string[];
    /** Where values that are used but should change (a deprecated name) are reported. */
    warnings: string[];
    /** A command's own defaults, in place of the table's. */
    defaults?: Partial<Record<SettingName, string>>;
    /** What relative dates (`now-30d`) count from. */
    now: number;
  }) {
    this.flags = options.flags;
    this.env = options.env;
    this.file = options.file;
    this.problems = options.problems;
    this.warnings = options.warnings;
    this.defaults = options.defaults ?? {};
    this.now = options.now;
  }

  /**
   * Where a setting read from the config file or a former variable name came from, so that a message
   * points at what the user wrote; the flag and variable name otherwise.
   */
  private readonly origins = new Map<SettingName, string>();

  describe(name: SettingName): string {
    const spec: SettingSpec = SETTINGS[name];
    this.given(name);
    const origin = this.origins.get(name);
    if (origin !== undefined) return origin;
    return [spec.flag && `--${spec.flag}`, spec.env].filter(Boolean).join(' / ') || spec.file;
  }

  raw(name: SettingName): string | string[] | boolean | undefined {
    return this.given(name) ?? this.defaults[name] ?? (SETTINGS[name] as SettingSpec).default;
  }

  private given(name: SettingName): string | string[] | boolean | undefined {
    if (!this.givenValues.has(name)) this.givenValues.set(name, this.lookUp(name));
    return this.givenValues.get(name);
  }

  private lookUp(name: SettingName): string | string[] | boolean | undefined {
    const spec: SettingSpec = SETTINGS[name];
    const fromFlag = spec.flag === undefined ? undefined : this.flags[spec.flag];
    if (fromFlag !== undefined) return fromFlag;
    if (spec.env !== undefined) {
      const fromEnv = this.env[spec.env];
      if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
      const fromEnvFile = this.env[`${spec.env}_FILE`];
      if (fromEnvFile !== undefined && fromEnvFile !== '')
        return this.readSecretFile(`${spec.env}_FILE`, fromEnvFile);
    }
    if (spec.deprecatedEnv !== undefined) {
      const fromOldName = this.env[spec.deprecatedEnv];
      if (fromOldName !== undefined && fromOldName !== '') {
        this.warnings.push(`${spec.deprecatedEnv} is deprecated: rename it ${spec.env!} (same values).`);
        this.origins.set(name, `${spec.deprecatedEnv} (the former name of ${spec.env!})`);
        return fromOldName;
      }
    }
    const fromFile = spec.file === '-' ? undefined : lookup(this.file, spec.file);
    if (fromFile !== undefined && fromFile !== null) {
      this.origins.set(name, `config file key ${spec.file}`);
      if (Array.isArray(fromFile)) return fromFile.map(String);
      return typeof fromFile === 'boolean' ? fromFile : String(fromFile);
    }
    return undefined;
  }

  /** Whether a flag, the environment or the file gives the setting, rather than its default. */
  isSet(name: SettingName): boolean {
    return this.given(name) !== undefined;
  }

  /**
   * The setting through its parser (config/settings.ts), its default when nothing gives it. A value
   * that does not parse is a problem; the default stands in for it so that every problem is found.
   */
  value<N extends SettingName>(name: N): SettingValue<N> {
    const spec: SettingSpec = SETTINGS[name];
    const fallback = () => (spec.default === undefined ? undefined : defaultOf(name as SettingWithDefault));
    if (spec.list) return this.list(name) as SettingValue<N>;
    const raw = this.raw(name);
    if (typeof raw === 'boolean') return raw as SettingValue<N>;
    const text = this.string(name);
    const parser = parserOf(name);
    if (text === undefined || parser === undefined) return (text ?? fallback()) as SettingValue<N>;
    const parsed = parser.parse(text, this.now);
    if (parsed !== undefined) return parsed as SettingValue<N>;
    const hint = parser.hint?.(text);
    this.problems.push(
      `${this.describe(name)} "${text}" is not valid: expected ${parser.expected}.${hint ? ` ${hint}` : ''}`,
    );
    return fallback() as SettingValue<N>;
  }

  string(name: SettingName): string | undefined {
    const value = this.raw(name);
    if (value === undefined || typeof value === 'boolean') return value === true ? 'true' : undefined;
    const text = (Array.isArray(value) ? value.at(-1) : value)?.trim();
    if (text === undefined || text === '') return undefined;
    if ((SETTINGS[name] as SettingSpec).secret) registerSecret(text);
    return text;
  }

  list(name: SettingName): string[] {
    const value = this.raw(name);
    if (value === undefined || typeof value === 'boolean') return [];
    return (Array.isArray(value) ? value : [value]).flatMap(splitList);
  }

  /** The content of the file the setting names (a CA certificate), if it names one. */
  fileContent(name: SettingName): string | undefined {
    const path = this.string(name);
    if (path === undefined) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      this.problems.push(
        `${this.describe(name)}: cannot read "${path}" (${(error as NodeJS.ErrnoException).code}).`,
      );
      return undefined;
    }
  }

  private readSecretFile(variable: string, path: string): string | undefined {
    try {
      return readFileSync(path, 'utf8').trim();
    } catch (error) {
      this.problems.push(`${variable}: cannot read "${path}" (${(error as NodeJS.ErrnoException).code}).`);
      return undefined;
    }
  }
}

function lookup(object: Record<string, unknown>, dotted: string): unknown {
  let current: unknown = object;
  for (const key of dotted.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
