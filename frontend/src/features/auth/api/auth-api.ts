import { request } from '../../../lib/api-client';
import type { Session, SignUpInput } from '../../../lib/types';

export function login(email: string, password: string): Promise<Session> {
  return request<Session>('/auth/login', { method: 'POST', body: { email, password } });
}

export function signUp(input: SignUpInput): Promise<Session> {
  return request<Session>('/auth/signup', { method: 'POST', body: input });
}

export function logout(): Promise<void> {
  return request<void>('/auth/logout', { method: 'POST' });
}
