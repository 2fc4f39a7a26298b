/**
 * zod → OpenAPI 3.1 schemas for /openapi.json. A schema named with `.meta({ id })` (or given a name
 * by the caller) is emitted once under `components/schemas` and referenced by `$ref` everywhere it
 * is used, so generated clients get one type per concept (Key, Problem, …) instead of anonymous
 * copies. Everything else is inlined. Documentation only: nothing here validates a request.
 */
import * as z from "zod";

export type JsonSchema = { [key: string]: unknown };

const COMPONENT = "#/components/schemas/";

/** zod writes named sub-schemas as `#/$defs/<id>`; OpenAPI clients expect components. */
function relink(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(relink);
  if (typeof value !== "object" || value === null) return value;
  const out: JsonSchema = {};
  for (const [key, inner] of Object.entries(value)) {
    // z.number().int() bounds itself to the safe integers; that is noise to a reader.
    if ((key === "minimum" || key === "maximum") && Math.abs(inner as number) === Number.MAX_SAFE_INTEGER) continue;
    out[key] = key === "$ref" && typeof inner === "string" ? inner.replace(/^#\/\$defs\//, COMPONENT) : relink(inner);
  }
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export class SchemaCollector {
  readonly #schemas: Record<string, JsonSchema> = {};
  readonly #names = new Map<z.ZodType, string>();
  // Conversion is the costly part of building the document; shared schemas are used many times.
  readonly #converted = { input: new Map<z.ZodType, JsonSchema>(), output: new Map<z.ZodType, JsonSchema>() };

  /** Every named schema seen so far, for `components/schemas`. */
  get components(): Record<string, JsonSchema> {
    return Object.fromEntries(Object.entries(this.#schemas).sort(([a], [b]) => a.localeCompare(b)));
  }

  /**
   * The schema for one place in the document: a `$ref` when the schema has an id (its own, or
   * `name` for an otherwise anonymous top-level schema such as a request body), else inline.
   */
  use(schema: z.ZodType, io: "input" | "output", name?: string): JsonSchema {
    const cached = this.#converted[io].get(schema);
    if (cached !== undefined) return cached;
    const result = this.#convert(schema, io, name);
    this.#converted[io].set(schema, result);
    return result;
  }

  #convert(schema: z.ZodType, io: "input" | "output", name?: string): JsonSchema {
    const converted = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as JsonSchema;
    const { $schema: _dialect, $defs, ...root } = converted;
    for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) this.#define(id, relink(def) as JsonSchema);
    const body = relink(root) as JsonSchema;
    if (typeof body.$ref === "string" && Object.keys(body).length === 1) return body;
    const known = this.#names.get(schema) ?? name;
    if (known === undefined) return body;
    this.#names.set(schema, known);
    this.#define(known, body);
    return { $ref: COMPONENT + known };
  }

  #define(id: string, schema: JsonSchema): void {
    const existing = this.#schemas[id];
    // One name, one shape: a name reused for a different schema (or for both the input and the
    // output side of a schema that transforms) would give clients a wrong type.
    if (existing !== undefined && !same(existing, schema)) throw new Error(`openapi: two different schemas are named ${id}`);
    this.#schemas[id] = schema;
  }
}
