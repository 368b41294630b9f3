// Throttling (429), unavailability (503), resets and timeouts are retried where that is safe; the rest is not.
import { isUnknownOutcome, withRetry } from '../../domain/store/cosmos';

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

test('a connection reset or a client timeout (no status code) is retried like 503 for repeatable calls', async () => {
  const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
  const timeout = Object.assign(new Error('Timeout Error! Request took more than 1000 ms'), { code: 'TimeoutError', name: 'TimeoutError' });
  const hangUp = new Error('socket hang up');
  const { fn, calls } = failing([reset, timeout, hangUp]);
  await expect(withRetry(fn)).resolves.toBe('done');
  expect(calls()).toBe(4);
});

test('a write whose outcome is unknown (reset, 503) is not repeated blindly: the caller reads back', async () => {
  for (const err of [Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), { code: 503 }]) {
    const { fn, calls } = failing([err]);
    await expect(withRetry(fn, 6, false)).rejects.toBe(err);
    expect(calls()).toBe(1);
  }
  const { fn, calls } = failing([{ code: 429, retryAfterInMs: 1 }]); // throttled: never ran, so always repeated
  await expect(withRetry(fn, 6, false)).resolves.toBe('done');
  expect(calls()).toBe(2);
});

test('unknown outcomes are told from refusals', () => {
  expect(isUnknownOutcome(Object.assign(new Error('x'), { code: 'EPIPE' }))).toBe(true);
  expect(isUnknownOutcome({ code: 408 })).toBe(true);
  expect(isUnknownOutcome({ code: 412 })).toBe(false);
  expect(isUnknownOutcome(new Error('bad request'))).toBe(false);
});
