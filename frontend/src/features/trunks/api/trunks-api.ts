import { request } from '../../../lib/api-client';
import type { Items, Organisation } from '../../../lib/types';

export type TrunkTransport = 'udp' | 'tcp';
export type TrunkAuthMode = 'register' | 'ip';
export const TRUNK_CODECS = ['PCMU', 'PCMA'] as const;

/** Trunk mirrors backend/warmline/trunk.go; the password never comes back, has_password says whether one is set. */
export interface Trunk {
  id: number;
  name: string;
  host: string;
  port: number;
  transport: TrunkTransport;
  auth_mode: TrunkAuthMode;
  username: string;
  has_password: boolean;
  register_expires: number;
  outbound_proxy: string;
  caller_id: string;
  codecs: string[];
  allowed_sources: string[];
  enabled: boolean;
  created_at: string;
  updated_at: string;
}

/** TrunkInput creates or changes a trunk; password is sent only when the admin typed a new one. */
export type TrunkInput = Partial<Omit<Trunk, 'id' | 'has_password' | 'created_at' | 'updated_at'>> & { password?: string };

/** Line is one of the organisation's numbers (DID). */
export interface Line {
  id: number;
  number: string;
  name: string;
  channel_id: number | null;
  trunk_id: number | null;
  created_at: string;
}

export interface LineInput {
  number?: string;
  name?: string;
  channel_id?: number | null;
  trunk_id?: number | null;
}

/** PhoneSettings are the organisation's phone fields (the gateway issue adds them to Organisation). */
export interface PhoneSettings {
  auto_answer_seconds: number;
  wrap_up_seconds: number;
  /** No trunk: the built-in demo phone network answers (read-only). */
  demo_line: boolean;
}

export type PhoneOrganisation = Organisation & Partial<PhoneSettings>;

export async function fetchTrunks(signal?: AbortSignal): Promise<Trunk[]> {
  return (await request<Items<Trunk>>('/trunks', { signal })).items;
}

export function createTrunk(input: TrunkInput): Promise<Trunk> {
  return request<Trunk>('/trunks', { method: 'POST', body: input });
}

export function updateTrunk(id: number, input: TrunkInput): Promise<Trunk> {
  return request<Trunk>(`/trunks/${id}`, { method: 'PATCH', body: input });
}

export function deleteTrunk(id: number): Promise<void> {
  return request<void>(`/trunks/${id}`, { method: 'DELETE' });
}

export async function fetchLines(signal?: AbortSignal): Promise<Line[]> {
  return (await request<Items<Line>>('/lines', { signal })).items;
}

export function createLine(input: LineInput): Promise<Line> {
  return request<Line>('/lines', { method: 'POST', body: input });
}

export function updateLine(id: number, input: LineInput): Promise<Line> {
  return request<Line>(`/lines/${id}`, { method: 'PATCH', body: input });
}

export function deleteLine(id: number): Promise<void> {
  return request<void>(`/lines/${id}`, { method: 'DELETE' });
}

export function updatePhoneSettings(input: Partial<Pick<PhoneSettings, 'auto_answer_seconds' | 'wrap_up_seconds'>>): Promise<PhoneOrganisation> {
  return request<PhoneOrganisation>('/organisation', { method: 'PATCH', body: input });
}
