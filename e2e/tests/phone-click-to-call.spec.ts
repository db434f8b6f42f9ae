import { clickToCall, expect, expectTwoWayAudio, test } from '../support/phone-test';
import { expectCallState } from '../support/softphone';

// Issue 3, journey 1: the agent clicks Call on a client, the softphone rings
// first, the agent picks up, the gateway calls the client through the trunk
// (a real baresip that answers by itself) and both hear each other — proven
// by measuring each side's tone on the other side — and the call record
// carries the client, the agent and the right times.
test.use({ locale: 'ru-RU' });

test('click-to-call rings the agent, then the client; both hear each other and the record has the times', async ({ agent, customer, admin }) => {
  test.setTimeout(120_000);
  await clickToCall(agent, customer);

  await expectTwoWayAudio(agent, customer);

  const live = await admin.waitCall(customer.client.id, (c) => c.status === 'answered');
  expect(live.direction).toBe('outbound');
  expect(live.client_id).toBe(customer.client.id);
  expect(live.agent_id).toBe(customer.agentUser.id);
  expect(live.to.replace(/\D/g, '')).toBe(customer.phone.replace(/\D/g, ''));
  expect(live.ringing_at, 'ringing_at is set').toBeTruthy();
  expect(live.answered_at, 'answered_at is set').toBeTruthy();
  expect(Date.parse(live.answered_at!)).toBeGreaterThan(Date.parse(live.ringing_at!));
  expect(Date.parse(live.ringing_at!)).toBeGreaterThanOrEqual(Date.parse(live.created_at));
  expect(live.ended_at).toBeNull();

  await agent.getByTestId('call-hangup').click();
  await Promise.all([expectCallState(agent, 'ended'), customer.baresip.waitEvent('CALL_CLOSED', 10_000)]);

  const ended = await admin.waitCall(customer.client.id, (c) => c.id === live.id && c.status === 'ended');
  expect(ended.outcome).toBe('answered');
  expect(ended.ended_at, 'ended_at is set').toBeTruthy();
  expect(Date.parse(ended.ended_at!)).toBeGreaterThan(Date.parse(ended.answered_at!));
});
