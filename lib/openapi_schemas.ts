/** zod schemas → the JSON Schemas and shared components of the OpenAPI document (lib/openapi.ts). */
import { z } from "zod";

/** A JSON Schema (2020-12, which OpenAPI 3.1 uses as is). */
export type JsonSchema = Record<string, unknown>;

/**
 * Converts zod schemas to JSON Schema and gathers their shared definitions (`.meta({ id })` schemas and
 * recursive ones) as document components: zod emits them as `$defs` with `#/$defs/…` refs, which inside an
 * OpenAPI document would resolve against the document root and break.
 */
export class SchemaComponents {
  readonly schemas: Record<string, JsonSchema> = {};
  // Component name → the definition's text, to tell a reused definition from a clash of names.
  #texts = new Map<string, string>();

  convert(schema: z.ZodType, io: "input" | "output", where: string): JsonSchema {
    let json: JsonSchema;
    try {
      // Bodies are documented as the client sends them (before defaults and transforms), responses as the
      // server produces them. A type JSON cannot carry (a Date, a transform's result) becomes `{}` (any)
      // rather than taking the whole document down.
      json = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as JsonSchema;
    } catch (err) {
      throw new Error(
        `${where}: the zod schema cannot be described as JSON Schema: ${(err as Error).message}`,
      );
    }
    const { $schema: _dialect, $defs, ...rest } = json;
    if (!$defs) return rest;
    const names = new Map<string, string>();
    for (const [name, definition] of Object.entries($defs as Record<string, JsonSchema>)) {
      names.set(name, this.#place(name, JSON.stringify(definition)));
    }
    const rewrite = (value: unknown): unknown =>
      JSON.parse(
        JSON.stringify(value),
        (key, v) =>
          key === "$ref" && typeof v === "string" && v.startsWith("#/$defs/")
            ? `#/components/schemas/${names.get(v.slice("#/$defs/".length)) ?? v}`
            : v,
      );
    for (const [name, definition] of Object.entries($defs as Record<string, JsonSchema>)) {
      this.schemas[names.get(name)!] = rewrite(definition) as JsonSchema;
    }
    return rewrite(rest) as JsonSchema;
  }

  /** The component name for a definition: its own name, unless another definition already has it. */
  #place(name: string, text: string): string {
    const base = name.replace(/^_+/, "").replace(/[^A-Za-z0-9._-]/g, "_") || "Schema";
    for (let n = 1;; n++) {
      const candidate = n === 1 ? base : `${base}_${n}`;
      if (candidate === "Error") continue; // reserved for the error body
      const existing = this.#texts.get(candidate);
      if (existing === undefined) {
        this.#texts.set(candidate, text);
        return candidate;
      }
      if (existing === text) return candidate;
    }
  }
}
