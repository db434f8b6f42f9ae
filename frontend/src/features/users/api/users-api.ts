import { request } from '../../../lib/api-client';
import type { Items, NewUser, User, UserID, UserUpdate } from '../../../lib/types';

export async function fetchUsers(signal?: AbortSignal): Promise<User[]> {
  const res = await request<Items<User>>('/users', { signal });
  return res.items;
}

export function createUser(input: NewUser): Promise<User> {
  return request<User>('/users', { method: 'POST', body: input });
}

export function updateUser(id: UserID, input: UserUpdate): Promise<User> {
  return request<User>(`/users/${id}`, { method: 'PATCH', body: input });
}

/** deactivateUser turns a user off; their sessions end. */
export function deactivateUser(id: UserID): Promise<void> {
  return request<void>(`/users/${id}`, { method: 'DELETE' });
}
