import { BuildkitProgress, decodeTrace, StatusResponse } from './buildkit-progress';

const encode = (status: object) => Buffer.from(StatusResponse.encode(StatusResponse.fromObject(status)).finish()).toString('base64');
const at = (seconds: number) => ({ seconds: 1700000000 + Math.floor(seconds), nanos: Math.round((seconds % 1) * 1e9) });

describe('decodeTrace', () => {
  it('reads a trace message as dockerd 20.10 sends it', () => {
    // The first trace message of a real build on dockerd 20.10.24 (BuildKit v0.8).
    const aux =
      'Cm8KR3NoYTI1Njo0ZTQwMDFkYWUwMjdkYzRjMjAwZTQ4YjEwMTczNWFhNGQxM2E3YzNlNzE3NTYzYzE3NTRlMWFlYTc2MjQ2NDQzGiRbaW50ZXJuYWxdIGxvYWQgcmVtb3RlIGJ1aWxkIGNvbnRleHQ=';
    expect(decodeTrace(aux).vertexes).toEqual([
      { digest: 'sha256:4e4001dae027dc4c200e48b101735aa4d13a7c3e717563c1754e1aea76246443', inputs: [], name: '[internal] load remote build context' },
    ]);
  });
});

describe('BuildkitProgress', () => {
  it('numbers steps, shows their output line by line and how each ended', () => {
    const lines: string[] = [];
    const progress = new BuildkitProgress((l) => lines.push(l));
    const feed = (status: object) => progress.handle(decodeTrace(encode(status)));
    feed({
      vertexes: [
        { digest: 'a', name: '[1/3] FROM nx-cnb/debian:bookworm' },
        { digest: 'b', name: '[2/3] RUN apt-get update', started: at(1) },
      ],
    });
    feed({ vertexes: [{ digest: 'a', name: '[1/3] FROM nx-cnb/debian:bookworm', cached: true }] });
    feed({ logs: [{ vertex: 'b', timestamp: at(1.5), msg: Buffer.from('Get:1 http://deb.debian.org bookworm InRelease\nReading pack') }] });
    feed({ logs: [{ vertex: 'b', timestamp: at(2), msg: Buffer.from('age lists...\n') }] });
    feed({ vertexes: [{ digest: 'b', name: '[2/3] RUN apt-get update', started: at(1), completed: at(3.2) }] });
    feed({
      vertexes: [{ digest: 'c', name: 'exporting to image' }],
      statuses: [{ vertex: 'c', ID: 'exporting layers', current: 2, total: 2, completed: at(4) }],
    });
    expect(lines).toEqual([
      '#1 [1/3] FROM nx-cnb/debian:bookworm',
      '#2 [2/3] RUN apt-get update',
      '#1 CACHED',
      '#2 0.500 Get:1 http://deb.debian.org bookworm InRelease',
      '#2 1.000 Reading package lists...',
      '#2 DONE 2.2s',
      '#3 exporting to image',
      '#3 exporting layers 2/2 done',
    ]);
    expect(progress.failedStep).toBeUndefined();
  });

  it('keeps the first failed step with its name, and the output it left unfinished', () => {
    const lines: string[] = [];
    const progress = new BuildkitProgress((l) => lines.push(l));
    progress.handle({ vertexes: [{ digest: 'x', name: '[2/2] RUN exit 3' }], logs: [{ vertex: 'x', msg: Buffer.from('no newline at the end') }] });
    progress.handle({
      vertexes: [{ digest: 'x', name: '[2/2] RUN exit 3', error: 'process "/bin/sh -c exit 3" did not complete successfully: exit code: 3' }],
    });
    expect(lines).toEqual([
      '#1 [2/2] RUN exit 3',
      '#1 no newline at the end',
      '#1 ERROR: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3',
    ]);
    expect(progress.failedStep).toBe('[2/2] RUN exit 3: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3');
  });
});
