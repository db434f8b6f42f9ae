// baresip as the customer's phone: a real SIP user agent on 127.0.0.1 that
// answers every call by itself, sends a tone as its microphone, records what
// it hears (sndfile), reports call and DTMF events over ctrl_tcp, and dials
// or hangs up on command.
//
// Lessons from running baresip 1.0.0 here (see /work/shared/TESTING.md):
// - it finds the account by the request-URI's user and answers 404 when no
//   account matches, so the customer gets an account per spelling of its
//   number the gateway may dial (with and without the +);
// - besides sip_listen's UDP and TCP port it binds TLS on the next port;
// - with a call up the first SIGTERM may not stop it: hang up first, then
//   SIGTERM twice;
// - received RFC 4733 telephone-events show in its log as
//   "received event: 'X'" and on ctrl_tcp as CALL_DTMF_START with the digit.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { freePortRange, waitPortFree } from './ports';

export interface BaresipEvent {
  type: string;
  class?: string;
  direction?: string;
  peeruri?: string;
  accountaor?: string;
  id?: string;
  param?: string;
}

interface Response {
  ok: boolean;
  data: string;
  token: string;
}

export interface BaresipOptions {
  /** A fresh folder of its own (config, accounts, log, recordings). */
  dir: string;
  /** SIP users it answers as, e.g. ['+79161234567', '79161234567']; the first is its From on dial. */
  users: string[];
  /** An 8 kHz mono 16-bit WAV its microphone plays (looped by nothing: make it long). */
  micWav: string;
  /** A bound on its life in case the test process dies without stopping it. */
  maxSeconds?: number;
}

const READY = 'baresip is ready.';

export class Baresip {
  readonly events: BaresipEvent[] = [];
  private buf = Buffer.alloc(0);
  private pending = new Map<string, (r: Response) => void>();
  private waiters = new Set<() => void>();
  private nextToken = 1;
  private exited = false;

  private constructor(
    readonly dir: string,
    readonly sipPort: number,
    readonly ctrlPort: number,
    readonly rtpPorts: [number, number],
    private proc: ChildProcess,
    private ctrl: net.Socket,
  ) {}

  /** sip is the address other SIP peers reach it at (UDP). */
  get address(): string {
    return `127.0.0.1:${this.sipPort}`;
  }

  get recordingsDir(): string {
    return path.join(this.dir, 'rec');
  }

  get logFile(): string {
    return path.join(this.dir, 'baresip.log');
  }

  log(): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /**
   * start runs a baresip in opts.dir on free ports and connects to its
   * ctrl_tcp. Losing a port race to another process is retried with other
   * ports.
   */
  static async start(opts: BaresipOptions): Promise<Baresip> {
    let lastErr: Error | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return await Baresip.tryStart(opts);
      } catch (err) {
        lastErr = err as Error;
        if (!/Address already in use/.test(lastErr.message)) throw lastErr;
      }
    }
    throw lastErr;
  }

  private static async tryStart(opts: BaresipOptions): Promise<Baresip> {
    const { dir } = opts;
    fs.mkdirSync(path.join(dir, 'rec'), { recursive: true });
    // SIP (UDP+TCP), TLS on SIP+1, ctrl_tcp, then 20 RTP/RTCP ports.
    const base = await freePortRange(23);
    const sipPort = base;
    const ctrlPort = base + 2;
    const rtpPorts: [number, number] = [base + 3, base + 22];
    fs.writeFileSync(
      path.join(dir, 'config'),
      [
        'poll_method epoll',
        `sip_listen 127.0.0.1:${sipPort}`,
        'net_interface 127.0.0.1',
        `audio_source aufile,${opts.micWav}`,
        'audio_player alsa,null',
        'audio_alert alsa,null',
        `rtp_ports ${rtpPorts[0]}-${rtpPorts[1]}`,
        'module_path /usr/lib/baresip/modules',
        'module g711.so',
        'module aufile.so',
        'module alsa.so',
        'module sndfile.so',
        'module_app account.so',
        'module_app menu.so',
        'module_app ctrl_tcp.so',
        `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
        `snd_path ${path.join(dir, 'rec')}`,
        '',
      ].join('\n'),
    );
    fs.writeFileSync(
      path.join(dir, 'accounts'),
      opts.users.map((u) => `<sip:${u}@127.0.0.1>;regint=0;answermode=auto;audio_codecs=PCMU,PCMA\n`).join(''),
    );
    fs.writeFileSync(path.join(dir, 'contacts'), '');
    const logFile = path.join(dir, 'baresip.log');
    const out = fs.openSync(logFile, 'w');
    // stdbuf: its stdout is block-buffered when redirected, and the log is
    // how a failure gets explained.
    const proc = spawn('stdbuf', ['-oL', 'baresip', '-f', dir, '-t', String(opts.maxSeconds ?? 300)], {
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    let exited = false;
    proc.once('exit', () => {
      exited = true;
    });
    const readLog = () => {
      try {
        return fs.readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    };
    const deadline = Date.now() + 10_000;
    let ctrl: net.Socket | undefined;
    while (!ctrl) {
      const text = readLog();
      if (exited || /Address already in use|init failed/.test(text)) {
        await stopProcess(proc);
        throw new Error(`baresip did not start (ports ${sipPort}, ${ctrlPort}); its log:\n${text}`);
      }
      if (text.includes(READY)) ctrl = await connect(ctrlPort).catch(() => undefined);
      if (!ctrl) {
        if (Date.now() > deadline) {
          await stopProcess(proc);
          throw new Error(`baresip was not ready within 10 s; its log:\n${text}`);
        }
        await sleep(100);
      }
    }
    const b = new Baresip(dir, sipPort, ctrlPort, rtpPorts, proc, ctrl);
    proc.once('exit', () => {
      b.exited = true;
      b.wake();
    });
    ctrl.on('data', (d) => b.onData(d));
    ctrl.on('error', () => undefined);
    return b;
  }

  private wake() {
    for (const w of this.waiters) w();
  }

  // ctrl_tcp speaks netstrings: "<length>:<json>,".
  private onData(d: Buffer) {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const colon = this.buf.indexOf(0x3a);
      if (colon < 0) return;
      const len = Number(this.buf.toString('ascii', 0, colon));
      if (this.buf.length < colon + 1 + len + 1) return;
      const body = this.buf.toString('utf8', colon + 1, colon + 1 + len);
      this.buf = this.buf.subarray(colon + 1 + len + 1);
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(body);
      } catch {
        continue;
      }
      if (msg.event) {
        this.events.push(msg as unknown as BaresipEvent);
        this.wake();
      } else if (msg.response) {
        const r = msg as unknown as Response;
        this.pending.get(r.token)?.(r);
        this.pending.delete(r.token);
      }
    }
  }

  /** command sends a ctrl_tcp command (a menu command: dial, hangup, sndcode, ...). */
  command(command: string, params = '', timeoutMs = 5000): Promise<Response> {
    const token = String(this.nextToken++);
    const body = Buffer.from(JSON.stringify({ command, params, token }), 'utf8');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(new Error(`baresip did not answer "${command} ${params}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(token, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.ctrl.write(Buffer.concat([Buffer.from(`${body.length}:`), body, Buffer.from(',')]));
    });
  }

  /** dial calls uri, e.g. sip:+74951234567@127.0.0.1:5060. */
  async dial(uri: string): Promise<void> {
    const r = await this.command('dial', uri);
    if (!r.ok) throw new Error(`baresip refused to dial ${uri}: ${r.data}`);
  }

  /** hangup ends the current call. */
  async hangup(): Promise<void> {
    await this.command('hangup');
  }

  /**
   * waitEvent waits for an event of `type` (matching `match`) and returns it;
   * events already received count. It fails early when baresip exits.
   */
  async waitEvent(type: string, timeoutMs: number, match: (e: BaresipEvent) => boolean = () => true): Promise<BaresipEvent> {
    const found = () => this.events.find((e) => e.type === type && match(e));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const e = found();
      if (e) return e;
      if (this.exited) throw new Error(`baresip exited while waiting for ${type}; its log:\n${this.log().slice(-3000)}`);
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `baresip: no ${type} within ${timeoutMs} ms; events so far: ${this.events.map((ev) => `${ev.type}(${ev.param ?? ''})`).join(' ') || 'none'}; log tail:\n${this.log().slice(-2000)}`,
        );
      }
      await new Promise<void>((resolve) => {
        const w = () => {
          clearTimeout(t);
          this.waiters.delete(w);
          resolve();
        };
        const t = setTimeout(w, left);
        this.waiters.add(w);
      });
    }
  }

  /** dtmfReceived lists the digits baresip received (CALL_DTMF_START events), in order. */
  dtmfReceived(): string {
    return this.events
      .filter((e) => e.type === 'CALL_DTMF_START')
      .map((e) => e.param ?? '')
      .join('');
  }

  /** rfc4733Digits lists the digits its log says arrived as RTP telephone-events (key-down only). */
  rfc4733Digits(): string {
    return [...this.log().matchAll(/received event: '(.)' \(end=0\)/g)].map((m) => m[1]).join('');
  }

  /** decodedRecording is the newest dump-*-dec.wav: what baresip heard. */
  decodedRecording(): string {
    const files = fs
      .readdirSync(this.recordingsDir)
      .filter((f) => /^dump-.*-dec\.wav$/.test(f))
      .sort();
    if (!files.length) {
      throw new Error(`baresip recorded nothing in ${this.recordingsDir} (no call got media); log tail:\n${this.log().slice(-2000)}`);
    }
    return path.join(this.recordingsDir, files[files.length - 1]);
  }

  /**
   * stop ends baresip: hang up any call, SIGTERM twice, SIGKILL if it still
   * runs, then check its ports are free. Safe to call more than once.
   */
  async stop(): Promise<void> {
    if (!this.exited) {
      await this.command('hangup', '', 1000).catch(() => undefined);
    }
    this.ctrl.destroy();
    await stopProcess(this.proc);
    for (const p of [this.sipPort, this.sipPort + 1, this.ctrlPort]) await waitPortFree(p);
  }
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** stopProcess: SIGTERM, again after a second, SIGKILL after 5 s. */
export async function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const wait = (ms: number) => Promise.race([gone.then(() => true), sleep(ms).then(() => false)]);
  proc.kill('SIGTERM');
  if (await wait(1000)) return;
  proc.kill('SIGTERM');
  if (await wait(4000)) return;
  proc.kill('SIGKILL');
  await gone;
}
