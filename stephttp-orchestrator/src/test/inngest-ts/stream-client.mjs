// Reads a streaming durable endpoint with the SDK's own browser client, fetchWithStream, and prints
// what it saw as one JSON line: the final response rebuilt from the stream and every callback.
import { fetchWithStream } from "inngest/experimental/durable-endpoints/client";

const events = [];
const res = await fetchWithStream(process.argv[2], {
  onMetadata: ({ runId }) => events.push({ type: "metadata", runId }),
  onData: ({ data, hashedStepId }) => events.push({ type: "data", data, hashedStepId }),
  onCommit: ({ hashedStepId }) => events.push({ type: "commit", hashedStepId }),
  onRollback: ({ hashedStepId }) => events.push({ type: "rollback", hashedStepId }),
});
const body = await res.text();
console.log(JSON.stringify({ status: res.status, body, ts: res.headers.get("x-ts"), events }));
