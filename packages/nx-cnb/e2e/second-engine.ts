import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';

/**
 * A second, empty Docker engine listening on a loopback TCP port: a stand-in
 * for another machine (or a remote engine) in the tests. It shares docker0
 * but sets up no iptables rules, so its containers run with --network none
 * or host. (--bridge=none would make it delete docker0 from the first engine.)
 */
export class SecondEngine {
  readonly host: string;
  private process?: ChildProcess;
  private readonly dir: string;

  constructor(readonly port = 23750) {
    this.host = `tcp://127.0.0.1:${port}`;
    this.dir = join('/tmp', `nx-cnb-engine-${port}`);
  }

  async start(): Promise<Docker> {
    this.removeDir();
    mkdirSync(this.dir, { recursive: true });
    this.process = spawn(
      'dockerd',
      [
        `--host=${this.host}`,
        `--data-root=${join(this.dir, 'data')}`,
        `--exec-root=${join(this.dir, 'exec')}`,
        `--pidfile=${join(this.dir, 'dockerd.pid')}`,
        '--iptables=false',
        '--ip-masq=false',
      ],
      { stdio: 'ignore' },
    );
    const docker = new Docker({ host: '127.0.0.1', port: this.port, protocol: 'http' });
    for (let i = 0; i < 120; i++) {
      if (this.process.exitCode !== null) throw new Error(`the second dockerd exited with ${this.process.exitCode}`);
      if (
        await docker.ping().then(
          () => true,
          () => false,
        )
      )
        return docker;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`the second dockerd did not answer on ${this.host} within 60 s`);
  }

  /** True while a build runs on this engine (a container with the build's sleep). */
  /** Stops the engine at once, as a crash or a pulled plug would. */
  async kill(): Promise<void> {
    if (this.process && this.process.exitCode === null) {
      const exited = new Promise((r) => this.process!.once('exit', r));
      this.process.kill('SIGKILL');
      await exited;
    }
  }

  async stop(): Promise<void> {
    if (this.process && this.process.exitCode === null) {
      const exited = new Promise((r) => this.process!.once('exit', r));
      this.process.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    }
    this.removeDir();
  }

  private removeDir(): void {
    // A killed dockerd leaves its containerd and shims running; they all name the folder.
    spawnSync('pkill', ['-9', '-f', this.dir]);
    // dockerd leaves its network namespace mounted under exec-root.
    for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const mountPoint = line.split(' ')[1];
      if (mountPoint?.startsWith(this.dir)) spawnSync('umount', ['-l', mountPoint]);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
