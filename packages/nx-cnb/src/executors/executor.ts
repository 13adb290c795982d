import type { ExecutorContext } from '@nx/devkit';
import { inspect } from 'node:util';
import { connectEngine } from '../engine/docker-engine';
import type { Engine } from '../engine/engine';
import { ExpectedError, isEnvironmental } from '../errors';
import type { Pack } from '../pack/pack';
import { findPack } from '../pack/pack-cli';
import { registryAuth } from '../engine/registry-auth';
import { type Registry, RegistryClient } from '../registry/registry-client';
import { runNx } from '../workspace/nx-cache';
import { taskLog } from './task-log';

/** What a task reaches outside itself. The real ones come from executor(); unit tests pass fakes. */
export interface Io {
  workspaceRoot: string;
  /** Connects on first use, so a task that needs no engine never asks for one. */
  engine(): Promise<Engine>;
  pack(): Promise<Pack>;
  /** The registries, with the credentials of the Docker config. */
  registry: Registry;
  logger: { info(message: string): void; warn(message: string): void };
  now(): Date;
  /** Runs the workspace's nx CLI (nested, e.g. to run tasks a target needs only sometimes), its output shown. */
  nx(args: string[]): Promise<void>;
}

export function realIo(workspaceRoot: string): Io {
  let engine: Promise<Engine> | undefined;
  let pack: Promise<Pack> | undefined;
  return {
    workspaceRoot,
    engine: () => (engine ??= connectEngine()),
    pack: () => (pack ??= findPack()),
    registry: new RegistryClient((host) => registryAuth(host)),
    logger: taskLog,
    now: () => new Date(),
    nx: (args) => runNx(workspaceRoot, args),
  };
}

/**
 * Turns a function of (options, io) into an Nx executor. An expected failure
 * (bad input, an engine or pack that is missing or failed, a system call
 * that failed) becomes a failed task with its message; anything else is a bug in nx-cnb, shown with its
 * stack so it can be found.
 */
export function executor<Options>(work: (options: Options, io: Io) => Promise<unknown>) {
  return async (options: Options, context: ExecutorContext): Promise<{ success: boolean }> => {
    try {
      await work(options, realIo(context.root));
      return { success: true };
    } catch (e) {
      taskLog.error(e instanceof ExpectedError || isEnvironmental(e) ? e.message : `nx-cnb failed unexpectedly (a bug; please report it): ${inspect(e)}`);
      return { success: false };
    }
  };
}
