// Playwright drives the system Chromium (Debian's /usr/bin/chromium) against a
// Warmline server that is already running: `make test` starts one on a free
// port with a fresh database and passes its address as WARMLINE_URL. To run
// specs by hand against `make run`:
//
//   cd e2e && WARMLINE_URL=http://127.0.0.1:8080 npx playwright test tests/smoke.spec.ts
//
// No browser is ever downloaded: install with PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1.
import { defineConfig } from '@playwright/test';

const baseURL = process.env.WARMLINE_URL;

export default defineConfig({
  testDir: './tests',
  testMatch: '**/*.spec.ts',
  globalSetup: './global-setup.ts',
  // One browser at a time: specs share one server and one demo organisation.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  // A bound on the whole run, so a hung spec cannot eat CI's time.
  globalTimeout: 20 * 60 * 1000,
  timeout: 60 * 1000,
  expect: { timeout: 10 * 1000 },
  outputDir: './test-results',
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // The agent's softphone: grant the microphone without a prompt and use
        // Chrome's fake capture device (a beep) instead of real hardware.
        // Phone specs (issue 3): support/phone-test.ts launches its own
        // browser with these plus a 1 kHz tone file as the microphone.
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        // Needed where the host has no interface but lo; harmless elsewhere.
        '--allow-loopback-in-peer-connection',
        '--autoplay-policy=no-user-gesture-required',
      ],
    },
  },
});
