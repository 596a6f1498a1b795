// JSON pointers (RFC 6901) into provider answers and receipts: `/a/0/b`, with `~1` for `/` and
// `~0` for `~`. A form body is read as a flat object, so `/Name` is its field `Name`.

export function pointerProblem(pointer: string): string | undefined {
  if (pointer !== '' && !pointer.startsWith('/'))
    return 'a JSON pointer starts with / (or is empty for the whole answer)';
  if (/~[^01]|~$/.test(pointer)) return 'a JSON pointer escapes only ~0 and ~1';
  return undefined;
}

/** The value at `pointer` in `doc`, or undefined where there is none. */
export function readPointer(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  let node = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      if (!/^(0|[1-9]\d*)$/.test(key)) return undefined;
      node = node[Number(key)];
    } else if (node !== null && typeof node === 'object' && Object.hasOwn(node, key)) {
      node = (node as Record<string, unknown>)[key];
    } else {
      return undefined;
    }
  }
  return node;
}

/** A scalar read from an answer as text (ids and statuses are compared as text). */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
