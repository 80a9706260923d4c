// A durable endpoint written with Inngest's own TypeScript SDK, served by Node, checkpointing to
// the orchestrator under test. ORCH = orchestrator URL; KEY = signing key (cloud mode) or unset (dev).
import { Inngest, step } from "inngest";
import { endpointAdapter, createEndpointServer } from "inngest/node";
import { stream } from "inngest/experimental/durable-endpoints";

const inngest = new Inngest({
  id: "ts-compat",
  endpointAdapter,
  baseUrl: process.env.ORCH,
  ...(process.env.KEY ? { isDev: false, signingKey: process.env.KEY } : { isDev: true }),
});

// How often each step of /parallel really ran in this process (a replayed step does not count).
const runs = {};
const counted = (id, value) => () => {
  runs[id] = (runs[id] ?? 0) + 1;
  return value;
};

const handler = inngest.endpoint(async (req) => {
  const url = new URL(req.url);
  if (url.pathname === "/stream") {
    // Chunks pushed in a step before and after a sleep: the second step runs in a re-entry.
    const a = await step.run("first", async () => {
      stream.push("hello");
      return "a";
    });
    await step.sleep("pause", "1s");
    const b = await step.run("second", async () => {
      stream.push({ word: "world" });
      return "b";
    });
    return new Response(JSON.stringify({ a, b }), {
      status: 201,
      headers: { "content-type": "application/json", "x-ts": "yes" },
    });
  }
  if (url.pathname === "/signal") {
    const got = await step.waitForSignal("approval", { signal: url.searchParams.get("sig"), timeout: "1m" });
    return { got };
  }
  if (url.pathname === "/parallel") {
    const tag = url.searchParams.get("tag");
    const parts = await Promise.all([1, 2, 3].map((n) => step.run("part-" + n, counted(tag + "/part-" + n, n * 10))));
    return { sum: parts.reduce((a, b) => a + b, 0), runs: [1, 2, 3].map((n) => runs[tag + "/part-" + n]) };
  }
  const a = await step.run("a", () => "A:" + url.searchParams.get("name"));
  await step.sleep("nap", "1s");
  const event = await step.waitForEvent("approval", {
    event: "ts/approved",
    timeout: "1m",
    if: `async.data.name == "${url.searchParams.get("name")}"`,
  });
  const b = await step.run("b", () => "B");
  return { a, b, by: event ? event.data.by : null };
});

const server = createEndpointServer(handler);
server.listen(0, "127.0.0.1", () => console.log("PORT " + server.address().port));
