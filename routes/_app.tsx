import { define } from "./_define.ts";
import { SiteHeader } from "../components/site_header.tsx";
import { SiteFooter } from "../components/site_footer.tsx";

export default define.page(({ Component, state, url }) => (
  <html lang="en" class="h-full">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{state.meta.title}</title>
      <meta name="description" content={state.meta.description} />
      <meta name="color-scheme" content="light dark" />
      <link rel="canonical" href={`${state.deps.config.appUrl}${url.pathname}`} />
      <meta property="og:type" content="website" />
      <meta property="og:site_name" content="PropTrade Pro" />
      <meta property="og:title" content={state.meta.title} />
      <meta property="og:description" content={state.meta.description} />
      <meta property="og:url" content={`${state.deps.config.appUrl}${url.pathname}`} />
      <meta name="twitter:card" content="summary" />
      <meta name="twitter:title" content={state.meta.title} />
      <meta name="twitter:description" content={state.meta.description} />
      <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
    </head>
    <body class="min-h-full flex flex-col bg-surface text-ink antialiased">
      <a href="#main" class="skip-link">Skip to content</a>
      <SiteHeader path={url.pathname} user={state.user} unread={state.unread} />
      <main id="main" class="flex-1">
        <Component />
      </main>
      <SiteFooter />
    </body>
  </html>
));
