/** HTML escaping for text and attribute values, and JSON that is safe inside a <script> element. */

/** Escapes `& < > " '` so any text is inert in element content and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** JSON for `<script type="application/json">`: `<` is escaped so no `</script>` or `<!--` can end the element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}
