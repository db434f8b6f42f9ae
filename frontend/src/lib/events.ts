// TypeScript mirror of the live-update protocol of docs/realtime.md: the
// event types of backend/warmline/event.go with the data each one carries
// (written by backend/postgres/*_store.go), and the protocol's own messages
// of backend/realtime/message.go. events.test.ts fails when the Go and the
// TypeScript lists differ.
import type { Call, Client, ClientID, Organisation, PlanAlert, Presence, RuleAction, Stage, StageID, User, UserID, WorkItem } from './types';

/** EVENT_TYPES lists every event type of backend/warmline/event.go, in its order. */
export const EVENT_TYPES = [
  'client.created',
  'client.updated',
  'client.deleted',
  'client.moved',
  'clients.imported',
  'stage.created',
  'stage.updated',
  'stages.reordered',
  'stage.deleted',
  'user.created',
  'user.updated',
  'organisation.updated',
  'agent.state_changed',
  'call.ringing',
  'call.answered',
  'call.held',
  'call.ended',
  'call.missed',
  'trunk.changed',
  'work_item.created',
  'work_item.closed',
  'rule.action',
  'plan.alert',
  'webhook.changed',
  'email_settings.changed',
  'plan.changed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** EventData maps each event type to the JSON of its `data`. */
export interface EventData {
  /** The client as created. */
  'client.created': Client;
  /** The client after the change (not a move: see client.moved). */
  'client.updated': Client;
  'client.deleted': { id: ClientID };
  'client.moved': {
    /** The client after the move. */
    client: Client;
    from_stage_id: StageID;
    to_stage_id: StageID;
    reason: string;
  };
  /** Clients were added in bulk: lists must be fetched again. */
  'clients.imported': {
    /** The import's id; absent for the demo data seeded at signup. */
    import_id?: number;
    created: number;
    /** true for the demo data seeded at signup. */
    demo?: boolean;
  };
  'stage.created': Stage;
  'stage.updated': Stage;
  /** Every stage id in the new funnel order. */
  'stages.reordered': { ids: StageID[] };
  'stage.deleted': {
    id: StageID;
    /** Where the stage's clients went; 0 when it had none. */
    moved_to: StageID;
    clients_moved: number;
  };
  'user.created': User;
  'user.updated': User;
  'organisation.updated': Organisation;
  /** A user's state changed (the wallboard's presence). */
  'agent.state_changed': Presence;
  /** A call record was created: a softphone or the client's phone rings. */
  'call.ringing': Call;
  'call.answered': Call;
  /** Held or resumed: the call's held says which. */
  'call.held': Call;
  'call.ended': Call;
  /** An inbound call nobody took, with its missed_reason. */
  'call.missed': Call;
  /** The organisation's trunks or lines changed (admins refetch them). */
  'trunk.changed': { id: number };
  'work_item.created': WorkItem;
  'work_item.closed': WorkItem;
  'rule.action': RuleAction;
  'plan.alert': PlanAlert;
  /** A webhook endpoint was created, changed or deleted (admins refetch them). */
  'webhook.changed': { id: number; deleted: boolean };
  /** The organisation's SMTP settings changed. */
  'email_settings.changed': { configured: boolean };
  /** A plan was created, changed or deleted: progress views refetch. */
  'plan.changed': { id: number; agent_id: UserID; deleted: boolean };
}

/** An EventMessage is one event: its type, its sequence number in the organisation and its data. */
export type EventMessage<K extends EventType = EventType> = {
  [T in K]: { type: T; seq: number; data: EventData[T] };
}[K];

/**
 * HelloMessage comes first on every connection. seq is where the stream
 * starts: the `after` sent, else the organisation's latest sequence. The
 * server leaves seq out when it is 0 (an organisation without events yet).
 */
export interface HelloMessage {
  type: 'hello';
  seq?: number;
  data: { org_id: number; user_id: number };
}

/** ResyncMessage: the browser missed too much; refetch over REST. The stream continues after seq. */
export interface ResyncMessage {
  type: 'resync';
  seq?: number;
}

/** PongMessage answers the browser's {"type":"ping"}. */
export interface PongMessage {
  type: 'pong';
}

/** SkipMessage stands for an event this user may not see: the sequence moves on, nothing else happens. */
export interface SkipMessage {
  type: 'skip';
  seq: number;
}

/** PROTOCOL_TYPES are the messages of the protocol that are not events (backend/realtime/message.go). */
export const PROTOCOL_TYPES = ['hello', 'resync', 'ping', 'pong', 'skip'] as const;

/** ServerMessage is every message the server sends. */
export type ServerMessage = HelloMessage | ResyncMessage | PongMessage | SkipMessage | EventMessage;

export type ServerMessageType = ServerMessage['type'];

/** MessageOf picks the message of one type. */
export type MessageOf<K extends ServerMessageType> = Extract<ServerMessage, { type: K }>;

/** ClientMessage is what the browser may send. */
export type ClientMessage = { type: 'ping' };

const eventTypes: ReadonlySet<string> = new Set(EVENT_TYPES);

/** isEventType tells the event types this build knows from anything else. */
export function isEventType(type: unknown): type is EventType {
  return typeof type === 'string' && eventTypes.has(type);
}

/**
 * parseServerMessage reads one text frame. It returns null for anything
 * that is not a JSON object with a string type; the data of known types is
 * trusted to have the documented shape.
 */
export function parseServerMessage(text: string): { type: string; seq?: number; data?: unknown } | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const m = value as Record<string, unknown>;
  if (typeof m.type !== 'string') return null;
  if (m.seq !== undefined && (typeof m.seq !== 'number' || !Number.isSafeInteger(m.seq) || m.seq < 0)) return null;
  return m as { type: string; seq?: number; data?: unknown };
}
