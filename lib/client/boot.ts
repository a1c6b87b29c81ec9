/**
 * The browser runtime: finds each island's comment markers, revives its props and hydrates it in place.
 * Kept tiny on purpose: it ships on every page that has an island (budget: runtime + preact + signals
 * ≤ 12 KB gzip).
 */
import { type ComponentType, h, hydrate } from "preact";
import { signal } from "@preact/signals";
import { deserialize } from "./deserialize.ts";

const START = /^frsh:island:([^:]+):(\d+)$/;
const END = "/frsh:island";

/** Hydrates every marked island on the page with its component from `islands` (name → component). */
export function boot(islands: Record<string, ComponentType>, stateId: string): void {
  const stateEl = document.getElementById(stateId);
  const props = deserialize(stateEl?.textContent ?? "[]", signal) as Record<string, unknown>[];

  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_COMMENT);
  const open: { name: string; index: number; start: Comment }[] = [];
  const found: { name: string; index: number; start: Comment; end: Comment }[] = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = (node as Comment).data;
    const match = START.exec(text);
    if (match) open.push({ name: match[1], index: Number(match[2]), start: node as Comment });
    else if (text === END) {
      const island = open.pop();
      if (island) found.push({ ...island, end: node as Comment });
    }
  }

  for (const { name, index, start, end } of found) {
    const component = islands[name];
    if (!component) {
      console.error(`island "${name}" has no component in this page's boot script`);
      continue;
    }
    hydrate(h(component, props[index]), fragmentRoot(start, end) as unknown as Element);
  }
}

/**
 * A stand-in parent that confines Preact to the nodes between two comment markers, so an island can be
 * hydrated in place without a wrapper element (which would change the page's layout and CSS selectors).
 */
function fragmentRoot(start: Comment, end: Comment) {
  const parent = start.parentNode!;
  const inRange = (node: Node | null) => {
    for (let n = start.nextSibling; n && n !== end; n = n.nextSibling) if (n === node) return true;
    return false;
  };
  return {
    nodeType: 1,
    parentNode: parent,
    namespaceURI: (parent as Element).namespaceURI,
    get firstChild() {
      return start.nextSibling === end ? null : start.nextSibling;
    },
    get childNodes() {
      const nodes: Node[] = [];
      for (let n = start.nextSibling; n && n !== end; n = n.nextSibling) nodes.push(n);
      return nodes;
    },
    insertBefore(node: Node, before: Node | null) {
      // Preact may pass a sibling beyond the end marker (it skips comments); keep everything inside.
      return parent.insertBefore(node, before && inRange(before) ? before : end);
    },
    appendChild(node: Node) {
      return parent.insertBefore(node, end);
    },
    removeChild(node: Node) {
      return parent.removeChild(node);
    },
    contains(node: Node | null) {
      return inRange(node);
    },
  };
}
