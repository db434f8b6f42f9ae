import { clickToCall, expect, test } from '../support/phone-test';
import { expectCallState } from '../support/softphone';

// Issue 3, journey 4: hanging up on either side ends the call on both, and
// the call record says who hung up.
test.use({ locale: 'ru-RU' });

test('the agent hangs up: baresip sees the call closed and the record says agent', async ({ agent, customer, admin }) => {
  test.setTimeout(120_000);
  await clickToCall(agent, customer);

  await agent.getByTestId('call-hangup').click();
  await Promise.all([customer.baresip.waitEvent('CALL_CLOSED', 10_000), expectCallState(agent, 'ended')]);

  const call = await admin.waitCall(customer.client.id, (c) => c.status === 'ended');
  expect(call.hangup_side).toBe('agent');
  expect(call.outcome).toBe('answered');
  expect(call.end_reason).toBe('hangup');
});

test('the client hangs up: the softphone shows the call ended and the record says client', async ({ agent, customer, admin }) => {
  test.setTimeout(120_000);
  await clickToCall(agent, customer);

  await customer.baresip.hangup();
  await Promise.all([customer.baresip.waitEvent('CALL_CLOSED', 10_000), expectCallState(agent, 'ended')]);

  const call = await admin.waitCall(customer.client.id, (c) => c.status === 'ended');
  expect(call.hangup_side).toBe('client');
  expect(call.outcome).toBe('answered');
  expect(call.end_reason).toBe('hangup');
});
