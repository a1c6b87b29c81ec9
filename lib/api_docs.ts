/**
 * The human-readable API reference: one static HTML page rendered from the OpenAPI document.
 *
 * No script and no inline style (our CSP is `script-src` nonce-only and `style-src 'self'`): plain semantic
 * HTML with a few Tailwind classes from the app's stylesheet, which the caller links. Every value from the
 * document is escaped: summaries and schemas are authored in code, but a page that echoes them must not
 * trust that.
 */
import type { Access } from "./access.ts";
import type { OpenApiDocument, OpenApiOperation } from "./openapi.ts";
import type { JsonSchema } from "./openapi_schemas.ts";

export interface ApiDocsOptions {
  /** Stylesheet URLs to link (the app's built Tailwind CSS). */
  stylesheets?: string[];
  /** Where the machine-readable document is served, linked from the page header. */
  specUrl?: string;
}

const METHOD_CLASS: Record<string, string> = {
  get: "bg-sky-100 text-sky-900",
  post: "bg-emerald-100 text-emerald-900",
  put: "bg-amber-100 text-amber-900",
  patch: "bg-amber-100 text-amber-900",
  delete: "bg-rose-100 text-rose-900",
};

const UNTAGGED = "Other";

/**
 * Renders `doc` as a complete HTML page: operations grouped by tag (method, path, summary, access,
 * parameters, request and response schemas), then the shared schemas.
 *
 * @example
 * const html = renderApiDocs(buildOpenApi(app.fileRoutes, info), { stylesheets: manifest.styles, specUrl: "/api/openapi.json" });
 */
export function renderApiDocs(doc: OpenApiDocument, options: ApiDocsOptions = {}): string {
  const groups = groupByTag(doc);
  const ids = new Slugs();
  const sections = [...groups].map(([tag, ops]) => ({ tag, id: ids.make(`tag-${tag}`), ops }));
  const cookie = doc.components.securitySchemes.cookieAuth?.name;

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.info.title)} — API reference</title>
${(options.stylesheets ?? []).map((href) => `<link rel="stylesheet" href="${esc(href)}">`).join("\n")}
</head>
<body class="bg-surface text-ink">
<main class="container-page py-10">
<header class="mb-8">
<h1 class="text-3xl font-bold">${esc(doc.info.title)}</h1>
<p class="text-muted">Version ${esc(doc.info.version)} · OpenAPI ${esc(doc.openapi)}${
    options.specUrl ? ` · <a class="link" href="${esc(options.specUrl)}">machine-readable document</a>` : ""
  }</p>
${doc.info.description ? `<p class="mt-2">${esc(doc.info.description)}</p>` : ""}
</header>
<section class="mb-8" aria-labelledby="authentication">
<h2 id="authentication" class="text-xl font-semibold">Authentication</h2>
<p>Operations that are not public take the access token as <code>Authorization: Bearer &lt;token&gt;</code>${
    cookie ? ` or, in the browser, the <code>${esc(cookie)}</code> cookie` : ""
  }. Errors have one shape: <code>{"error":{"code","message","fields"}}</code>.</p>
</section>
<nav class="mb-8" aria-label="Contents">
<h2 class="text-xl font-semibold">Contents</h2>
<ul>
${
    sections.map((s) => `<li><a class="link" href="#${s.id}">${esc(s.tag)}</a> (${s.ops.length})</li>`).join(
      "\n",
    )
  }
<li><a class="link" href="#schemas">Schemas</a></li>
</ul>
</nav>
${sections.map((s) => renderSection(s.tag, s.id, s.ops)).join("\n")}
<section id="schemas" class="mt-10" aria-labelledby="schemas-title">
<h2 id="schemas-title" class="text-2xl font-semibold">Schemas</h2>
${
    Object.entries(doc.components.schemas).map(([name, schema]) =>
      `<h3 id="${esc(ids.make(`schema-${name}`))}" class="mt-4 font-semibold"><code>${
        esc(name)
      }</code></h3>\n${pre(schema)}`
    ).join("\n")
  }
</section>
</main>
</body>
</html>
`;
}

interface Listed {
  method: string;
  path: string;
  op: OpenApiOperation;
}

/** Tag → its operations, tags in document order, untagged operations last. Listed under their first tag. */
function groupByTag(doc: OpenApiDocument): Map<string, Listed[]> {
  const groups = new Map<string, Listed[]>(doc.tags.map((t) => [t.name, []]));
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!op) continue;
      const tag = op.tags?.[0] ?? UNTAGGED;
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag)!.push({ method, path, op });
    }
  }
  for (const [tag, ops] of groups) if (ops.length === 0) groups.delete(tag);
  const untagged = groups.get(UNTAGGED);
  if (untagged) {
    groups.delete(UNTAGGED);
    groups.set(UNTAGGED, untagged);
  }
  return groups;
}

function renderSection(tag: string, id: string, ops: Listed[]): string {
  return `<section id="${esc(id)}" class="mt-10" aria-labelledby="${esc(id)}-title">
<h2 id="${esc(id)}-title" class="text-2xl font-semibold">${esc(tag)}</h2>
${ops.map(renderOperation).join("\n")}
</section>`;
}

function renderOperation({ method, path, op }: Listed): string {
  const params = op.parameters ?? [];
  const body = op.requestBody && Object.values(op.requestBody.content)[0]?.schema;
  return `<article id="${esc(op.operationId)}" class="mt-6 rounded border border-line p-4">
<h3 class="font-mono"><span class="rounded px-2 py-0.5 text-sm font-bold ${
    METHOD_CLASS[method] ?? "bg-raised"
  }">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
<p class="mt-2 font-semibold">${esc(op.summary)}</p>
${op.description ? `<p class="mt-1">${esc(op.description)}</p>` : ""}
<p class="mt-1 text-sm text-muted">Access: ${esc(describeAccess(op["x-access"]))}${
    (op.tags?.length ?? 0) > 1 ? ` · Tags: ${esc(op.tags!.join(", "))}` : ""
  }</p>
${
    params.length
      ? `<h4 class="mt-4 font-semibold">Parameters</h4>
<table class="mt-1 text-sm">
<thead><tr><th scope="col" class="pr-4 text-left">Name</th><th scope="col" class="pr-4 text-left">In</th><th scope="col" class="pr-4 text-left">Required</th><th scope="col" class="text-left">Schema</th></tr></thead>
<tbody>
${
        params.map((p) =>
          `<tr><td class="pr-4"><code>${esc(p.name)}</code></td><td class="pr-4">${
            esc(p.in)
          }</td><td class="pr-4">${p.required ? "yes" : "no"}</td><td><code>${
            esc(JSON.stringify(p.schema))
          }</code>${p.description ? ` ${esc(p.description)}` : ""}</td></tr>`
        ).join("\n")
      }
</tbody>
</table>`
      : ""
  }
${
    body
      ? `<h4 class="mt-4 font-semibold">Request body <span class="text-muted">(application/json)</span></h4>\n${
        pre(body)
      }`
      : ""
  }
<h4 class="mt-4 font-semibold">Responses</h4>
<dl class="mt-1">
${
    Object.entries(op.responses).map(([status, response]) => {
      const schema = response.content?.["application/json"].schema;
      return `<dt class="mt-2 font-mono font-semibold">${esc(status)}</dt>\n<dd>${esc(response.description)}${
        schema ? `\n${pre(schema)}` : ""
      }</dd>`;
    }).join("\n")
  }
</dl>
</article>`;
}

function describeAccess(access: Access): string {
  if (access === "public") return "public (no sign-in)";
  if (access === "authenticated") return "any signed-in user";
  return `signed-in users with role ${access.join(" or ")}`;
}

function pre(schema: JsonSchema): string {
  return `<pre class="mt-1 overflow-x-auto rounded bg-raised p-3 text-sm"><code>${
    esc(JSON.stringify(schema, null, 2))
  }</code></pre>`;
}

/** Unique, readable fragment ids (`tag-user-sessions`), deduplicated with a counter. */
class Slugs {
  #used = new Set<string>();

  make(text: string): string {
    const base = text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "section";
    let slug = base;
    for (let n = 2; this.#used.has(slug); n++) slug = `${base}-${n}`;
    this.#used.add(slug);
    return slug;
  }
}

/** Escapes text for HTML element content and for double- or single-quoted attribute values. */
function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
