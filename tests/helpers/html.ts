/** Reading rendered pages in HTTP tests. */

/**
 * A page's text as a reader sees it: tags dropped, the entities the renderer writes for `'` and `&` decoded,
 * whitespace collapsed; so a test can match a sentence across the elements that break it up.
 */
export function textOf(html: string): string {
  return html.replace(/<[^>]+>/g, " ").replace(/&#x27;|&#39;/g, "'").replace(/&amp;/g, "&").replace(
    /\s+/g,
    " ",
  );
}
