// A WebSocket stand-in for RealtimeClient tests: it records what the client
// does and lets the test play the server.

type Listener = (event: never) => void;

/** FakeSocket records what the client does and lets the test play the server. */
export class FakeSocket {
  static all: FakeSocket[] = [];
  readonly url: string;
  readonly sent: string[] = [];
  closedWith: { code?: number; reason?: string } | null = null;
  private listeners = new Map<string, Listener[]>();

  constructor(url: string) {
    this.url = url;
    FakeSocket.all.push(this);
  }
  addEventListener(type: string, listener: (event: never) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close(code?: number, reason?: string) {
    this.closedWith = { code, reason };
  }
  private fire(type: string, event: unknown) {
    for (const l of this.listeners.get(type) ?? []) (l as (e: unknown) => void)(event);
  }
  // The server's side:
  open() {
    this.fire('open', {});
  }
  receive(message: unknown) {
    this.fire('message', { data: typeof message === 'string' ? message : JSON.stringify(message) });
  }
  hello(seq: number) {
    this.open();
    this.receive({ type: 'hello', seq, data: { org_id: 1, user_id: 3 } });
  }
  serverClose(code = 1006, reason = '') {
    this.fire('close', { code, reason });
  }
}
