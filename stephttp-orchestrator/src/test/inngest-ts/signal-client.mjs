// Sends a signal with the SDK's own client (inngest.sendSignal) to the orchestrator under test and
// prints the answer as one JSON line. ORCH = orchestrator URL; KEY = signing key; argv: signal, data.
import { Inngest } from "inngest";

const inngest = new Inngest({ id: "ts-signals", baseUrl: process.env.ORCH, isDev: false, signingKey: process.env.KEY });
const sent = await inngest.sendSignal({ signal: process.argv[2], data: JSON.parse(process.argv[3]) });
console.log(JSON.stringify({ runId: sent.runId ?? null }));
