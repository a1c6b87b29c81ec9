/** @axe-core/playwright (dev only, see ./README.md): accessibility checks in browser tests. */
export { default } from "npm:@axe-core/playwright@4.14.0";
