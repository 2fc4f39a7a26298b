/** `GET /v1/tenant`: the caller's tenant, its effective limits, and its key count from the vault. */
import { z } from "zod";
import { renderTenant } from "../db/tenants.ts";
import { route } from "../http/routes.ts";
import { callContext, callKms } from "../pipeline/route.ts";
import { TenantSchema } from "./schemas.ts";

export const tenantRoutes = [
  route({
    method: "get",
    path: "/v1/tenant",
    summary: "This tenant: plan, status, limits and key count",
    tag: "tenant",
    access: { kind: "tenant", operation: "tenant.read" },
    responses: { 200: { description: "The tenant", schema: TenantSchema.extend({ key_count: z.number().int() }) } },
    handler: async (c) => {
      const auth = c.get("auth");
      const vault = await callKms(() => c.env.KMS.vaultSummary(callContext(auth, c.get("requestId"))));
      return c.json({ ...renderTenant(auth.tenant), key_count: vault.keyCount });
    },
  }),
];
