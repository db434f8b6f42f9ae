// The phone specs' test: Playwright's, extended with
// - a browser whose fake microphone plays a 1 kHz tone (made with sox into a
//   temporary folder of the worker, removed after);
// - `customer`: a baresip on free 127.0.0.1 ports answering as a fresh
//   client's number with a 600 Hz microphone, the organisation's trunk
//   pointing at it and a line (the organisation's number) on that trunk —
//   all removed after the test, pass or fail;
// - `agent`: a page logged in as the client's owner with the softphone on
//   (switched off again before the page closes).
//
// The server must run with the gateway on: WARMLINE_SIP_LISTEN (udp:127.0.0.1:PORT),
// WARMLINE_RTP_PORTS, WARMLINE_ICE_LOOPBACK=true (scripts/test.sh exports
// them to the server and to Playwright).
import { test as base, expect, type Page } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Baresip } from './baresip';
import { hears, listen } from './page-audio';
import { activeCall, answer, expectCallState, logIn, turnOff, turnOn } from './softphone';
import { AGENT_TONE_HZ, CUSTOMER_TONE_HZ, makeTone } from './tones';
import { E2E_TRUNK_PREFIX, WarmlineApi, randomDigits, type Client, type Line, type User } from './warmline-api';
import { hearsTone, readWav } from './wav';

/** The agent whose softphone takes the calls; the customer's client is theirs. */
export const AGENT_EMAIL = 'agent1@demo.example';

export interface Tones {
  agentMic: string;
  customerMic: string;
}

export interface Customer {
  baresip: Baresip;
  /** The customer's number, E.164. */
  phone: string;
  client: Client;
  /** The organisation's number the customer can call. */
  line: Line;
  agentUser: User;
}

/** gatewaySip is the gateway's SIP address (host:port) from WARMLINE_SIP_LISTEN. */
export function gatewaySip(): string {
  const addrs = process.env.WARMLINE_SIP_LISTEN;
  // A comma-separated list of transport:host:port; baresip dials over UDP.
  const udp = addrs?.split(',').find((a) => /^(udp:)?127\.0\.0\.1:\d+$/.test(a.trim()));
  const m = udp?.trim().match(/(127\.0\.0\.1:\d+)$/);
  if (!m) {
    throw new Error(
      `WARMLINE_SIP_LISTEN is ${addrs === undefined ? 'not set' : `"${addrs}"`}: the phone specs need the ` +
        'server started with the gateway listening on udp:127.0.0.1:PORT (make test sets it) and the same value here',
    );
  }
  return m[1];
}

function baseURL(): string {
  const u = process.env.WARMLINE_URL;
  if (!u) throw new Error('WARMLINE_URL is not set');
  return u;
}

export const test = base.extend<{ admin: WarmlineApi; customer: Customer; agent: Page }, { tones: Tones }>({
  tones: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warmline-e2e-tones-'));
      try {
        await use({
          agentMic: makeTone(dir, AGENT_TONE_HZ, 16000, 60),
          customerMic: makeTone(dir, CUSTOMER_TONE_HZ, 8000, 300),
        });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    { scope: 'worker' },
  ],

  // The configured launch options plus the agent's microphone tone.
  browser: [
    async ({ playwright, launchOptions, tones }, use) => {
      const browser = await playwright.chromium.launch({
        ...launchOptions,
        executablePath: launchOptions.executablePath ?? '/usr/bin/chromium',
        args: [
          ...(launchOptions.args ?? []),
          '--use-fake-ui-for-media-stream',
          '--use-fake-device-for-media-stream',
          `--use-file-for-fake-audio-capture=${tones.agentMic}`,
          '--allow-loopback-in-peer-connection',
          '--disable-features=WebRtcHideLocalIpsWithMdns',
          '--autoplay-policy=no-user-gesture-required',
        ],
      });
      try {
        await use(browser);
      } finally {
        await browser.close();
      }
    },
    { scope: 'worker' },
  ],

  admin: async ({}, use) => {
    const api = await WarmlineApi.login(baseURL(), 'admin@demo.example');
    try {
      await use(api);
    } finally {
      await api.dispose();
    }
  },

  customer: async ({ admin, tones }, use, testInfo) => {
    gatewaySip(); // fail first, with the reason, when the gateway is not configured
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warmline-e2e-baresip-'));
    const phone = `+7916${randomDigits(7)}`;
    const orgNumber = `+7495${randomDigits(7)}`;
    // baresip answers only users it has an account for: the number with and
    // without its +, however the gateway spells it in the request-URI.
    const baresip = await Baresip.start({ dir, users: [phone, phone.slice(1)], micWav: tones.customerMic });
    let client: Client | undefined;
    try {
      const agentUser = await admin.userByEmail(AGENT_EMAIL);
      const trunk = await admin.useTrunk(`${E2E_TRUNK_PREFIX} ${testInfo.testId}`, baresip.sipPort, orgNumber);
      const line = await admin.createLine(orgNumber, 'e2e line', trunk.id);
      client = await admin.createClient(`Клиент e2e ${randomDigits(4)}`, phone, agentUser.id);
      await use({ baresip, phone, client, line, agentUser });
    } finally {
      await testInfo.attach('baresip.log', { body: baresip.log(), contentType: 'text/plain' });
      // Every step runs even when one fails; the first failure is reported.
      const failures: unknown[] = [];
      const step = async (f: () => Promise<unknown>) => f().catch((err) => failures.push(err));
      await step(() => baresip.stop());
      await step(() => admin.deleteTestTrunks());
      if (client) await step(() => admin.send('DELETE', `/api/v1/clients/${client!.id}`));
      fs.rmSync(dir, { recursive: true, force: true });
      if (failures.length) throw failures[0];
    }
  },

  // Set up after customer so that it is torn down first: the softphone goes
  // off (ending any call from the browser's side) before baresip stops.
  agent: async ({ page, customer }, use) => {
    void customer;
    await logIn(page, AGENT_EMAIL);
    await turnOn(page);
    try {
      await use(page);
    } finally {
      await turnOff(page).catch(() => undefined);
    }
  },
});

export { expect };

/**
 * clickToCall: the agent clicks Call on the customer's card, the softphone
 * rings first, the agent picks up, the gateway dials baresip, which answers
 * by itself; returns when both sides say the call is up.
 */
export async function clickToCall(agent: Page, customer: Customer): Promise<string> {
  await agent.goto(`/clients/${customer.client.id}`);
  await agent.getByTestId('client-call-button').click();
  await expectCallState(agent, 'ringing');
  await answer(agent);
  await customer.baresip.waitEvent('CALL_ESTABLISHED', 15_000, (e) => e.direction === 'incoming');
  await expectCallState(agent, 'active');
  const id = await activeCall(agent).getAttribute('data-call-id');
  expect(id, 'the active call carries its call id').toBeTruthy();
  return id as string;
}

/**
 * callIn: baresip dials the organisation's number, the agent's softphone
 * pops up the customer's card, the agent answers.
 */
export async function callIn(agent: Page, customer: Customer): Promise<void> {
  await customer.baresip.dial(`sip:${customer.line.number}@${gatewaySip()}`);
  const popup = agent.getByTestId('incoming-call');
  await expect(popup, 'the softphone rings for the inbound call').toBeVisible({ timeout: 15_000 });
  await expect(popup.getByTestId('incoming-client-name')).toHaveText(customer.client.name);
  await popup.getByTestId('incoming-answer').click();
  await customer.baresip.waitEvent('CALL_ESTABLISHED', 15_000, (e) => e.direction === 'outgoing');
  await expectCallState(agent, 'active');
}

/**
 * expectTwoWayAudio measures both directions of a live call: the agent
 * hears the customer's 600 Hz (in the page) and baresip heard the agent's
 * 1 kHz (its recording).
 */
export async function expectTwoWayAudio(agent: Page, customer: Customer): Promise<void> {
  const heard = hears(await listen(agent, 3), CUSTOMER_TONE_HZ);
  // By now baresip has been recording for over 3 s.
  const recorded = hearsTone(readWav(customer.baresip.decodedRecording()), AGENT_TONE_HZ);
  // The figures go into the report whether or not they pass.
  const figures = `agent hears: ${heard.summary}\nbaresip heard: ${recorded.summary}\n`;
  await test.info().attach('audio measurements', { body: figures, contentType: 'text/plain' });
  console.log(figures);
  expect(heard.ok, `the agent should hear the customer's ${CUSTOMER_TONE_HZ} Hz: ${heard.summary}`).toBe(true);
  expect(recorded.ok, `baresip should hear the agent's ${AGENT_TONE_HZ} Hz: ${recorded.summary}`).toBe(true);
}
