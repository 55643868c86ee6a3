/**
 * A small strict XML 1.0 well-formedness checker for tests (no XML package is installed): one root
 * element, properly nested and matching tags, quoted attributes without duplicates or raw `<`,
 * only the five predefined or numeric entity references, no stray `<` or `&` in text. Returns the
 * element tree so a test can assert on structure (names, attributes, children).
 */

/** An element of the checked document. */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
}

/** Thrown with the offset and what was wrong. */
export class XmlError extends Error {
  override readonly name = "XmlError";
}

const NAME = /^[A-Za-z_:][A-Za-z0-9_.:-]*/;
const ENTITY = /^&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/;

/** Parses `text`, throwing XmlError at the first well-formedness error; returns the root element. */
export function checkXml(text: string): XmlElement {
  let i = 0;
  const fail = (why: string): never => {
    throw new XmlError(`not well-formed XML at offset ${i}: ${why} (near ${JSON.stringify(text.slice(i, i + 30))})`);
  };
  const decode = (raw: string, where: string): string => {
    let out = "";
    for (let k = 0; k < raw.length; k++) {
      const ch = raw[k] as string;
      if (ch === "<") fail(`raw '<' in ${where}`);
      if (ch === "&") {
        const m = ENTITY.exec(raw.slice(k));
        if (!m) fail(`bad entity reference in ${where}`);
        const body = (m as RegExpExecArray)[1] as string;
        out += body.startsWith("#x") ? String.fromCodePoint(Number.parseInt(body.slice(2), 16)) : body.startsWith("#") ? String.fromCodePoint(Number(body.slice(1))) : ({ amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" } as Record<string, string>)[body];
        k += (m as RegExpExecArray)[0].length - 1;
      } else out += ch;
    }
    return out;
  };
  const skipMisc = () => {
    for (;;) {
      while (i < text.length && /\s/.test(text[i] as string)) i++;
      if (text.startsWith("<!--", i)) {
        const end = text.indexOf("-->", i + 4);
        if (end === -1) fail("unterminated comment");
        i = end + 3;
      } else if (text.startsWith("<?", i)) {
        const end = text.indexOf("?>", i + 2);
        if (end === -1) fail("unterminated processing instruction");
        i = end + 2;
      } else return;
    }
  };
  if (text.startsWith("<?xml", 0) === false && text.trimStart().startsWith("<?xml")) fail("XML declaration not at the very start");
  skipMisc();
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  while (i < text.length) {
    if (stack.length === 0 && root !== null) {
      skipMisc();
      if (i < text.length) fail("content after the root element");
      break;
    }
    if (text.startsWith("<!--", i)) {
      const end = text.indexOf("-->", i + 4);
      if (end === -1) fail("unterminated comment");
      i = end + 3;
    } else if (text.startsWith("<![CDATA[", i)) {
      const end = text.indexOf("]]>", i);
      if (end === -1 || stack.length === 0) fail("bad CDATA section");
      (stack[stack.length - 1] as XmlElement).text += text.slice(i + 9, end);
      i = end + 3;
    } else if (text.startsWith("</", i)) {
      i += 2;
      const m = NAME.exec(text.slice(i));
      if (!m) fail("bad closing tag name");
      const name = (m as RegExpExecArray)[0];
      i += name.length;
      while (/\s/.test(text[i] ?? "")) i++;
      if (text[i] !== ">") fail("closing tag not ended by '>'");
      i++;
      const open = stack.pop();
      if (!open || open.name !== name) fail(`closing tag </${name}> does not match <${open?.name ?? "(none)"}>`);
    } else if (text[i] === "<") {
      i++;
      const m = NAME.exec(text.slice(i));
      if (!m) fail("bad tag name");
      const name = (m as RegExpExecArray)[0];
      i += name.length;
      const attributes: Record<string, string> = {};
      for (;;) {
        const before = i;
        while (/\s/.test(text[i] ?? "")) i++;
        if (text[i] === ">" || text.startsWith("/>", i)) break;
        if (i === before) fail("attributes must be separated by whitespace");
        const a = NAME.exec(text.slice(i));
        if (!a) fail("bad attribute name");
        const attr = (a as RegExpExecArray)[0];
        i += attr.length;
        if (text[i] !== "=") fail(`attribute ${attr} has no '='`);
        i++;
        const quote = text[i];
        if (quote !== '"' && quote !== "'") fail(`attribute ${attr} value not quoted`);
        const end = text.indexOf(quote as string, i + 1);
        if (end === -1) fail(`attribute ${attr} value not terminated`);
        if (attr in attributes) fail(`duplicate attribute ${attr}`);
        attributes[attr] = decode(text.slice(i + 1, end), `attribute ${attr}`);
        i = end + 1;
      }
      const element: XmlElement = { name, attributes, children: [], text: "" };
      if (stack.length > 0) (stack[stack.length - 1] as XmlElement).children.push(element);
      else if (root === null) root = element;
      else fail("second root element");
      if (text.startsWith("/>", i)) i += 2;
      else {
        i++;
        stack.push(element);
      }
    } else {
      const next = text.indexOf("<", i);
      const raw = text.slice(i, next === -1 ? text.length : next);
      if (stack.length === 0) {
        if (raw.trim() !== "") fail("text outside the root element");
      } else (stack[stack.length - 1] as XmlElement).text += decode(raw, "text");
      i = next === -1 ? text.length : next;
    }
  }
  if (stack.length > 0) fail(`unclosed element <${(stack[stack.length - 1] as XmlElement).name}>`);
  if (root === null) fail("no root element");
  return root as XmlElement;
}
