/**
 * Deadlines and timeouts for every AWS call: each call runs with an
 * AbortSignal that fires at the invocation's deadline, and the caller stops
 * waiting then even when a client (or a test double) ignores the signal.
 * The SDK clients also get socket-level timeouts ({@link CLIENT_TIMEOUTS}),
 * so a connection that is accepted and never answered fails on its own.
 */

/** Longest delay a Node timer takes (2^31 - 1 ms). */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Socket timeouts of every SDK client (NodeHttpHandler options): 3 s to
 * connect, 10 s without a byte once connected. See
 * https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/node-configuring-maxsockets.html
 * and the `requestHandler` option of the client configuration.
 */
const CLIENT_TIMEOUTS = {
  connectionTimeout: 3_000,
  requestTimeout: 10_000,
} as const;

/** A call stopped at its deadline. */
class DeadlineError extends Error {
  readonly code = 'AWS_DEADLINE';

  constructor(what: string, ms: number) {
    super(`${what} did not answer within ${ms} ms (the invocation deadline)`);
    this.name = 'TimeoutError';
  }
}

/**
 * Runs `call` with an AbortSignal that fires at `deadline` (epoch ms), and
 * rejects with a {@link DeadlineError} then, whether or not `call` honours
 * the signal. Rejects at once when the deadline has passed.
 *
 * @param what - the operation, named in the error (`EC2 DescribeNetworkInterfaces`)
 * @example await beforeDeadline('S3 GetObject', deadline, (abortSignal) => s3.send(cmd, { abortSignal }))
 */
async function beforeDeadline<T>(
  what: string,
  deadline: number,
  call: (signal: AbortSignal) => Promise<T>,
  now: () => number = Date.now
): Promise<T> {
  const left = Math.floor(deadline - now());
  if (left <= 0) throw new DeadlineError(what, 0);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        const error = new DeadlineError(what, left);
        controller.abort(error);
        reject(error);
      },
      Math.min(left, MAX_TIMER_MS)
    );
  });
  try {
    return await Promise.race([call(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}

export { beforeDeadline, CLIENT_TIMEOUTS, DeadlineError, MAX_TIMER_MS };
