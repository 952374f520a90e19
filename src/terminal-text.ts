// Text for the terminal: every control character that came from a value (config, state, an engine's or a
// host's message) is shown escaped, so no value can move the cursor, clear the screen, retitle the window,
// reorder what is read (bidi overrides) or fake a line of mfile's own output. JSON output needs none of this:
// JSON escapes C0 controls itself.

// C0 and C1 controls and DEL, Unicode line/paragraph separators and bidi embeddings, overrides and isolates.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const UNSAFE_KEEP_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  // \uXXXX, as JSON writes it: text that is JSON stays valid JSON with the same meaning once escaped.
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** One line: every control character escaped, newlines and tabs included. */
export function terminalLine(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/** Several lines: newlines and tabs kept, every other control character escaped. */
export function terminalText(text: string): string {
  return text.replace(UNSAFE_KEEP_LINES, escapeChar);
}
