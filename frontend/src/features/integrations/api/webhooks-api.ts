// Webhook endpoints and their delivery log (backend/warmline/webhook.go,
// docs/integrations.md "Webhooks").
import { request } from '../../../lib/api-client';
import type { EventType } from '../../../lib/events';
import type { Items } from '../../../lib/types';

export interface Webhook {
  id: number;
  url: string;
  description: string;
  /** Event types sent; empty: every event. */
  event_types: EventType[];
  enabled: boolean;
  /** Only in the answer that creates the endpoint: shown once, never again. */
  secret?: string;
  created_at: string;
  updated_at: string;
}

export interface WebhookInput {
  url?: string;
  description?: string;
  event_types?: EventType[];
  enabled?: boolean;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** WebhookDelivery is one event's delivery to one endpoint. */
export interface WebhookDelivery {
  id: number;
  webhook_id: number;
  /** null for a test event. */
  event_seq: number | null;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  /** null once delivered or failed. */
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  /** The HTTP status of the last answer; null when none came. */
  last_status: number | null;
  last_error: string;
  /** The last answer's first 200 bytes. */
  last_response: string;
  last_latency_ms: number | null;
  delivered_at: string | null;
  created_at: string;
}

/** DELIVERY_LOG_LIMIT is how many of the latest deliveries the log shows. */
export const DELIVERY_LOG_LIMIT = 50;

export async function fetchWebhooks(signal?: AbortSignal): Promise<Webhook[]> {
  return (await request<Items<Webhook>>('/webhooks', { signal })).items;
}

/** createWebhook answers the endpoint with its secret, the only time the secret is shown. */
export function createWebhook(input: WebhookInput): Promise<Webhook> {
  return request<Webhook>('/webhooks', { method: 'POST', body: input });
}

export function updateWebhook(id: number, input: WebhookInput): Promise<Webhook> {
  return request<Webhook>(`/webhooks/${id}`, { method: 'PATCH', body: input });
}

export function deleteWebhook(id: number): Promise<void> {
  return request<void>(`/webhooks/${id}`, { method: 'DELETE' });
}

/** fetchDeliveries is the endpoint's latest deliveries, newest first. */
export async function fetchDeliveries(webhookId: number, signal?: AbortSignal): Promise<WebhookDelivery[]> {
  return (await request<Items<WebhookDelivery>>(`/webhooks/${webhookId}/deliveries`, { query: { limit: DELIVERY_LOG_LIMIT }, signal })).items;
}

/** resendDelivery queues a delivery again. */
export function resendDelivery(webhookId: number, deliveryId: number): Promise<WebhookDelivery> {
  return request<WebhookDelivery>(`/webhooks/${webhookId}/deliveries/${deliveryId}/resend`, { method: 'POST' });
}

/** sendTestEvent queues a webhook.test event for the endpoint. */
export function sendTestEvent(webhookId: number): Promise<WebhookDelivery> {
  return request<WebhookDelivery>(`/webhooks/${webhookId}/test`, { method: 'POST' });
}
