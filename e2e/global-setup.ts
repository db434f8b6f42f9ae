// Fails fast, with a useful message, when there is no server to test.
import type { FullConfig } from '@playwright/test';

export default async function globalSetup(_config: FullConfig): Promise<void> {
  const base = process.env.WARMLINE_URL;
  if (!base) {
    throw new Error(
      'WARMLINE_URL is not set. `make test` sets it; by hand, start `make run` and use ' +
        'WARMLINE_URL=http://127.0.0.1:8080 npx playwright test',
    );
  }
  const url = new URL('/healthz', base).toString();
  try {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`status ${res.status}`);
  } catch (err) {
    throw new Error(`Warmline is not answering at ${url}: ${(err as Error).message}`);
  }
}
