/**
 * The simulator in a process of its own, so that the CPU it spends serving logs can be measured
 * apart from the connector's. Started by `simulator-process.ts`, which sends the options in a
 * `start` message; answers `usage` messages with its CPU time and the requests of every kind it has served, and exits on `close`.
 */
import { once } from 'node:events';
import { startSimulator, type SimulatorOptions } from '../../src/simulator/index.ts';
import { REQUEST_KINDS } from '../../src/simulator/types.ts';

const [start] = (await once(process, 'message')) as [{ type: 'start'; options: SimulatorOptions }];
const simulator = await startSimulator(start.options);

process.on('message', (message: { type: string }) => {
  if (message.type === 'usage') {
    const { user, system } = process.cpuUsage();
    const stats = simulator.stats();
    process.send?.({
      type: 'usage',
      cpuSeconds: (user + system) / 1e6,
      requests: Object.fromEntries(REQUEST_KINDS.map((kind) => [kind, stats[kind]])),
      storedDownloads: stats.storedDownloads,
    });
  } else if (message.type === 'close') {
    void simulator.close().then(() => process.disconnect());
  }
});
process.send?.({ type: 'ready', apiUrl: simulator.apiUrl });
