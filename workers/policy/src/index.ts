/**
 * pqkms policy Worker: internal only, reached over a typed RPC service binding from the gateway.
 * It reads the facts a decision needs from D1 and evaluates the pure rule chain. It never answers
 * allow on error: a failure to read facts propagates, and the gateway turns it into 503.
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import { isOperation } from "../../shared/operations.ts";
import type { PolicyDecision, PolicyRequest } from "../../shared/rpc.ts";
import { readFacts } from "../../shared/policy/facts.ts";
import { evaluate } from "../../shared/policy/rules.ts";

export class PolicyService extends WorkerEntrypoint<PolicyEnv> {
  async evaluate(request: PolicyRequest): Promise<PolicyDecision> {
    if (!isOperation(request.operation)) {
      return { allow: false, rule: "operation", code: "access_denied", detail: "Unknown operation" };
    }
    return evaluate(request, await readFacts(this.env.DB, request, Date.now()));
  }

  async health(): Promise<{ reasons: string[] }> {
    return { reasons: [] };
  }
}

export default {
  fetch: () => new Response(null, { status: 404 }),
} satisfies ExportedHandler<PolicyEnv>;
