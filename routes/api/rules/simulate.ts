import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { NotFound, Unprocessable } from "../../../lib/errors.ts";
import { readJson } from "../../../lib/validation.ts";
import { planDefinitionSchema } from "../../../services/plans/definition.ts";
import { findActivePlan } from "../../../services/plans/queries.ts";
import { simulateSliced, SIMULATION_LIMITS } from "../../../services/engine/simulate.ts";
import { downsampleTimeline, MAX_TIMELINE_POINTS } from "../../../services/engine/timeline.ts";
import { syncEventSchema, toEngineEvent } from "../../../services/engine/sync_events.ts";
import { enforce, RATE_RULES } from "../../../services/rate_limit/rules.ts";
import { isoTimeSchema } from "../../../services/time.ts";

const { events: MAX_EVENTS, horizonDays: MAX_DAYS } = SIMULATION_LIMITS;
const DAY_MS = 86_400_000;
const iso = isoTimeSchema();

const simulateInput = z.object({
  plan: planDefinitionSchema.optional(),
  planId: z.uuid("must be a plan id").optional(),
  phase: z.union([z.int().min(0).max(4), z.literal("funded")]).default(0),
  startAt: iso,
  events: z.array(syncEventSchema).max(MAX_EVENTS, `at most ${MAX_EVENTS} events`),
  until: iso.optional(),
}).refine((v) => (v.plan === undefined) !== (v.planId === undefined), {
  message: "send either a plan body or a planId",
  path: ["planId"],
}).superRefine((v, ctx) => {
  // The horizon is what the work grows with (a reset per day), so it is refused before any is done.
  const start = Date.parse(v.startAt);
  const lastEvent = Math.max(...v.events.map((e) => Date.parse(e.at)));
  if (lastEvent - start > MAX_DAYS * DAY_MS) {
    ctx.addIssue({
      code: "custom",
      path: ["startAt"],
      message: `at most ${MAX_DAYS} days before the last event`,
    });
  }
  if (v.until !== undefined && Date.parse(v.until) - start > MAX_DAYS * DAY_MS) {
    ctx.addIssue({ code: "custom", path: ["until"], message: `at most ${MAX_DAYS} days after startAt` });
  }
});

const simulationSchema = z.object({
  status: z.enum(["active", "passed", "failed", "paused"]),
  objectives: z.array(z.record(z.string(), z.unknown())),
  breach: z.record(z.string(), z.unknown()).nullable(),
  downsampled: z.object({ from: z.int(), to: z.int() }).nullable(),
  timeline: z.array(z.object({
    at: z.string(),
    equity: z.string(),
    balance: z.string(),
    dailyFloor: z.string().nullable(),
    maxFloor: z.string().nullable(),
    status: z.string(),
  })),
});

export const api = defineApi({
  POST: {
    summary: "What-if: evaluate a plan's rules on hypothetical events",
    description: "Runs the same rule engine as live accounts on the given events (and on the daily resets " +
      "up to `until`) and writes nothing. Events use the demo-sync format. Bounds: at most " +
      `${MAX_EVENTS} events, and at most ${MAX_DAYS} days from \`startAt\` to the last event or \`until\` ` +
      `(422 naming the field). The timeline has a point per event and per reset; past ${MAX_TIMELINE_POINTS} ` +
      "points it is downsampled (first and last points, every status change, the equity extremes overall " +
      "and per slice) and `downsampled` says from how many points.",
    tags: ["rules"],
    access: "authenticated",
    body: simulateInput,
    // Read by the handler: the per-user budget is spent before a body of up to 512 KB is read and validated.
    rawBody: true,
    // MAX_EVENTS events of up to ~400 bytes each, and a plan body.
    bodyLimit: 512 * 1024,
    responses: {
      200: { description: "The verdict, objectives and timeline", schema: simulationSchema },
      404: { description: "No such plan on sale" },
      422: { description: "Invalid plan, phase or events, or past a bound (the field says which)" },
      429: { description: "Too many simulations" },
    },
  },
});

export const handler = define.api(api, {
  async POST(ctx, { user }) {
    const { deps } = ctx.state;
    await enforce(deps.limiter, RATE_RULES.simulate_user, user.id);
    const input = await readJson(ctx.req, simulateInput);
    const plan = input.plan ?? (await findActivePlan(deps.db, input.planId!))?.definition;
    if (!plan) throw new NotFound("No such plan on sale.");
    if (input.phase !== "funded" && input.phase >= plan.phases.length) {
      throw new Unprocessable("phase", `must be below ${plan.phases.length} (or "funded")`);
    }
    let result;
    try {
      result = await simulateSliced(
        plan,
        input.phase,
        Date.parse(input.startAt),
        input.events.map(toEngineEvent),
        input.until ? Date.parse(input.until) : undefined,
      );
    } catch (error) {
      // Events outside [startAt, until] are the caller's input error, not ours.
      if (error instanceof RangeError) throw new Unprocessable("events", error.message);
      throw error;
    }
    const { status, objectives, breach } = result;
    const { timeline, downsampled } = downsampleTimeline(result.timeline);
    return Response.json({ status, objectives, breach, downsampled, timeline });
  },
});
