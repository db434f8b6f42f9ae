import { request } from '../../lib/api-client';

/**
 * callBack asks the gateway to ring the agent's softphone and then the
 * number (click-to-call, agent first).
 */
export function callBack(to: string, clientId: number | null): Promise<{ call_id: number }> {
  return request<{ call_id: number }>('/calls', {
    method: 'POST',
    body: clientId ? { to, client_id: clientId } : { to },
  });
}
