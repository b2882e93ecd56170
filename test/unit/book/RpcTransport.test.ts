/**
 * The service's JSON-RPC transport (scripts/book/chain/rpc.ts) against a node that closes an idle keep-alive socket
 * as the next request arrives on it (what Hardhat's 5 s keep-alive timeout does to a client whose event loop was
 * blocked): the request is sent again on a fresh connection and answered, where ethers' own transport fails with
 * "socket hang up"; a request dropped on a fresh connection is not sent again.
 */
import { createServer, type Server, type Socket } from "node:net";
import http from "node:http";
import { expect } from "chai";
import { FetchRequest, JsonRpcProvider, Network } from "ethers";
import { resendingGetUrl, rpcProvider } from "../../../scripts/book/chain/rpc";

const CHAIN_ID_HEX = "0x7a69";

/** A minimal JSON-RPC node over raw sockets; `drop(connection, request)` says which requests it closes unanswered. */
function node(drop: (connection: number, request: number) => boolean) {
  const seen = { connections: 0, requests: 0, answered: 0 };
  const server: Server = createServer((socket: Socket) => {
    const connection = ++seen.connections;
    let onThis = 0;
    let buffered = "";
    socket.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      for (;;) {
        const end = buffered.indexOf("\r\n\r\n");
        if (end < 0) return;
        const length = Number(/content-length: *(\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        const body = JSON.parse(buffered.slice(end + 4, end + 4 + length)) as { id: number };
        buffered = buffered.slice(end + 4 + length);
        seen.requests++;
        if (drop(connection, ++onThis)) {
          socket.destroy();
          return;
        }
        seen.answered++;
        const answer = JSON.stringify({ jsonrpc: "2.0", id: body.id, result: CHAIN_ID_HEX });
        socket.write(
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: keep-alive\r\n" +
            `Keep-Alive: timeout=5\r\nContent-Length: ${Buffer.byteLength(answer)}\r\n\r\n${answer}`,
        );
      }
    });
  });
  return {
    seen,
    url: () => {
      const a = server.address();
      return `http://127.0.0.1:${typeof a === "object" && a !== null ? a.port : 0}`;
    },
    listen: () => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("unit/book/RpcTransport (a request the node dropped on a reused idle socket is sent again)", function () {
  const network = Network.from(31337n);
  // The node closes the first connection when its second request arrives; every other request is answered.
  const closesIdleSocket = (connection: number, request: number) => connection === 1 && request === 2;
  let n: ReturnType<typeof node>;
  let providers: JsonRpcProvider[] = [];
  beforeEach(async () => {
    n = node(closesIdleSocket);
    await n.listen();
  });
  afterEach(async () => {
    for (const p of providers) p.destroy();
    providers = [];
    await n.close();
  });

  it("answers the second call on a new connection where ethers' own transport hangs up", async () => {
    const ours = rpcProvider(n.url(), network);
    providers.push(ours);
    expect(await ours.send("eth_chainId", [])).to.equal(CHAIN_ID_HEX);
    expect(await ours.send("eth_chainId", [])).to.equal(CHAIN_ID_HEX);
    expect(n.seen).to.deep.equal({ connections: 2, requests: 3, answered: 2 });

    // The same node, a fresh first connection, and ethers' transport over a keep-alive agent: the dropped request fails.
    const again = node(closesIdleSocket);
    await again.listen();
    try {
      const request = new FetchRequest(again.url());
      request.getUrlFunc = FetchRequest.createGetUrlFunc({ agent: new http.Agent({ keepAlive: true }) });
      const theirs = new JsonRpcProvider(request, network, { staticNetwork: true });
      providers.push(theirs);
      expect(await theirs.send("eth_chainId", [])).to.equal(CHAIN_ID_HEX);
      let failure: Error | undefined;
      await theirs.send("eth_chainId", []).catch((e: Error) => (failure = e));
      expect(failure?.message).to.match(/socket hang up|ECONNRESET/);
      expect(again.seen.answered).to.equal(1);
    } finally {
      await again.close();
    }
  });

  it("does not send again a request dropped on a fresh connection (the node may have read it)", async () => {
    const always = node(() => true);
    await always.listen();
    try {
      const request = new FetchRequest(always.url());
      request.getUrlFunc = resendingGetUrl();
      const p = new JsonRpcProvider(request, network, { staticNetwork: true });
      providers.push(p);
      let failure: Error | undefined;
      await p.send("eth_chainId", []).catch((e: Error) => (failure = e));
      expect(failure?.message).to.match(/socket hang up|ECONNRESET/);
      expect(always.seen).to.deep.equal({ connections: 1, requests: 1, answered: 0 });
    } finally {
      await always.close();
    }
  });
});
