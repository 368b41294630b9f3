// Throttling (429) and unavailability (503) are retried after the server's retry-after; the rest is not.
import { withRetry } from '../../domain/store/cosmos';

const failing = (errors: object[]) => {
  let calls = 0;
  const fn = async () => {
    const err = errors[calls++];
    if (err) throw err;
    return 'done';
  };
  return { fn, calls: () => calls };
};

test('429 and 503 are retried, waiting what the server asked', async () => {
  const { fn, calls } = failing([{ code: 429, retryAfterInMs: 30 }, { code: 503, headers: { 'x-ms-retry-after-ms': '20' } }]);
  const started = Date.now();
  await expect(withRetry(fn)).resolves.toBe('done');
  expect(calls()).toBe(3);
  expect(Date.now() - started).toBeGreaterThanOrEqual(45);
});

test('other errors (412, 404, 400) are not retried', async () => {
  for (const code of [412, 404, 400]) {
    const { fn, calls } = failing([{ code }]);
    await expect(withRetry(fn)).rejects.toMatchObject({ code });
    expect(calls()).toBe(1);
  }
});

test('it gives up after the last attempt and reports the throttling', async () => {
  const { fn, calls } = failing(Array.from({ length: 10 }, () => ({ code: 429, retryAfterInMs: 1 })));
  await expect(withRetry(fn, 3)).rejects.toMatchObject({ code: 429 });
  expect(calls()).toBe(3);
});
