import { createServer } from 'node:net';

/**
 * A free TCP port on 127.0.0.1 for a process the suites start (Mailpit). With
 * PARTNER_TEAM_TEST_PORTS=from-to (a shared machine's allotted range) only ports in that range are
 * used; otherwise the system picks one.
 */
export async function freePort(): Promise<number> {
  const range = /^(\d+)-(\d+)$/.exec(process.env.PARTNER_TEAM_TEST_PORTS ?? '');
  if (range === null) return listenOn(0);
  const [from, to] = [Number(range[1]), Number(range[2])];
  const start = from + Math.floor(Math.random() * (to - from + 1));
  for (let i = 0; i <= to - from; i += 1) {
    const port = from + ((start - from + i) % (to - from + 1));
    if (taken.has(port)) continue;
    try {
      const free = await listenOn(port);
      taken.add(free);
      return free;
    } catch {
      // in use: try the next
    }
  }
  throw new Error(`no free port in PARTNER_TEAM_TEST_PORTS=${process.env.PARTNER_TEAM_TEST_PORTS ?? ''}`);
}

/** Ports handed out by this process (a process that has not bound its port yet still owns it). */
const taken = new Set<number>();

function listenOn(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => {
        resolve(bound);
      });
    });
  });
}
