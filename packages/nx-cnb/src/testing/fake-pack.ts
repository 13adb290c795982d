import type { BuilderCreateRequest } from '../pack/args';
import { PackFailedError, type Pack } from '../pack/pack';
import type { FakeEngine } from './fake-engine';

/** A pack that records what it is asked and, like pack, leaves the builder in the engine. */
export class FakePack implements Pack {
  readonly version = '0.40.6';
  readonly calls: { request: BuilderCreateRequest; cwd: string }[] = [];

  constructor(
    private readonly engine: FakeEngine,
    private readonly failWith?: string,
  ) {}

  async builderCreate(request: BuilderCreateRequest, log: (line: string) => void, cwd: string): Promise<void> {
    this.calls.push({ request, cwd });
    if (this.failWith) throw new PackFailedError(['builder', 'create'], 1, this.failWith);
    log(`Successfully created builder image ${request.reference}`);
    if (request.publish) await this.engine.registry.pushed(request.reference, `sha256:builder-${request.targets?.join(',') ?? ''}`);
    else {
      const image = { os: 'linux', architecture: 'amd64', env: [], labels: { 'io.buildpacks.builder.metadata': '{}' }, files: {}, layers: 11, size: 5e8 };
      this.engine.add(image, request.reference);
    }
  }
}
