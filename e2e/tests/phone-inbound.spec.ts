import { callIn, expect, expectTwoWayAudio, test } from '../support/phone-test';
import { expectCallState } from '../support/softphone';

// Issue 3, journey 2: a client (a real baresip) calls the organisation's
// number; the agent's softphone rings with the client's card; the agent
// answers and both hear each other, measured on both sides.
test.use({ locale: 'ru-RU' });

test("an inbound call rings the agent with the client's name; answered, both hear each other", async ({ agent, customer, admin }) => {
  test.setTimeout(120_000);
  await callIn(agent, customer);

  await expectTwoWayAudio(agent, customer);

  const live = await admin.waitCall(customer.client.id, (c) => c.status === 'answered');
  expect(live.direction).toBe('inbound');
  expect(live.agent_id).toBe(customer.agentUser.id);
  expect(live.to).toBe(customer.line.number);
  expect(live.from.replace(/\D/g, '')).toBe(customer.phone.replace(/\D/g, ''));
  expect(Date.parse(live.answered_at!)).toBeGreaterThan(Date.parse(live.ringing_at!));

  await agent.getByTestId('call-hangup').click();
  await Promise.all([expectCallState(agent, 'ended'), customer.baresip.waitEvent('CALL_CLOSED', 10_000)]);
  const ended = await admin.waitCall(customer.client.id, (c) => c.id === live.id && c.status === 'ended');
  expect(ended.outcome).toBe('answered');
});
