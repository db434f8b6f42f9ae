// The state an agent chose, kept through network blips. The server sets an
// agent offline once none of their tabs has been connected for a few
// seconds; when this tab's connection comes back, the keeper puts the
// agent's choice back, once. No React here: use-my-presence.ts wires it.
import type { RealtimeStatus } from '../../lib/realtime-client';
import type { ChosenState, Presence } from '../../lib/types';

export interface Choice {
  state: ChosenState;
  reason: string;
}

export interface PresenceKeeperOptions {
  /** put sends the choice to the server (PUT /auth/me/state). */
  put: (state: ChosenState, reason: string) => Promise<Presence>;
  /** Told the user's presence whenever the keeper learns it from put. */
  onPresence?: (p: Presence) => void;
  /** Told when putting the choice back after a reconnect failed. */
  onReapplyFailed?: (err: unknown) => void;
  now?: () => number;
  /**
   * For this long after a reconnect, an "offline" of the user's own is the
   * server's doing during the blip (replayed), not a choice. Default 10 s.
   */
  graceMs?: number;
}

/**
 * PresenceKeeper remembers the last state the user chose (here, or in
 * another of their tabs) and, after the live connection was lost and came
 * back, sends it again once. Sending the same state again changes nothing
 * on the server, so a blip too short to be noticed costs one idle request.
 */
export class PresenceKeeper {
  private chosen: Choice | null = null;
  private everLive = false;
  private down = false;
  private reconnectedAt = -Infinity;
  private reapplying = false;
  private readonly now: () => number;
  private readonly graceMs: number;

  constructor(private readonly opts: PresenceKeeperOptions) {
    this.now = opts.now ?? (() => Date.now());
    this.graceMs = opts.graceMs ?? 10_000;
  }

  /** choice is what the user chose last, null while unknown. */
  choice(): Choice | null {
    return this.chosen;
  }

  /** choose sends the user's choice and remembers it. */
  async choose(state: ChosenState, reason = ''): Promise<Presence> {
    const choice = { state, reason: state === 'away' ? reason : '' };
    const p = await this.opts.put(choice.state, choice.reason);
    this.chosen = choice;
    this.opts.onPresence?.(p);
    return p;
  }

  /**
   * observe learns the user's own state from the server (the list at load,
   * their live events). Available and away are choices, wherever they were
   * made; offline is one too, unless it arrives around a reconnect, when it
   * is the server noticing the blip. The states calls set change nothing.
   */
  observe(p: Presence): void {
    if (p.state === 'available' || p.state === 'away') {
      this.chosen = { state: p.state, reason: p.reason };
    } else if (p.state === 'offline') {
      if (this.reapplying || this.down || this.now() - this.reconnectedAt < this.graceMs) return;
      this.chosen = { state: 'offline', reason: '' };
    }
  }

  /** status follows the live connection; coming back after a loss puts the choice back once. */
  status(status: RealtimeStatus): void {
    if (status !== 'live') {
      if (this.everLive) this.down = true;
      return;
    }
    const reconnected = this.everLive && this.down;
    this.everLive = true;
    this.down = false;
    if (!reconnected) return;
    this.reconnectedAt = this.now();
    void this.reapply();
  }

  private async reapply(): Promise<void> {
    const c = this.chosen;
    if (!c || c.state === 'offline' || this.reapplying) return;
    this.reapplying = true;
    try {
      const p = await this.opts.put(c.state, c.reason);
      this.opts.onPresence?.(p);
    } catch (err) {
      this.opts.onReapplyFailed?.(err);
    } finally {
      this.reapplying = false;
    }
  }
}
