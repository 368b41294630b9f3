// Reading an activity from the wire, bounded before anything is inflated or parsed: the endpoint faces
// the internet, so a request is read only up to what Teams ever sends, compressed or not.
import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

/**
 * The largest body accepted, before and after decompression. Teams keeps messages and card payloads
 * far below this (a message is at most about 28 KB); 512 KiB leaves room for a long pasted list.
 */
export const MAX_BODY_BYTES = 512 * 1024;

export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const decoders: Record<string, ((b: Buffer, o: zlib.ZlibOptions) => Promise<Buffer>) | undefined> = {
  identity: undefined,
  gzip: gunzip,
  'x-gzip': gunzip,
  deflate: inflate,
};

/** The request's JSON body, or a BodyError saying what is wrong (400 malformed, 413 too large, 415 unsupported). */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const encoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase() || 'identity';
  if (!(encoding in decoders)) throw new BodyError(415, `Content-Encoding "${encoding.slice(0, 40)}" is not supported; send gzip, deflate or none.`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new BodyError(413, `The body is larger than ${limit} bytes.`);

  const raw = await readRaw(req, limit);
  const decode = decoders[encoding];
  let body = raw;
  if (decode) {
    try {
      // maxOutputLength stops the inflater itself at the limit: a small "bomb" never grows past it.
      body = await decode(raw, { maxOutputLength: limit });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new BodyError(413, `The body inflates to more than ${limit} bytes.`);
      throw new BodyError(400, `The body is not valid ${encoding} data.`);
    }
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new BodyError(400, 'The body is not UTF-8 text.');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new BodyError(400, 'The body is not JSON.');
  }
}

/** The raw bytes, at most `limit` of them; more stops the read at once. */
function readRaw(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (err?: Error) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (err) {
        // Stop reading what is left, but keep a listener so a late socket error never goes unhandled.
        req.on('error', () => undefined);
        req.pause();
        reject(err);
      } else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return done(new BodyError(413, `The body is larger than ${limit} bytes.`));
      chunks.push(chunk);
    };
    const onEnd = () => done();
    const onError = () => done(new BodyError(400, 'The request body could not be read.'));
    const onAborted = () => done(new BodyError(400, 'The request was aborted.'));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
    req.once('aborted', onAborted);
  });
}
