/**
 * BuildKit's progress as the Engine API streams it: each `moby.buildkit.trace`
 * message carries a protobuf StatusResponse (moby/buildkit's control API),
 * base64 in `aux`. Decoded with protobufjs from a descriptor written here (the
 * subset nx-cnb reads; unknown fields are skipped), then turned into the
 * numbered lines `docker build --progress=plain` prints.
 */
import { Root, type Type } from 'protobufjs';

// Field numbers and types of api/services/control/control.proto; a Timestamp is { seconds, nanos } on the wire.
const DESCRIPTOR = {
  nested: {
    Timestamp: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
    StatusResponse: {
      fields: {
        vertexes: { rule: 'repeated', type: 'Vertex', id: 1 },
        statuses: { rule: 'repeated', type: 'VertexStatus', id: 2 },
        logs: { rule: 'repeated', type: 'VertexLog', id: 3 },
        warnings: { rule: 'repeated', type: 'VertexWarning', id: 4 },
      },
    },
    Vertex: {
      fields: {
        digest: { type: 'string', id: 1 },
        inputs: { rule: 'repeated', type: 'string', id: 2 },
        name: { type: 'string', id: 3 },
        cached: { type: 'bool', id: 4 },
        started: { type: 'Timestamp', id: 5 },
        completed: { type: 'Timestamp', id: 6 },
        error: { type: 'string', id: 7 },
      },
    },
    VertexStatus: {
      fields: {
        ID: { type: 'string', id: 1 },
        vertex: { type: 'string', id: 2 },
        name: { type: 'string', id: 3 },
        current: { type: 'int64', id: 4 },
        total: { type: 'int64', id: 5 },
        completed: { type: 'Timestamp', id: 8 },
      },
    },
    VertexLog: {
      fields: {
        vertex: { type: 'string', id: 1 },
        timestamp: { type: 'Timestamp', id: 2 },
        stream: { type: 'int64', id: 3 },
        msg: { type: 'bytes', id: 4 },
      },
    },
    VertexWarning: { fields: { vertex: { type: 'string', id: 1 }, short: { type: 'bytes', id: 3 } } },
  },
};

export const StatusResponse: Type = Root.fromJSON(DESCRIPTOR).lookupType('StatusResponse');

interface Timestamp {
  seconds: number;
  nanos?: number;
}

export interface Vertex {
  digest: string;
  name?: string;
  cached?: boolean;
  started?: Timestamp;
  completed?: Timestamp;
  error?: string;
}

export interface Status {
  vertexes?: Vertex[];
  statuses?: { ID?: string; vertex: string; name?: string; current?: number; total?: number; completed?: Timestamp }[];
  logs?: { vertex: string; timestamp?: Timestamp; msg: Uint8Array }[];
  warnings?: { vertex: string; short?: Uint8Array }[];
}

/** Decodes the base64 `aux` of one trace message. */
export function decodeTrace(aux: string): Status {
  return StatusResponse.toObject(StatusResponse.decode(Buffer.from(aux, 'base64')), { longs: Number, arrays: true }) as Status;
}

const seconds = (t: Timestamp) => t.seconds + (t.nanos ?? 0) / 1e9;

/**
 * Turns a build's StatusResponses into lines: each step numbered on first
 * sight ("#4 [2/3] RUN apt-get install ..."), its output, and how it ended
 * (CACHED, DONE 1.2s, ERROR). Output chunks are not line-aligned, so a
 * step's unfinished line waits for the rest.
 */
export class BuildkitProgress {
  private readonly numbers = new Map<string, number>();
  private readonly seen = new Map<string, { cached?: boolean; done?: boolean; error?: boolean; started?: Timestamp }>();
  private readonly partial = new Map<string, string>();
  private failed: string | undefined;

  constructor(private readonly log: (line: string) => void) {}

  handle(status: Status): void {
    for (const vertex of status.vertexes ?? []) this.vertex(vertex);
    for (const s of status.statuses ?? []) {
      if (s.completed && s.total) this.log(`${this.number(s.vertex)} ${s.name || s.ID} ${s.current}/${s.total} done`);
    }
    for (const entry of status.logs ?? []) {
      const lines = ((this.partial.get(entry.vertex) ?? '') + Buffer.from(entry.msg).toString('utf8')).split(/\r?\n/);
      this.partial.set(entry.vertex, lines.pop() ?? '');
      const started = this.seen.get(entry.vertex)?.started;
      const at = started && entry.timestamp ? `${(seconds(entry.timestamp) - seconds(started)).toFixed(3)} ` : '';
      for (const line of lines) if (line.trim()) this.log(`${this.number(entry.vertex)} ${at}${line}`);
    }
    for (const warning of status.warnings ?? []) this.log(`${this.number(warning.vertex)} WARN: ${Buffer.from(warning.short ?? []).toString('utf8')}`);
  }

  /** The first error a step reported, with the step's name, for the failure message. */
  get failedStep(): string | undefined {
    return this.failed;
  }

  private vertex(v: Vertex): void {
    const before = this.seen.get(v.digest);
    const id = this.number(v.digest);
    if (!before && v.name) this.log(`${id} ${v.name}`);
    const now = {
      cached: before?.cached || v.cached,
      done: before?.done || !!v.completed,
      error: before?.error || !!v.error,
      started: v.started ?? before?.started,
    };
    if (v.cached && !before?.cached) this.log(`${id} CACHED`);
    if (v.error && !before?.error) {
      this.flush(v.digest, id);
      this.log(`${id} ERROR: ${v.error}`);
      this.failed ??= v.name ? `${v.name}: ${v.error}` : v.error;
    } else if (v.completed && !before?.done && !v.cached) {
      this.flush(v.digest, id);
      this.log(`${id} DONE${v.started ? ` ${(seconds(v.completed) - seconds(v.started)).toFixed(1)}s` : ''}`);
    }
    this.seen.set(v.digest, now);
  }

  private flush(digest: string, id: string): void {
    const rest = this.partial.get(digest);
    if (rest?.trim()) this.log(`${id} ${rest}`);
    this.partial.delete(digest);
  }

  private number(digest: string): string {
    if (!this.numbers.has(digest)) this.numbers.set(digest, this.numbers.size + 1);
    return `#${this.numbers.get(digest)}`;
  }
}
