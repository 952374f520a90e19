// Engine progress streams (pull, build, load): JSON lines that end with success or with an `error` event.
// A failed pull or build still *resolves* followProgress (packages.md §2.5), so errors are checked here.
import type Docker from 'dockerode';

export interface StreamEvent {
  id?: string;
  status?: string;
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  progressDetail?: { current?: number; total?: number };
  aux?: { ID?: string };
}

export function followStream(docker: Docker, stream: NodeJS.ReadableStream, onEvent?: (e: StreamEvent) => void, signal?: AbortSignal): Promise<StreamEvent[]> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      (stream as NodeJS.ReadableStream & { destroy?: (e?: Error) => void }).destroy?.();
      reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    docker.modem.followProgress(
      stream,
      (err: Error | null, events: StreamEvent[]) => {
        signal?.removeEventListener('abort', onAbort);
        if (err) return reject(err);
        const bad = events.find((e) => e.error || e.errorDetail?.message);
        if (bad) return reject(new Error(bad.errorDetail?.message ?? bad.error));
        resolve(events);
      },
      onEvent,
    );
  });
}
