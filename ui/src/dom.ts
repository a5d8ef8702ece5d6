// A tiny DOM builder: no innerHTML for our own markup (the only HTML we insert is the lesson body,
// already sanitized in Rust).
type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | EventListener | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.replace(/^on/, "").toLowerCase(), v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c);
  }
  return el;
}

export function clear(el: Element): void {
  el.replaceChildren();
}

/** `text` with each of `data` (file paths, file names) shown as code: data, not language. */
export function withCode(text: string, data: string[]): (Node | string)[] {
  let parts: (Node | string)[] = [text];
  for (const d of data.filter((x) => x.length > 0)) {
    parts = parts.flatMap((p) => {
      if (typeof p !== "string" || !p.includes(d)) return [p];
      const out: (Node | string)[] = [];
      p.split(d).forEach((piece, i) => {
        if (i > 0) out.push(h("code", {}, d));
        if (piece) out.push(piece);
      });
      return out;
    });
  }
  return parts;
}
