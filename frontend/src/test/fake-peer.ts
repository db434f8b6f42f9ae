// Stand-ins for the browser's WebRTC and microphone in PhoneClient tests
// (jsdom has neither): they record what the client does.
import type { PeerLike } from '../lib/phone-client';

/** FakePeer plays the browser's RTCPeerConnection: it records what the client does. */
export class FakePeer implements PeerLike {
  static all: FakePeer[] = [];
  localDescription: { sdp: string } | null = null;
  iceGatheringState = 'new';
  connectionState = 'new';
  remote: string | null = null;
  closed = false;
  transceivers: { track: MediaStreamTrack; direction: string; codecs: RTCRtpCodec[] | null; replaced: (MediaStreamTrack | null)[] }[] = [];
  rejectAnswer = false;
  private listeners = new Map<string, ((e: never) => void)[]>();
  constructor(readonly config: { iceServers: unknown[] }) {
    FakePeer.all.push(this);
  }
  addTransceiver(track: MediaStreamTrack, init: { direction: 'sendrecv' }) {
    const t = { track, direction: init.direction, codecs: null as RTCRtpCodec[] | null, replaced: [] as (MediaStreamTrack | null)[] };
    this.transceivers.push(t);
    return {
      sender: {
        replaceTrack: async (tr: MediaStreamTrack | null) => {
          t.replaced.push(tr);
        },
      },
      setCodecPreferences: (codecs: RTCRtpCodec[]) => {
        t.codecs = codecs;
      },
    };
  }
  async createOffer(): Promise<RTCSessionDescriptionInit> {
    return { type: 'offer', sdp: 'v=0 offer' };
  }
  async setLocalDescription(desc: { sdp?: string }) {
    this.localDescription = { sdp: `${desc.sdp} +candidates` };
    this.iceGatheringState = 'gathering';
  }
  async setRemoteDescription(desc: { sdp: string }) {
    if (this.rejectAnswer) throw new Error('bad sdp');
    this.remote = desc.sdp;
  }
  addEventListener(type: string, l: (e: never) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), l]);
  }
  close() {
    this.closed = true;
  }
  fire(type: string, e: unknown = {}) {
    for (const l of this.listeners.get(type) ?? []) (l as (e: unknown) => void)(e);
  }
  gatheringComplete() {
    this.iceGatheringState = 'complete';
    this.fire('icegatheringstatechange');
  }
  connect() {
    this.connectionState = 'connected';
    this.fire('connectionstatechange');
  }
}

export function fakeTrack(): MediaStreamTrack {
  return { enabled: true, stopped: false, stop() { (this as { stopped: boolean }).stopped = true; } } as unknown as MediaStreamTrack;
}

export function fakeStream(track = fakeTrack()): MediaStream {
  return { getAudioTracks: () => [track], getTracks: () => [track] } as unknown as MediaStream;
}

