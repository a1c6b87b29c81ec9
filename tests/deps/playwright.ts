/** playwright-core (dev only, see ./README.md): drives the system Chromium in browser tests and benches. */
export * from "npm:playwright-core@1.65.1";
