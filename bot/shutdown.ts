// SIGTERM (App Service restarting or scaling in): stop taking new work, let each running change finish
// the chunk it is in and record it, let go of its lease so the next instance resumes at once, and exit
// well within the platform's grace period (30 s before SIGKILL on App Service for Linux containers and
// Kubernetes alike; README "Reliability"). Whatever is cut off by a SIGKILL anyway is finished by the
// next instance's recovery sweep after the lease, from the users' marks.
import type { BackgroundWork } from './context';
import type { LicenseService } from '../domain/service';

/** Time from SIGTERM to exit, leaving room under the platform's 30 s. */
export const SHUTDOWN_GRACE_MS = 20_000;

export interface ShutdownParts {
  service: Pick<LicenseService, 'stop'>;
  /** Work after answered turns (progress and result messages): given what time is left. */
  background?: Pick<BackgroundWork, 'idle'>;
  /** /healthz answers 503 from now on, so the platform sends no new requests here. */
  setReady?: (ready: boolean) => void;
  /** Timers, the HTTP server, the playground, the store: closed last. */
  close: () => Promise<void>;
}

const within = <T>(work: Promise<T>, ms: number) =>
  new Promise<'done' | 'timedOut'>((resolve) => {
    const timer = setTimeout(() => resolve('timedOut'), Math.max(0, ms));
    timer.unref();
    work.then(
      () => (clearTimeout(timer), resolve('done')),
      () => (clearTimeout(timer), resolve('done')),
    );
  });

/** Stops gracefully within `graceMs`; says whether everything running got to its chunk's end in time. */
export async function shutDownGracefully(parts: ShutdownParts, graceMs = SHUTDOWN_GRACE_MS): Promise<'clean' | 'timedOut'> {
  const deadline = Date.now() + graceMs;
  parts.setReady?.(false);
  // New saves are answered "restarting"; running changes stop after their chunk and release the lease.
  const changes = await within(parts.service.stop(), deadline - Date.now() - 3_000);
  const messages = parts.background ? await within(parts.background.idle(), deadline - Date.now() - 1_500) : 'done';
  await within(parts.close(), deadline - Date.now());
  return changes === 'done' && messages === 'done' ? 'clean' : 'timedOut';
}
