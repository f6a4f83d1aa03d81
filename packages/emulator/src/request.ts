// Request plumbing shared by the osu! API routes and the control API: body reading with a size limit,
// query/body merging, CORS and JSON responses.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './errors.js';
import { type Params, parseFormEncoded } from './params.js';

/** Bodies larger than this get 413, as a fronting nginx would answer. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface ParsedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  query: Params;
  /** The decoded body: JSON value, form fields, or undefined when empty. */
  body: unknown;
  /** True when a JSON body was sent but could not be decoded. */
  malformedBody: boolean;
  /** Query merged with an object body (body wins), as Laravel's `request()->all()`. */
  params: Params;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Reads and decodes a request. Throws `HttpError(413)` when the body is too large. */
export async function readRequest(req: IncomingMessage): Promise<ParsedRequest> {
  const url = requestUrl(req.url ?? '/');
  const query = parseFormEncoded(url.search.slice(1));
  const raw = await readBody(req);
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const path = decodePath(url.pathname);
  // Laravel reads a JSON body only when Content-Type says JSON (`Request::isJson`); the control API is lenient.
  const ignoredBody = path.startsWith('/api/') && !/[/+]json/.test(type);
  let body: unknown;
  let malformedBody = false;
  if (raw.length > 0) {
    if (type.includes('application/x-www-form-urlencoded')) {
      body = parseFormEncoded(raw);
    } else if (!ignoredBody) {
      try {
        body = JSON.parse(raw, (key, value) => (key === '__proto__' ? undefined : value));
        // PHP's `json_decode` gives up past 512 levels, and Laravel then sees no body at all.
        if (jsonDepth(body) > MAX_JSON_DEPTH) throw new RangeError('JSON nested too deeply');
      } catch {
        body = undefined;
        malformedBody = true;
      }
    }
  }
  const params: Params = Object.assign(Object.create(null), query);
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) Object.assign(params, body);
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path,
    headers: req.headers,
    query,
    body,
    malformedBody,
    params,
  };
}

const MAX_JSON_DEPTH = 512;

/** How deeply arrays and objects nest in a decoded JSON value (a scalar is 0), without recursion. */
function jsonDepth(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [node, depth] = item;
    if (typeof node !== 'object' || node === null) continue;
    max = Math.max(max, depth + 1);
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return max;
}

/** The request target as a URL; `//` is a path here, not a scheme-relative URL. Unparsable → 404. */
function requestUrl(target: string): URL {
  try {
    return new URL(
      target.startsWith('/') ? `http://emulator.invalid${target}` : target,
      'http://emulator.invalid',
    );
  } catch {
    throw new HttpError(404, { error: null });
  }
}

/**
 * `rawurldecode` of the path, as Laravel matches routes: invalid escapes stay as they are and undecodable bytes
 * become U+FFFD, instead of `decodeURIComponent` throwing (which would be a 500).
 */
function decodePath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw.replace(/(?:%[0-9a-f]{2})+/gi, (run) =>
      Buffer.from(run.replaceAll('%', ''), 'hex').toString('utf8'),
    );
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      req.resume();
      reject(new HttpError(413, { error: null }));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, { error: null }));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Lets a browser app on another local origin call the emulator. */
export function corsHeaders(req: IncomingMessage): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': req.headers.origin ?? '*',
    Vary: 'Origin',
    'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
    'Access-Control-Allow-Headers':
      req.headers['access-control-request-headers'] ?? 'Authorization, Content-Type, Accept, Accept-Language',
    'Access-Control-Expose-Headers': 'Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining',
    'Access-Control-Max-Age': '600',
  };
}

/** Writes a reply as JSON (no body for 204). */
export function sendReply(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = { ...corsHeaders(req), ...reply.headers };
  if (reply.status === 204 || reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  const raw = typeof reply.body === 'string' && headers['Content-Type'] !== undefined;
  const text = raw ? (reply.body as string) : JSON.stringify(reply.body);
  headers['Content-Type'] ??= 'application/json';
  headers['Content-Length'] = String(Buffer.byteLength(text));
  res.writeHead(reply.status, headers).end(text);
}

/** Turns a thrown value into a reply: `HttpError` as is, anything else a 500 `{"error": null}`. */
export function errorReply(error: unknown): Reply {
  if (error instanceof HttpError) return { status: error.status, body: error.body, headers: error.headers };
  return { status: 500, body: { error: null } };
}
