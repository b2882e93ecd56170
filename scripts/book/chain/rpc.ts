/**
 * The service's JSON-RPC transport: keep-alive sockets of an agent of its own, and a request the node dropped on a
 * reused idle socket sent again once on a fresh one.
 *
 * A node closes an idle keep-alive socket after its own timeout (Hardhat's and any Node server's: 5 s). Node's agent
 * retires idle sockets one second before the timeout the server announces, but only when its timer runs: an event loop
 * blocked for seconds (WebAssembly start-up, a burst of work) can hand a socket the node has closed, or is closing at
 * that very moment, to the next request, which then fails with ECONNRESET ("socket hang up") before any answer. The
 * node never read that request, so sending it again is safe; Node's documentation of `request.reusedSocket` advises
 * exactly this. A failure on a fresh socket is never resent: the node may have read it.
 */
import http from "node:http";
import https from "node:https";
import { gunzipSync } from "node:zlib";
import {
  FetchRequest,
  JsonRpcProvider,
  makeError,
  type FetchCancelSignal,
  type FetchGetUrlFunc,
  type GetUrlResponse,
  type Network,
} from "ethers";

/** Sockets kept open to the node at most (the engine loop, the API's cache loads and the matcher share them). */
const MAX_SOCKETS = 16;

/** The agent of the service's node connections (its own, so nothing else in the process shares its sockets). */
export function rpcAgents(): { http: http.Agent; https: https.Agent } {
  return {
    http: new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
    https: new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
  };
}

type Attempt = "pooled" | "fresh";

function send(
  req: FetchRequest,
  signal: FetchCancelSignal | undefined,
  agents: ReturnType<typeof rpcAgents>,
  attempt: Attempt,
): Promise<GetUrlResponse> {
  const secure = req.url.toLowerCase().startsWith("https:");
  const transport = secure ? https : http;
  // The resend goes on a connection of its own: another idle socket of the pool may be as stale as the first.
  const agent = attempt === "fresh" ? false : secure ? agents.https : agents.http;
  return new Promise((resolve, reject) => {
    const request = transport.request(req.url, { method: req.method, headers: { ...req.headers }, agent });
    let answered = false;
    request.setTimeout(req.timeout, () => {
      request.destroy();
      reject(makeError("request timeout", "TIMEOUT"));
    });
    signal?.addListener(() => {
      request.destroy();
      reject(makeError("request cancelled", "CANCELLED"));
    });
    request.on("error", (error: NodeJS.ErrnoException) => {
      if (!answered && attempt === "pooled" && request.reusedSocket && error.code === "ECONNRESET") {
        resolve(send(req, signal, agents, "fresh"));
        return;
      }
      reject(error);
    });
    request.on("response", (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", reject);
      response.on("end", () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers))
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
        let body: Uint8Array | null = chunks.length === 0 ? null : Buffer.concat(chunks);
        try {
          if (body !== null && headers["content-encoding"] === "gzip") body = gunzipSync(body);
        } catch (error) {
          reject(makeError("bad response data", "SERVER_ERROR", { request: req, info: { error } }));
          return;
        }
        resolve({
          statusCode: response.statusCode ?? 0,
          statusMessage: response.statusMessage ?? "",
          headers,
          body: body === null ? null : new Uint8Array(body),
        });
      });
    });
    const body = req.body;
    if (body !== null) request.write(Buffer.from(body));
    request.end();
  });
}

/** ethers' transport for `FetchRequest.getUrlFunc`, over `agents`, resending what the node dropped unread. */
export function resendingGetUrl(agents = rpcAgents()): FetchGetUrlFunc {
  return (req, signal) => send(req, signal, agents, "pooled");
}

/** A provider of `url` on this transport (`network` given: no detection round trip). */
export function rpcProvider(url: string, network?: Network): JsonRpcProvider {
  const request = new FetchRequest(url);
  request.getUrlFunc = resendingGetUrl();
  return network === undefined
    ? new JsonRpcProvider(request)
    : new JsonRpcProvider(request, network, { staticNetwork: true });
}
