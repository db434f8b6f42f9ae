// Free ports on 127.0.0.1 for the SIP peers a spec starts. A port counts as
// free only when both a TCP listener and a UDP socket can be bound to it
// (SIP uses both), and ports are picked below Linux's ephemeral range
// (32768+) so an outgoing connection cannot be holding one.
import * as dgram from 'node:dgram';
import * as net from 'node:net';

const host = '127.0.0.1';

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    sock.once('error', () => {
      sock.close();
      resolve(false);
    });
    sock.bind({ port, address: host, exclusive: true }, () => sock.close(() => resolve(true)));
  });
}

/** portFree says whether nothing holds port on 127.0.0.1, over TCP or UDP. */
export async function portFree(port: number): Promise<boolean> {
  return (await tcpFree(port)) && (await udpFree(port));
}

/**
 * freePortRange returns the first port of `count` consecutive free ports
 * (TCP and UDP). A pick is random, so specs and concurrent runs rarely race
 * for the same ports; the process that binds them must still cope with
 * losing a race (Baresip.start retries).
 */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20000 + Math.floor(Math.random() * (32000 - 20000 - count));
    let ok = true;
    for (let p = base; p < base + count && ok; p++) ok = await portFree(p);
    if (ok) return base;
  }
  throw new Error(`no ${count} consecutive free ports on ${host} between 20000 and 32000`);
}

/** freePort returns one free port (TCP and UDP). */
export function freePort(): Promise<number> {
  return freePortRange(1);
}

/** waitPortFree waits until port is free again (a stopped peer let go of it). */
export async function waitPortFree(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await portFree(port))) {
    if (Date.now() > deadline) throw new Error(`port ${host}:${port} is still in use after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
