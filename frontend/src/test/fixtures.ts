import type { Organisation, Session, User } from '../lib/types';

/** testOrganisation is the demo organisation the tests sign in to; over changes what a test needs. */
export function testOrganisation(over: Partial<Organisation> = {}): Organisation {
  return {
    id: 1,
    name: 'ООО Демо',
    default_country: 'RU',
    time_zone: 'Europe/Moscow',
    agents_own_clients_only: false,
    created_at: '',
    ...over,
  };
}

/** testUser is an active agent of testOrganisation; over changes what a test needs. */
export function testUser(over: Partial<User> = {}): User {
  return {
    id: 3,
    org_id: 1,
    email: 'agent@demo.example',
    name: 'Мария',
    role: 'agent',
    locale: 'ru',
    time_zone: 'Europe/Moscow',
    active: true,
    created_at: '',
    ...over,
  };
}

/** testSession is user signed in to organisation (testOrganisation unless given). */
export function testSession(user: User, organisation: Organisation = testOrganisation(), eventSeq = 0): Session {
  return { user, organisation, event_seq: eventSeq };
}
