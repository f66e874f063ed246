/** The configuration with nothing set: every default of the settings table, for code the tests build by hand. */
import type { Config } from '../../src/config/config.ts';
import { loadConfig } from '../../src/config/load.ts';

export const DEFAULTS: Config = loadConfig({
  flags: {},
  env: {},
  needs: { talend: false, elasticsearch: false },
});
