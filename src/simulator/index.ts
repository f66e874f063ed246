export { startSimulator } from './simulator.ts';
export { generateTenant, demoTenant } from './tenant-generator.ts';
export { SimulatorUsageError } from './tenant-state.ts';
export { DEFAULT_AUTH, DEFAULT_VARIANTS, DOCUMENTED_RATE_LIMITS } from './types.ts';
export type {
  SimulatorOptions,
  RunningSimulator,
  TenantSpec,
  TaskSpec,
  ExecutionSpec,
  Variants,
  ObjectStoreKind,
  FaultRule,
  FaultKind,
  RequestKind,
  TenantGeneratorSpec,
  SimulatorStats,
  EntryRange,
  AuthOptions,
  ApiGroup,
} from './types.ts';
