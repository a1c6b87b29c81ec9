/** lighthouse (dev only, see ./README.md; ~150 packages with its own dependencies): `deno task lighthouse`. */
export { default } from "npm:lighthouse@13.5.0";
