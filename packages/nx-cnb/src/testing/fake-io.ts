import type { Io } from '../executors/executor';
import type { Pack } from '../pack/pack';
import type { FakeEngine } from './fake-engine';

/** An Io over fakes that keeps what the task logged. */
export function fakeIo(workspaceRoot: string, engine: FakeEngine, pack?: Pack, now = new Date('2026-01-02T03:04:05Z')): Io & { lines: string[] } {
  const lines: string[] = [];
  return {
    workspaceRoot,
    engine: async () => engine,
    pack: async () => {
      if (!pack) throw new Error('this test expects no pack');
      return pack;
    },
    registry: engine.registry,
    logger: { info: (m) => lines.push(m), warn: (m) => lines.push(`warning: ${m}`) },
    now: () => now,
    nx: async (args) => {
      throw new Error(`this test expects no nx run (nx ${args.join(' ')})`);
    },
    lines,
  };
}
